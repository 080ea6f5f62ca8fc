// The log vault with a 1,000,000-line log: written once into a SQLite profile store, then opened
// in the real TUI log viewer (Ink, a 120x40 fake TTY fed keys on stdin) — open, page down, jump
// to the end, search for a line near the end, search for a word that is nowhere — each timed
// from the key to the frame that shows its result, in one process whose peak RSS is measured.
// Baseline: GNU grep on the same log as a plain file (the same searches), with its own peak RSS.
import {build} from 'esbuild';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {PassThrough, Writable} from 'node:stream';
import {pathToFileURL} from 'node:url';
import {node, printTable, ms, ratio} from './lib.mjs';

const bundle = path.resolve('dist/bench/log-vault.js');
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const NEEDLE_AT = Math.floor(LINES * 0.987654);
const columns = 120;
const rows = 40;

const lineOf = (i) =>
  i === NEEDLE_AT
    ? `#${String(i).padStart(7, '0')} NEEDLE found the rare line`
    : `#${String(i).padStart(7, '0')} ${'step output: Collecting package==1.2.3 from the wheel index, building...'.padEnd(70, '.')}`;

async function bundleVault() {
  mkdirSync(path.dirname(bundle), {recursive: true});
  await build({
    stdin: {
      contents: `export {LogVaultReader, LogVaultWriter} from './source/services/log-vault.ts';
        export {openSqliteStore} from './source/store/sqlite-store.ts';
        export {runLogViewer} from './source/screens/log-viewer.tsx';`,
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
    banner: {
      js: "import {createRequire as __benchRequire} from 'node:module'; const require = __benchRequire(import.meta.url);",
    },
  });
}

async function write(db) {
  const {openSqliteStore, LogVaultWriter} = await import(pathToFileURL(bundle).href);
  const store = await openSqliteStore(db);
  const started = performance.now();
  const writer = new LogVaultWriter(store, 'publish/bench@1', {
    kind: 'publish',
    subject: 'bench@1',
  });
  for (let i = 0; i < LINES; i++) writer.line(lineOf(i));
  await writer.close();
  const elapsed = performance.now() - started;
  const record = await store.collection('logs').get('publish/bench@1');
  await store.close();
  return {ms: elapsed, chunks: record.chunks.length, bytes: record.bytes};
}

async function view(db) {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const {openSqliteStore, LogVaultReader, runLogViewer} = await import(pathToFileURL(bundle).href);
  let text = '';
  const stdout = new Writable({
    write(data, _encoding, callback) {
      text += data.toString();
      if (text.length > 1 << 20) text = text.slice(-(1 << 19));
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
  const waitFor = async (needle, since) => {
    const deadline = Date.now() + 60_000;
    while (!text.slice(since).includes(needle)) {
      if (Date.now() > deadline)
        throw new Error(
          `no frame with "${needle}": ${JSON.stringify(text.slice(-200))} ${JSON.stringify((/lines [^\n]*/g.exec(text.slice(since)) ?? [''])[0])}`,
        );
      await new Promise((resolve) => setImmediate(resolve));
    }
    return performance.now();
  };
  const results = {};
  const open0 = performance.now();
  const store = await openSqliteStore(db);
  const reader = await LogVaultReader.open(store, 'publish/bench@1');
  const closed = runLogViewer({title: 'bench@1', reader, stdout, stdin, env: {NO_COLOR: '1'}});
  results.open = (await waitFor('#0000000', 0)) - open0;
  const height = rows - 5;
  const key = async (keys, needle) => {
    const since = text.length;
    const started = performance.now();
    stdin.write(keys);
    return (await waitFor(needle, since)) - started;
  };
  const pages = [];
  for (let page = 1; page <= 20; page++) {
    pages.push(await key(' ', `lines ${page * height + 1}–`));
  }
  pages.sort((a, b) => a - b);
  results.pageDown = pages[Math.floor(pages.length / 2)];
  results.end = await key('G', `lines ${LINES - height + 1}–${LINES}`);
  await key('g', 'lines 1–');
  await key('/', '/');
  for (const c of 'NEEDLE') await key(c, c);
  results.search = await key('\r', `lines ${NEEDLE_AT - Math.floor(height / 3) + 1}–`);
  await key('/', '/');
  for (const c of 'nowhere') await key(c, c);
  results.searchMissing = await key('\r', 'is not in the log');
  stdin.write('q');
  await closed;
  clearInterval(sampler);
  return {...results, peakRss: Math.max(peak, process.memoryUsage().rss)};
}

function grepTimed(args) {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', 'grep', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const elapsed = performance.now() - started;
  const kib = Number(result.stderr.trim().split('\n').pop());
  return {ms: elapsed, peakRss: kib * 1024};
}

const caseIndex = process.argv.indexOf('--case');
if (caseIndex > 0) {
  const kind = process.argv[caseIndex + 1];
  const db = process.argv[caseIndex + 2];
  const result = kind === 'write' ? await write(db) : await view(db);
  console.log(JSON.stringify(result));
  process.exit(0);
}

function child(kind, db) {
  const result = spawnSync(node, [path.resolve('bench/log-vault.mjs'), '--case', kind, db], {
    encoding: 'utf8',
    env: {...process.env, CI: '', NO_COLOR: '1'},
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  if (result.status !== 0) throw new Error(`bench case ${kind} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

await bundleVault();
const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-vault-'));
try {
  const db = path.join(dir, 'profile.db');
  const written = child('write', db);
  const file = path.join(dir, 'build.log');
  const lines = [];
  for (let i = 0; i < LINES; i++) lines.push(lineOf(i));
  writeFileSync(file, `${lines.join('\n')}\n`);
  const viewed = child('view', db);
  const grepFound = grepTimed(['-n', '-m', '1', 'NEEDLE', file]);
  const grepMissing = grepTimed(['-c', 'nowhere', file]);
  const grepTail = grepTimed(['-c', '', file]);
  const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  printTable(
    `Log vault: a ${LINES.toLocaleString('en')}-line log (${mib(written.bytes)}, ${written.chunks} chunks) in the TUI viewer vs grep on the same file`,
    ['action', 'berth log viewer (key → frame)', 'grep on the file', 'ratio'],
    [
      [
        'open (first screen)',
        ms(viewed.open),
        `${ms(grepTail.ms)} (grep -c '', reads all)`,
        ratio(viewed.open, grepTail.ms),
      ],
      ['page down (median of 20)', ms(viewed.pageDown), '—', '—'],
      ['jump to the end', ms(viewed.end), '—', '—'],
      [
        `search: a line at ${NEEDLE_AT.toLocaleString('en')}`,
        ms(viewed.search),
        `${ms(grepFound.ms)} (grep -n -m1)`,
        ratio(viewed.search, grepFound.ms),
      ],
      [
        'search: a word that is nowhere',
        ms(viewed.searchMissing),
        `${ms(grepMissing.ms)} (grep -c)`,
        ratio(viewed.searchMissing, grepMissing.ms),
      ],
      [
        'peak RSS',
        mib(viewed.peakRss),
        mib(Math.max(grepFound.peakRss, grepMissing.peakRss)),
        ratio(viewed.peakRss, Math.max(grepFound.peakRss, grepMissing.peakRss)),
      ],
    ],
  );
  console.log(
    `\nWriting the log into the vault: ${(written.ms / 1000).toFixed(1)} s (${Math.round(LINES / (written.ms / 1000)).toLocaleString('en')} lines/s).`,
  );
} finally {
  rmSync(dir, {recursive: true, force: true});
}
