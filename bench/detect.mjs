// `berth repo detect --json` and `berth status --json` in a checkout (one git process, git
// status; the rest is read from .git's files), with 1,000 registered repositories, against
// `node -e 0` in the same run (target: within 2x). A forge server is up the whole time and
// must see zero requests (detection is local only). The records are written straight into
// the profile's SQLite store.
import {execFileSync} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {DatabaseSync} from 'node:sqlite';
import {ms, node, printTable, ratio, timeCommand, timeInTurns} from './lib.mjs';

const {startForgeServer} = await import('../test/support/forge-server.ts');

const cli = path.resolve('dist/cli.js');
const root = mkdtempSync(path.join(tmpdir(), 'berth-bench-detect-'));
const configDir = path.join(root, 'config');
const env = {...process.env, BERTH_CONFIG_DIR: configDir, NO_COLOR: '1'};
timeCommand(node, [cli, 'status'], {env, runs: 1, warmup: 0}); // creates profile `default`

const count = 1000;
const forge = await startForgeServer();
const db = new DatabaseSync(path.join(configDir, 'profiles', 'default.db'));
const insert = db.prepare('INSERT INTO records (collection, key, data) VALUES (?, ?, ?)');
db.exec('BEGIN');
for (let i = 0; i < count; i++) {
  const name = `repo-${String(i).padStart(4, '0')}`;
  const record = {
    id: randomUUID(),
    name,
    type: i % 2 ? 'gitlab' : 'github',
    host: i % 2 ? 'gitlab.com' : 'github.com',
    path: i % 2 ? `group-${i}/sub/project-${i}` : `owner-${i}/repo-${i}`,
    apiUrl: forge.url,
    token: null,
    visibility: 'public',
    defaultBranch: 'main',
    providerId: String(i),
    createdAt: new Date().toISOString(),
  };
  insert.run('repositories', name, JSON.stringify(record));
}
db.exec('COMMIT');
db.close();

// A checkout of the last one registered (the worst case for a linear scan), with two remotes.
const checkout = path.join(root, 'checkout');
mkdirSync(checkout);
const git = (...args) =>
  execFileSync('git', args, {
    cwd: checkout,
    stdio: 'ignore',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  });
git('init', '-q', '-b', 'main');
writeFileSync(path.join(checkout, 'train.py'), 'print(1)\n');
git('add', '.');
git('commit', '-qm', 'x');
git('remote', 'add', 'fork', 'git@github.com:someone/fork.git');
git(
  'remote',
  'add',
  'origin',
  `https://gitlab.com/group-${count - 1}/sub/project-${count - 1}.git`,
);

const check = JSON.parse(
  execFileSync(node, [cli, 'repo', 'detect', '--json'], {cwd: checkout, env, encoding: 'utf8'}),
);
if (check.repository !== `repo-${String(count - 1).padStart(4, '0')}`)
  throw new Error(`detect found ${check.repository}`);
forge.reset();

// In turns: a load change during the run moves every row alike.
const [baseline, detect, status] = timeInTurns([
  {command: node, args: ['-e', '0'], env},
  {command: node, args: [cli, 'repo', 'detect', '--json'], env, cwd: checkout},
  {command: node, args: [cli, 'status', '--json'], env, cwd: checkout},
]);
// The server shares this process: let it handle anything that reached it while we were blocked.
await new Promise((resolve) => setImmediate(resolve));
await new Promise((resolve) => setTimeout(resolve, 100));
const requests = forge.requests.length;
await forge.close();
printTable(
  `repo detect with ${count} registered repositories (median of 15, in turns, Node ${process.version})`,
  ['command', 'median', 'vs node -e 0', 'target', 'network requests'],
  [
    ['node -e 0 (baseline)', ms(baseline), '1.00x', '', '-'],
    ['berth repo detect --json', ms(detect), ratio(detect, baseline), '2x', String(requests)],
    ['berth status --json', ms(status), ratio(status, baseline), '2x', String(requests)],
  ],
);
if (requests !== 0) {
  console.error(`detection made ${requests} network requests; it must make none`);
  process.exitCode = 1;
}
