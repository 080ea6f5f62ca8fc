// The TUI's speed as a person feels it, in a real pseudo-terminal:
// 1. time to first frame of `berth` (home with the active stack drawn) vs `node -e 0` in the
//    same pty, median of N, interleaved so both see the same machine state;
// 2. keystroke-to-frame latency of the stack switcher with 500 stacks, over some 300 keys
//    (queries typed and erased, arrows through the matches): a key is written, the clock stops
//    when the frame showing its effect (the new query, the newly highlighted stack) arrives.
// Targets: first frame within 3x of bare Node; the switcher's p99 under 16 ms per keystroke.
import {build} from 'esbuild';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {median, ms, node, printTable, ratio} from './lib.mjs';

const require = createRequire(import.meta.url);
const pty = require('@homebridge/node-pty-prebuilt-multiarch');

const runs = Number(process.env.BENCH_RUNS ?? 15);
const stackCount = 500;
const cli = path.resolve('dist/cli.js');
const work = mkdtempSync(path.join(tmpdir(), 'berth-bench-tui-'));
const configDir = path.join(work, 'config');
const repository = path.join(work, 'repo');
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'C.UTF-8',
  TERM: 'xterm-256color',
  BERTH_CONFIG_DIR: configDir,
  NO_COLOR: '1',
};
const strip = (text) =>
  text.replace(
    // eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
    /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(\u0007|\u001b\\)|\u001b[()][A-Z0-9]|\u001b[=>78]/g,
    '',
  );

/** Registers the stacks straight through the stacks service (500 CLI processes would take a minute). */
async function seedStacks() {
  execFileSync('git', ['init', '-q', repository]);
  execFileSync(node, [cli, 'init'], {cwd: repository, env, stdio: 'ignore'});
  const seeder = path.join(work, 'seed.mjs');
  await build({
    stdin: {
      contents: `
        import {createDeps} from './source/deps.ts';
        import {registerStack} from './source/services/stacks.ts';
        const deps = createDeps({cwd: ${JSON.stringify(repository)}});
        for (let i = 0; i < ${stackCount}; i++) {
          const team = ['vision', 'nlp', 'speech', 'tabular', 'rl'][i % 5];
          await registerStack(deps, {name: team + '-' + (i % 2 ? 'gpu' : 'cpu') + '.' + String(i).padStart(3, '0'), components: {}});
        }
        await deps.close();`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: seeder,
    logLevel: 'warning',
    banner: {
      js: "import {createRequire as __seedRequire} from 'node:module'; const require = __seedRequire(import.meta.url);",
    },
  });
  execFileSync(node, [seeder], {env: {...env}, stdio: 'inherit'});
}

function spawn(args, cwd) {
  const child = pty.spawn(node, args, {name: 'xterm-256color', cols: 100, rows: 30, cwd, env});
  const session = {child, output: '', exited: false, waiters: new Set()};
  child.onData((data) => {
    session.output += data;
    for (const waiter of session.waiters) waiter();
  });
  session.exit = new Promise((resolve) =>
    child.onExit(({exitCode}) => {
      session.exited = true;
      for (const waiter of session.waiters) waiter();
      resolve(exitCode);
    }),
  );
  return session;
}

function waitFor(session, test, from = 0, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (test(strip(session.output.slice(from)))) {
        clearTimeout(timer);
        session.waiters.delete(check);
        resolve(performance.now());
      } else if (session.exited) {
        clearTimeout(timer);
        session.waiters.delete(check);
        reject(
          new Error(`exited before the frame arrived:\n${strip(session.output).slice(-1500)}`),
        );
      }
    };
    const timer = setTimeout(() => {
      session.waiters.delete(check);
      reject(new Error(`timed out; screen:\n${strip(session.output).slice(-1500)}`));
    }, timeoutMs);
    session.waiters.add(check);
    check();
  });
}

async function timeBareNode() {
  const started = performance.now();
  const session = spawn(['-e', '0'], repository);
  await session.exit;
  return performance.now() - started;
}

async function timeFirstFrame() {
  const started = performance.now();
  const session = spawn([cli], repository);
  const firstByte = await waitFor(session, (text) => text.length > 0);
  const home = await waitFor(session, (text) => /Stack\s+\S+ \(local\)/.test(text));
  session.child.write('q');
  await session.exit;
  return {firstByte: firstByte - started, home: home - started};
}

/** The stack names as the switcher lists them (sorted), the seeded ones and `default`. */
function stackNames() {
  const names = ['default'];
  for (let i = 0; i < stackCount; i++) {
    const team = ['vision', 'nlp', 'speech', 'tabular', 'rl'][i % 5];
    names.push(`${team}-${i % 2 ? 'gpu' : 'cpu'}.${String(i).padStart(3, '0')}`);
  }
  return names.sort((a, b) => a.localeCompare(b));
}

const up = '\u001b[A';
const down = '\u001b[B';
const backspace = '\u007f';

/**
 * What a person does in the switcher, key by key, with the frame each key must produce: a query
 * typed, the cursor moved down and up through the matches, the query erased; for several
 * queries (narrowing, `-` and `.`, no match at all). Each step is [key, text the frame shows].
 */
function switcherSession(names, current) {
  const queries = [
    'vision-gpu.1',
    'nlp-cpu.0',
    'speech',
    'tabular-gpu.2',
    'rl-cpu.4',
    '.05',
    'gpu.3',
    'cpu',
    'vision-x',
    'nlp-gpu.0',
    'tabular',
    'speech-cpu.1',
    'rl',
    '-gpu.4',
  ];
  const steps = [];
  let query = '';
  let cursor = names.indexOf(current);
  const matches = () => names.filter((name) => name.toLowerCase().includes(query.toLowerCase()));
  const press = (key) => {
    if (key === backspace) query = query.slice(0, -1);
    else if (key === up || key === down) {
      const count = matches().length;
      const moved = Math.min(Math.max(cursor + (key === down ? 1 : -1), 0), count - 1);
      if (count === 0 || moved === cursor) return; // nothing to move to: nothing to draw
      cursor = moved;
      steps.push([key, `› ${matches()[cursor]}`]);
      return;
    } else query += key;
    cursor = 0;
    steps.push([key, `Filter: ${query}▏`]);
  };
  for (const next of queries) {
    for (const character of next) press(character);
    for (let i = 0; i < 6; i++) press(down);
    for (let i = 0; i < 3; i++) press(up);
    while (query !== '') press(backspace);
    for (let i = 0; i < 2; i++) press(down);
  }
  return steps;
}

async function filterLatencies() {
  const session = spawn([cli], repository);
  await waitFor(session, (text) => /Stack\s+\S+ \(local\)/.test(text));
  session.child.write('s');
  await waitFor(session, (text) =>
    new RegExp(`Filter: ▏ ${stackCount + 1}/${stackCount + 1}`).test(text),
  );
  const samples = [];
  const steps = switcherSession(stackNames(), 'default');
  const cpuBefore = cpuTimeOf(session.child.pid);
  for (const [key, expected] of steps) {
    // Let the previous frame settle so each sample is one keystroke, as typed by a person.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const from = session.output.length;
    const started = performance.now();
    session.child.write(key);
    const drawn = await waitFor(session, (text) => text.includes(expected), from);
    samples.push(drawn - started);
  }
  const cpuAfter = cpuTimeOf(session.child.pid);
  session.child.write('\u0003');
  await session.exit;
  const cpuPerKey =
    cpuBefore === undefined || cpuAfter === undefined
      ? undefined
      : (cpuAfter - cpuBefore) / steps.length;
  return {samples, cpuPerKey};
}

/**
 * CPU time (user + system, ms) a process has used, from /proc (Linux); undefined elsewhere.
 * Unlike latency it hardly moves with the machine's load: what berth itself spends per key.
 */
function cpuTimeOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    const hertz = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'})) || 100;
    return (ticks * 1000) / hertz;
  } catch {
    return undefined;
  }
}

/** The nearest-rank percentile. */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
}

try {
  await seedStacks();
  // Warm the compile cache and the page cache once, as any second start would be.
  await timeFirstFrame();
  await timeBareNode();
  const bare = [];
  const firstByte = [];
  const home = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await timeBareNode());
    const frame = await timeFirstFrame();
    firstByte.push(frame.firstByte);
    home.push(frame.home);
  }
  const baseline = median(bare);
  printTable(
    `TUI first frame in a pty (median of ${runs}, Node ${process.version}, ${stackCount} stacks in the store)`,
    ['what', 'median', 'vs node -e 0', 'target'],
    [
      ['node -e 0 (start to exit)', ms(baseline), '1.00x', ''],
      [
        'berth: first byte on the terminal',
        ms(median(firstByte)),
        ratio(median(firstByte), baseline),
        '',
      ],
      [
        'berth: home drawn with the active stack',
        ms(median(home)),
        ratio(median(home), baseline),
        '3x',
      ],
    ],
  );

  const {samples: latencies, cpuPerKey} = await filterLatencies();
  const sorted = [...latencies].sort((a, b) => a - b);
  printTable(
    `Stack switcher, keystroke to frame (${stackCount} stacks, ${latencies.length} keys: typing, backspace, arrows)`,
    ['statistic', 'latency', 'target'],
    [
      ['median', ms(median(latencies)), ''],
      ['p95', ms(percentile(sorted, 0.95)), ''],
      ['p99', ms(percentile(sorted, 0.99)), '16 ms'],
      ['max', ms(sorted[sorted.length - 1]), ''],
      ['berth CPU time per key (user + system)', cpuPerKey === undefined ? '-' : ms(cpuPerKey), ''],
    ],
  );
} finally {
  rmSync(work, {recursive: true, force: true});
}
