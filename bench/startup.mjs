// Start-up of plain commands against bare Node in the same run.
// Targets: --version within 1.5x of `node -e 0`; `stack list --json` within 2x; the two things
// a shell runs on every line, `status --prompt` (inside a berth repository) within 1.5x and
// `__complete` (a Tab after `berth stack set `) within the 2x of plain commands.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {ms, node, printTable, ratio, timeCommand} from './lib.mjs';

const cli = path.resolve('dist/cli.js');
const configDir = mkdtempSync(path.join(tmpdir(), 'berth-bench-'));
const env = {...process.env, BERTH_CONFIG_DIR: configDir, NO_COLOR: '1'};
timeCommand(node, [cli, 'status'], {env, runs: 1, warmup: 0}); // first run creates the default profile
// A project with its own .berth/config.yaml and stack, as a prompt sees it.
const project = mkdtempSync(path.join(tmpdir(), 'berth-bench-project-'));
timeCommand(node, [cli, 'stack', 'register', 'gpu'], {env, runs: 1, warmup: 0});
timeCommand(node, [cli, 'init'], {env, cwd: project, runs: 1, warmup: 0});
timeCommand(node, [cli, 'stack', 'set', 'gpu'], {env, cwd: project, runs: 1, warmup: 0});

const baseline = timeCommand(node, ['-e', '0'], {env});
const cases = [
  ['berth --version', ['--version'], 1.5],
  ['berth stack list --json', ['stack', 'list', '--json'], 2],
  // status also reads this checkout (one `git status`; remotes and refs from .git's files).
  ['berth status (in a git checkout)', ['status'], 2],
  ['berth status --prompt (in a berth repository)', ['status', '--prompt'], 1.5, project],
  [
    "berth __complete stack set '' (stack names from the store)",
    ['__complete', 'stack', 'set', ''],
    2,
  ],
];
const rows = [['node -e 0 (baseline)', ms(baseline), '1.00x', '']];
for (const [label, args, target, cwd] of cases) {
  const time = timeCommand(node, [cli, ...args], {env, cwd});
  rows.push([label, ms(time), ratio(time, baseline), target ? `${target}x` : '—']);
}
// What an installed berth runs: the bin (old-Node-safe check) loading dist/cli.js.
const bin = timeCommand(node, [path.resolve('bin/berth.cjs'), '--version'], {env});
rows.push(['berth --version via bin/berth.cjs', ms(bin), ratio(bin, baseline), '1.5x']);
printTable(
  'startup (median of 15, Node ' + process.version + ')',
  ['command', 'median', 'vs node -e 0', 'target'],
  rows,
);
