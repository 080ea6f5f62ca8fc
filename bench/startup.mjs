// Start-up of plain commands against bare Node in the same run.
// Targets: --version within 1.5x of `node -e 0`; `stack list --json` within 2x.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {ms, node, printTable, ratio, timeCommand} from './lib.mjs';

const cli = path.resolve('dist/cli.js');
const configDir = mkdtempSync(path.join(tmpdir(), 'berth-bench-'));
const env = {...process.env, BERTH_CONFIG_DIR: configDir, NO_COLOR: '1'};
timeCommand(node, [cli, 'status'], {env, runs: 1, warmup: 0}); // first run creates the default profile

const baseline = timeCommand(node, ['-e', '0'], {env});
const cases = [
  ['berth --version', ['--version'], 1.5],
  ['berth stack list --json', ['stack', 'list', '--json'], 2],
  // status also reads this checkout with git (4 git processes) to show the code reference.
  ['berth status (in a git checkout)', ['status'], null],
];
const rows = [['node -e 0 (baseline)', ms(baseline), '1.00x', '']];
for (const [label, args, target] of cases) {
  const time = timeCommand(node, [cli, ...args], {env});
  rows.push([label, ms(time), ratio(time, baseline), target ? `${target}x` : '—']);
}
printTable(
  'startup (median of 15, Node ' + process.version + ')',
  ['command', 'median', 'vs node -e 0', 'target'],
  rows,
);
