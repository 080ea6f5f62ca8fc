// The publish pane under a flood of build output, headless but with real Ink: 100,000
// synthetic 80-char lines across 10 steps are pushed through runPublishPane into a fake TTY
// (120x40) that counts the bytes Ink writes. Baseline: the naive Ink log view, one <Text> per
// line in a Box, capped at 10,000 lines and a time limit (ENVIRONMENT.md: 40 s for 10k lines).
// Each case runs in its own process so peak RSS is its own.
//
// Targets: >= 50,000 lines/s ingested; bytes per frame bounded by the screen size (120x40);
// memory flat in log size (peak RSS at 10k vs 100k vs 1M lines).
import {build} from 'esbuild';
import {spawnSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {PassThrough, Writable} from 'node:stream';
import {pathToFileURL} from 'node:url';
import {node, printTable} from './lib.mjs';

const bundle = path.resolve('dist/bench/log-pane.js');
const columns = 120;
const rows = 40;
const chunk = 1000;
const baselineLimitMs = Number(process.env.BENCH_BASELINE_MS ?? 30_000);

function fakeTerminal() {
  let bytes = 0;
  let writes = 0;
  const stdout = new Writable({
    write(data, _encoding, callback) {
      bytes += data.length;
      writes++;
      callback();
    },
  });
  Object.assign(stdout, {isTTY: true, columns, rows});
  const stdin = new PassThrough();
  Object.assign(stdin, {
    isTTY: true,
    setRawMode: () => stdin,
    ref: () => stdin,
    unref: () => stdin,
  });
  return {stdout, stdin, stats: () => ({bytes, writes})};
}

function syntheticLine(i) {
  return `#${String(i).padStart(6, '0')} ${'Collecting package-with-a-long-name==1.2.3 from index ... building wheel'.padEnd(72, '.')}`.slice(
    0,
    80,
  );
}

async function sampleRss(work) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    return {...result, peakRss: Math.max(peak, process.memoryUsage().rss)};
  } finally {
    clearInterval(timer);
  }
}

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

async function runPane(lines) {
  const {runPublishPane} = await import(pathToFileURL(bundle).href);
  const terminal = fakeTerminal();
  let frames = 0;
  let largestFrame = 0;
  let lastBytes = 0;
  const pane = await runPublishPane({
    title: 'bench',
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    stderr: terminal.stdout,
    color: false,
    onRender: () => {
      frames++;
      const {bytes} = terminal.stats();
      largestFrame = Math.max(largestFrame, bytes - lastBytes);
      lastBytes = bytes;
    },
  });
  const steps = 10;
  const perStep = Math.ceil(lines / steps);
  const started = performance.now();
  let at = Date.now();
  pane.push({type: 'state', state: 'building', at});
  let pushed = 0;
  for (let step = 1; step <= steps && pushed < lines; step++) {
    pane.push({
      type: 'step-start',
      index: step,
      total: steps,
      instruction: `RUN make step-${step}`,
      at: (at += 1),
    });
    for (let i = 0; i < perStep && pushed < lines; i++) {
      pane.push({type: 'log', line: syntheticLine(pushed), step});
      pushed++;
      if (pushed % chunk === 0) await yieldToLoop();
    }
    pane.push({type: 'step-end', index: step, at: (at += 1)});
  }
  const ingestMs = performance.now() - started;
  pane.push({type: 'state', state: 'published', at: at + 1});
  await pane.done({wait: false});
  const totalMs = performance.now() - started;
  const {bytes} = terminal.stats();
  return {lines: pushed, ingestMs, totalMs, bytes, frames, largestFrame};
}

async function runNaive(lines) {
  const {render, Box, Text, createElement, useEffect, useState} = await import(
    pathToFileURL(bundle).href
  );
  const terminal = fakeTerminal();
  const log = [];
  let update = () => {};
  function NaiveLog() {
    const [, setCount] = useState(0);
    useEffect(() => {
      update = () => setCount(log.length);
    }, []);
    return createElement(
      Box,
      {flexDirection: 'column'},
      ...log.map((line, index) => createElement(Text, {key: index}, line)),
    );
  }
  let frames = 0;
  let largestFrame = 0;
  let lastBytes = 0;
  const instance = render(createElement(NaiveLog), {
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    stderr: terminal.stdout,
    interactive: true,
    exitOnCtrlC: false,
    patchConsole: false,
    onRender: () => {
      frames++;
      const {bytes} = terminal.stats();
      largestFrame = Math.max(largestFrame, bytes - lastBytes);
      lastBytes = bytes;
    },
  });
  const started = performance.now();
  let pushed = 0;
  // Lines arrive in the same chunks as for the pane; the naive view re-renders per chunk.
  while (pushed < lines && performance.now() - started < baselineLimitMs) {
    for (let i = 0; i < chunk && pushed < lines; i++) log.push(syntheticLine(pushed++));
    update();
    await yieldToLoop();
    await instance.waitUntilRenderFlush?.();
  }
  const ingestMs = performance.now() - started;
  instance.unmount();
  await instance.waitUntilExit().catch(() => undefined);
  const {bytes} = terminal.stats();
  return {
    lines: pushed,
    ingestMs,
    totalMs: performance.now() - started,
    bytes,
    frames,
    largestFrame,
  };
}

async function child(kind, lines) {
  const result = await sampleRss(() => (kind === 'pane' ? runPane(lines) : runNaive(lines)));
  process.send ? process.send(result) : process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function bundlePane() {
  mkdirSync(path.dirname(bundle), {recursive: true});
  await build({
    stdin: {
      contents: `export {runPublishPane} from './source/screens/publish-pane.tsx';
        export {render, Box, Text} from 'ink';
        export {createElement, useEffect, useState} from 'react';`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    jsx: 'automatic',
    logLevel: 'warning',
    define: {'process.env.NODE_ENV': '"production"'},
    alias: {'react-devtools-core': './source/lib/stubs/react-devtools-core.js'},
    external: ['@napi-rs/keyring', 'dockerode', 'ssh2', 'cpu-features', 'pg-native', 'pg'],
    banner: {
      js: "import {createRequire as __benchRequire} from 'node:module'; const require = __benchRequire(import.meta.url);",
    },
  });
}

function measure(kind, lines) {
  const result = spawnSync(
    node,
    [path.resolve('bench/log-pane.mjs'), '--case', kind, String(lines)],
    {
      encoding: 'utf8',
      env: {...process.env, CI: '', NO_COLOR: '1'},
      maxBuffer: 16 * 1024 * 1024,
      timeout: baselineLimitMs + 120_000,
    },
  );
  if (result.status !== 0) throw new Error(`bench case ${kind} ${lines} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const caseIndex = process.argv.indexOf('--case');
if (caseIndex > 0) {
  await child(process.argv[caseIndex + 1], Number(process.argv[caseIndex + 2]));
  process.exit(0);
}

await bundlePane();
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const row = (label, r) => [
  label,
  r.lines.toLocaleString('en'),
  `${(r.ingestMs / 1000).toFixed(2)} s`,
  Math.round(r.lines / (r.ingestMs / 1000)).toLocaleString('en'),
  kib(r.bytes),
  (r.bytes / r.lines).toFixed(1),
  String(r.frames),
  kib(r.largestFrame),
  mib(r.peakRss),
];
const pane10k = measure('pane', 10_000);
const pane100k = measure('pane', 100_000);
const pane1m = measure('pane', 1_000_000);
const naive = measure('naive', 10_000);
printTable(
  `Publish log pane: lines through real Ink into a ${columns}x${rows} fake TTY`,
  [
    'view',
    'lines',
    'time',
    'lines/s',
    'bytes to terminal',
    'bytes/line',
    'frames',
    'largest frame',
    'peak RSS',
  ],
  [
    row('pane (tail window, 10 fps)', pane10k),
    row('pane (tail window, 10 fps)', pane100k),
    row('pane (tail window, 10 fps)', pane1m),
    row(
      `naive: every line a <Text>${naive.lines < 10_000 ? ` (stopped at ${baselineLimitMs / 1000} s)` : ''}`,
      naive,
    ),
  ],
);
const speedup =
  pane100k.lines / (pane100k.ingestMs / 1000) / (naive.lines / (naive.ingestMs / 1000));
const screenBytes = columns * rows * 4;
console.log(
  `\nIngest: pane ${speedup.toFixed(0)}x the naive view's lines/s (100k vs ${naive.lines.toLocaleString('en')} lines).`,
);
console.log(
  `Largest pane frame ${kib(pane100k.largestFrame)} vs a full screen of ${kib(screenBytes)} (4 bytes per cell); peak RSS ${mib(pane10k.peakRss)} at 10k lines, ${mib(pane100k.peakRss)} at 100k, ${mib(pane1m.peakRss)} at 1M.`,
);
const ok =
  pane100k.lines / (pane100k.ingestMs / 1000) >= 50_000 &&
  pane100k.largestFrame <= screenBytes &&
  pane100k.peakRss < pane10k.peakRss * 1.5 &&
  pane1m.peakRss < pane100k.peakRss * 1.5;
console.log(ok ? 'Targets met.' : 'Targets NOT met.');
process.exitCode = ok ? 0 : 1;
