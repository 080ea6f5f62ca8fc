// The TUI's speed as a person feels it, in a real pseudo-terminal:
// 1. time to first frame of `berth` (home with the active stack drawn) vs `node -e 0` in the
//    same pty, median of N, interleaved so both see the same machine state;
// 2. keystroke-to-frame latency of the stack switcher's filter with 500 stacks: a key is
//    written, the clock stops when the frame showing the new query arrives.
// Targets: first frame within 3x of bare Node; filtering under 16 ms per keystroke.
import {build} from 'esbuild';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
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

async function filterLatencies() {
  const session = spawn([cli], repository);
  await waitFor(session, (text) => /Stack\s+\S+ \(local\)/.test(text));
  session.child.write('s');
  await waitFor(session, (text) =>
    new RegExp(`Filter: ▏ ${stackCount + 1}/${stackCount + 1}`).test(text),
  );
  const samples = [];
  // Realistic queries: narrowing, a `-` and a `.`, then erasing back.
  const keys = [...'vision-gpu.1', ...'\u007f'.repeat(6), ...'nlp-cpu.0'];
  let query = '';
  for (const key of keys) {
    query = key === '\u007f' ? query.slice(0, -1) : query + key;
    // Let the previous frame settle so each sample is one keystroke, as typed by a person.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const from = session.output.length;
    const expected = `Filter: ${query}▏`;
    const started = performance.now();
    session.child.write(key);
    const drawn = await waitFor(session, (text) => text.includes(expected), from);
    samples.push(drawn - started);
  }
  session.child.write('\u0003');
  await session.exit;
  return samples;
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

  const latencies = await filterLatencies();
  const sorted = [...latencies].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
  printTable(
    `Stack switcher filter, keystroke to frame (${stackCount} stacks, ${latencies.length} keys)`,
    ['statistic', 'latency', 'target'],
    [
      ['median', ms(median(latencies)), '16 ms'],
      ['p95', ms(p95), ''],
      ['max', ms(sorted[sorted.length - 1]), ''],
    ],
  );
} finally {
  rmSync(work, {recursive: true, force: true});
}
