// Shared helpers for the benchmarks: medians of whole-process timings against a baseline
// measured in the same run, printed as a Markdown table row per case.
import {spawnSync} from 'node:child_process';
import {mkdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {performance} from 'node:perf_hooks';

export const node = process.execPath;

export function timeCommand(command, args, {runs = 15, warmup = 3, env = process.env, cwd} = {}) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const elapsed = timeOnce(command, args, {env, cwd});
    if (i >= warmup) samples.push(elapsed);
  }
  return median(samples);
}

/**
 * Medians of several commands timed in turns (baseline, a, b, baseline, a, b, …), so that a
 * change in the machine's load during the run moves every case alike and the ratios against
 * the first case hold. `cases`: [{command, args, env, cwd}].
 */
export function timeInTurns(cases, {runs = 15, warmup = 3} = {}) {
  const samples = cases.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    for (const [index, {command, args, env, cwd}] of cases.entries()) {
      const elapsed = timeOnce(command, args, {env, cwd});
      if (i >= warmup) samples[index].push(elapsed);
    }
  }
  return samples.map(median);
}

function timeOnce(command, args, {env = process.env, cwd} = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, {env, cwd, stdio: ['ignore', 'ignore', 'pipe']});
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return elapsed;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function printTable(title, headers, rows) {
  console.log(`\n### ${title}\n`);
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`| ${headers.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

export const ms = (value) => `${value.toFixed(1)} ms`;
export const ratio = (value, baseline) => `${(value / baseline).toFixed(2)}x`;

/** A test-support module (TypeScript, test/support/...), bundled so plain Node can import it. */
export async function loadTestSupport(entry) {
  const {build} = await import('esbuild');
  const outdir = path.resolve('node_modules/.cache/berth-bench');
  mkdirSync(outdir, {recursive: true});
  const outfile = path.join(outdir, `${path.basename(entry, '.ts')}-${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'warning',
    packages: 'external',
  });
  try {
    return await import(outfile);
  } finally {
    rmSync(outfile, {force: true});
  }
}

/**
 * The Docker engine a benchmark builds on: DOCKER_HOST when set, else the test suite's private
 * engine, started as the tests start it (it outlives the run) with the offline base image built.
 */
export async function testEngine() {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  const {startDocker, ensureBaseImage} = await loadTestSupport('test/support/services/docker.ts');
  const {host} = await startDocker();
  await ensureBaseImage(host);
  return host;
}
