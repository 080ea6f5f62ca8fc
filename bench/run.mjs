// `npm run bench`: runs every benchmark in bench/ (or those named) and prints their tables.
import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';

const wanted = process.argv.slice(2);
const benches = readdirSync('bench')
  .filter((file) => file.endsWith('.mjs') && !['run.mjs', 'lib.mjs'].includes(file))
  .filter((file) => wanted.length === 0 || wanted.includes(file.replace(/\.mjs$/, '')));
let failed = 0;
for (const file of benches) {
  const result = spawnSync(process.execPath, [`bench/${file}`], {stdio: 'inherit'});
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
