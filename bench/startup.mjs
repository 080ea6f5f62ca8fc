// Start-up of plain commands against bare Node in the same run.
// Targets: --version within 1.5x of `node -e 0`; `stack list --json` within 2x; the two things
// a shell runs on every line, `status --prompt` (inside a berth repository) within 1.5x and
// `__complete` (a Tab after `berth stack set `) within the 2x of plain commands.
// The prompt snippet (`berth status --prompt --init bash`) keeps the line in the shell: a redraw
// with nothing changed is timed inside bash, per redraw, against a bare bash function; the
// issue's target is 50 ms a prompt.
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {median, ms, node, printTable, ratio, timeCommand, timeInTurns} from './lib.mjs';

const us = (milliseconds) => `${(milliseconds * 1000).toFixed(0)} µs`;
const fraction = (value, baseline) => `${(value / baseline).toFixed(4)}x`;

const cli = path.resolve('dist/cli.js');
const configDir = mkdtempSync(path.join(tmpdir(), 'berth-bench-'));
const env = {...process.env, BERTH_CONFIG_DIR: configDir, NO_COLOR: '1'};
timeCommand(node, [cli, 'status'], {env, runs: 1, warmup: 0}); // first run creates the default profile
// This checkout as the person who runs the bench has it: a fresh clone's index holds every file
// as written in the second it was (git cannot tell them from files changed since, so each
// `git status` reads them all, 3 ms becoming 11 here) until a git command refreshes the index.
// berth leaves that to git (GIT_OPTIONAL_LOCKS=0: it never takes the index's lock), and so
// does the first `git status` its user runs.
spawnSync('git', ['status', '--porcelain'], {stdio: 'ignore'});
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
  // What the snippet runs when something changed: the line and the files that decided it.
  [
    'berth status --prompt --with-inputs (the snippet, after a change)',
    [cli, 'status', '--prompt', '--with-inputs'],
    1.5,
    project,
  ],
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

// The snippet in bash, in the project: one redraw loads the line (berth starts once), then
// `redraws` redraws with nothing changed, each what bash runs before drawing PS1. `berth` on PATH
// counts its starts: none may happen during the timed redraws.
const bin = mkdtempSync(path.join(tmpdir(), 'berth-bench-bin-'));
const starts = path.join(bin, 'starts');
writeFileSync(
  path.join(bin, 'berth'),
  `#!/bin/sh\necho start >> '${starts}'\nexec '${node}' '${cli}' "$@"\n`,
);
chmodSync(path.join(bin, 'berth'), 0o755);
const redraws = 1000;
const loop = (body) =>
  `s=$EPOCHREALTIME; for ((i = 0; i < ${redraws}; i++)); do ${body}; done; e=$EPOCHREALTIME; echo $(( (\${e/./} - \${s/./}) ))`;
const script = [
  'eval "$(berth status --prompt --init bash)"',
  // Twice: a first prompt in the clock tick of the stamps folder's creation asks once more.
  'eval "$PROMPT_COMMAND"; eval "$PROMPT_COMMAND"',
  '[[ -n $berth_prompt ]] || exit 3',
  'echo start-of-redraws >> "$STARTS"',
  loop('eval "$PROMPT_COMMAND"'),
  'echo end-of-redraws >> "$STARTS"',
  // The least a prompt hook costs: a function that keeps $? and returns.
  'bare() { local code=$?; return $code; }',
  'PROMPT_COMMAND=bare',
  loop('eval "$PROMPT_COMMAND"'),
].join('\n');
const cached = [];
const bare = [];
for (let run = 0; run < 15; run++) {
  const result = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
    cwd: project,
    env: {...env, PATH: `${bin}:${process.env.PATH}`, STARTS: starts},
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the prompt snippet failed: ${result.stderr}`);
  const [snippet, function_] = result.stdout.trim().split('\n').map(Number);
  cached.push(snippet / redraws / 1000);
  bare.push(function_ / redraws / 1000);
}
// Between the markers of every run: no start of berth.
const during = readFileSync(starts, 'utf8').split('start-of-redraws\n').slice(1);
if (during.length !== 15 || during.some((chunk) => !chunk.startsWith('end-of-redraws\n')))
  throw new Error('berth started during redraws with nothing changed');
printTable(
  `prompt redraw with nothing changed (bash ${bashVersion()}, median of 15 runs of ${redraws} redraws)`,
  ['what', 'per redraw', 'vs bare bash function', 'vs node -e 0', 'target'],
  [
    [
      'bare bash function (baseline)',
      us(median(bare)),
      '1.00x',
      fraction(median(bare), times[0]),
      '',
    ],
    [
      'the snippet, cached (`eval "$(berth status --prompt --init bash)"`)',
      us(median(cached)),
      ratio(median(cached), median(bare)),
      fraction(median(cached), times[0]),
      '50 ms',
    ],
  ],
);

function bashVersion() {
  return spawnSync('bash', ['-c', 'echo ${BASH_VERSION%%(*}'], {encoding: 'utf8'}).stdout.trim();
}
