// Start-up of plain commands against bare Node in the same run.
// Targets: --version within 1.5x of `node -e 0`; `stack list --json` within 2x; the two things
// a shell runs on every line, `status --prompt` (inside a berth repository) within 1.5x and
// `__complete` (a Tab after `berth stack set `) within the 2x of plain commands.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {ms, node, printTable, ratio, timeCommand, timeInTurns} from './lib.mjs';

const cli = path.resolve('dist/cli.js');
const configDir = mkdtempSync(path.join(tmpdir(), 'berth-bench-'));
const env = {...process.env, BERTH_CONFIG_DIR: configDir, NO_COLOR: '1'};
timeCommand(node, [cli, 'status'], {env, runs: 1, warmup: 0}); // first run creates the default profile
// A project with its own .berth/config.yaml and stack, as a prompt sees it.
const project = mkdtempSync(path.join(tmpdir(), 'berth-bench-project-'));
timeCommand(node, [cli, 'stack', 'register', 'gpu'], {env, runs: 1, warmup: 0});
timeCommand(node, [cli, 'init'], {env, cwd: project, runs: 1, warmup: 0});
timeCommand(node, [cli, 'stack', 'set', 'gpu'], {env, cwd: project, runs: 1, warmup: 0});

// The least any Node program file costs (the ESM loader reading one empty module).
const empty = path.join(project, 'empty.mjs');
writeFileSync(empty, '');
const cases = [
  ['node -e 0 (baseline)', ['-e', '0'], undefined],
  ['node empty.mjs (an empty program file)', [empty], undefined],
  ['berth --version', [cli, '--version'], 1.5],
  ['berth stack list --json', [cli, 'stack', 'list', '--json'], 2],
  // status also reads this checkout (one `git status`; remotes and refs from .git's files).
  ['berth status (in a git checkout)', [cli, 'status'], 2],
  ['berth status --prompt (in a berth repository)', [cli, 'status', '--prompt'], 1.5, project],
  [
    "berth __complete stack set '' (stack names from the store)",
    [cli, '__complete', 'stack', 'set', ''],
    2,
  ],
  // What an installed berth runs: the bin (old-Node-safe check) loading dist/cli.js.
  ['berth --version via bin/berth.cjs', [path.resolve('bin/berth.cjs'), '--version'], 1.5],
];
// In turns: a load change during the run moves every row alike.
const times = timeInTurns(cases.map(([, args, , cwd]) => ({command: node, args, env, cwd})));
const rows = cases.map(([label, , target], index) => [
  label,
  ms(times[index]),
  ratio(times[index], times[0]),
  target ? `${target}x` : '',
]);
printTable(
  'startup (median of 15, in turns, Node ' + process.version + ')',
  ['command', 'median', 'vs node -e 0', 'target'],
  rows,
);
