// A 10,000-file repository at a commit on the local forge server: `berth repo download` (one
// archive request, streamed into the safe extractor) against ZenML's way (walk the contents
// API directory by directory and fetch every file, 8 at a time) on the same server.
import {execFile, execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {promisify} from 'node:util';
import {median, ms, node, printTable, ratio} from './lib.mjs';

// The forge server runs in this process: commands run asynchronously so that it can answer.
const run = async (args) => {
  try {
    const {stdout} = await promisify(execFile)(node, [cli, ...args], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    return stdout;
  } catch (error) {
    throw new Error(`berth ${args.join(' ')} failed: ${error.stderr}`, {cause: error});
  }
};

const {startForgeServer} = await import('../test/support/forge-server.ts');

const files = Number(process.env.BENCH_FILES ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const cli = path.resolve('dist/cli.js');
const root = mkdtempSync(path.join(tmpdir(), 'berth-bench-download-'));
const env = {...process.env, BERTH_CONFIG_DIR: path.join(root, 'config'), NO_COLOR: '1'};

// The repository: 100 folders of 100 small files (source-sized, 200-2,000 bytes).
const source = path.join(root, 'source');
mkdirSync(source);
for (let d = 0; d < Math.ceil(files / 100); d++) {
  const dir = path.join(source, `pkg${d}`, 'sub');
  mkdirSync(dir, {recursive: true});
  for (let f = 0; f < 100 && d * 100 + f < files; f++) {
    writeFileSync(
      path.join(dir, `module_${f}.py`),
      `# ${d}/${f}\n${'x = 1\n'.repeat(30 + ((d * 7 + f) % 300))}`,
    );
  }
}
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
};
const git = (...args) =>
  execFileSync('git', args, {
    cwd: source,
    env: gitEnv,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  }).trim();
git('init', '-q', '-b', 'main');
git('add', '--all');
git('commit', '-qm', 'big');
const sha = git('rev-parse', 'HEAD');

const forge = await startForgeServer();
forge.addRepository({provider: 'github', path: 'acme/big', gitDir: source});
await run([
  'repo',
  'register',
  'big',
  '--type',
  'github',
  '--owner',
  'acme',
  '--repository',
  'big',
  '--api-url',
  forge.url,
]);

async function timeArchive() {
  const samples = [];
  let requests = 0;
  for (let i = 0; i < runs; i++) {
    forge.reset();
    const target = path.join(root, `archive-${i}`);
    const started = performance.now();
    const stdout = await run([
      'repo',
      'download',
      'big',
      '--commit',
      sha,
      '--dir',
      target,
      '--json',
    ]);
    samples.push(performance.now() - started);
    const summary = JSON.parse(stdout);
    if (summary.files !== files) throw new Error(`archive download wrote ${summary.files} files`);
    requests = forge.requests.length;
  }
  return {time: median(samples), requests};
}

/** ZenML's GitHub download_files: get_contents per directory, then each file, concurrency 8. */
async function perFile(target) {
  const api = `${forge.url}/repos/acme/big/contents`;
  const queue = [''];
  const pending = [];
  let written = 0;
  while (queue.length > 0) {
    const dir = queue.shift();
    const listing = await (await fetch(`${api}/${dir}?ref=${sha}`)).json();
    for (const entry of listing) {
      if (entry.type === 'dir') queue.push(entry.path);
      else pending.push(entry);
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const entry = pending[next++];
      const response = await fetch(entry.download_url);
      if (!response.ok) throw new Error(`${entry.path}: ${response.status}`);
      const file = path.join(target, entry.path);
      mkdirSync(path.dirname(file), {recursive: true});
      writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      written++;
    }
  };
  await Promise.all(Array.from({length: 8}, worker));
  return written;
}

async function timePerFile() {
  const samples = [];
  let requests = 0;
  for (let i = 0; i < runs; i++) {
    forge.reset();
    const started = performance.now();
    const written = await perFile(path.join(root, `per-file-${i}`));
    samples.push(performance.now() - started);
    if (written !== files) throw new Error(`per-file download wrote ${written} files`);
    requests = forge.requests.length;
  }
  return {time: median(samples), requests};
}

const archive = await timeArchive();
const individual = await timePerFile();
await forge.close();
printTable(
  `download ${files} files at one commit (median of ${runs}, Node ${process.version})`,
  ['method', 'requests', 'median', 'vs archive'],
  [
    [
      'berth repo download (tarball, streamed, safe extraction; whole process)',
      String(archive.requests),
      ms(archive.time),
      '1.00x',
    ],
    [
      'one request per file, concurrency 8 (ZenML; in-process, no start-up)',
      String(individual.requests),
      ms(individual.time),
      ratio(individual.time, archive.time),
    ],
  ],
);
