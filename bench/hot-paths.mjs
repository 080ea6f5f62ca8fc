// The speed claims that used to be wall-clock assertions in unit tests (they flaked on a loaded
// machine), each against a baseline timed in the same run:
// - reading a checkout (one `git status`, the rest from .git's files) vs one `git rev-parse`;
// - matching a checkout against 1,000 registered repositories, with and without an index;
// - the publish log model ingesting build output vs pushing the same lines into an array;
// - extracting a 10,000-file archive with the safe extractor vs GNU tar;
// - `token add` giving up on a missing or silent keychain (3 s timeout) vs `berth --version`.
import {execFileSync, spawnSync} from 'node:child_process';
import {createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {build} from 'esbuild';
import {median, ms, node, printTable, ratio} from './lib.mjs';

const root = mkdtempSync(path.join(tmpdir(), 'berth-bench-hot-'));
const cli = path.resolve('dist/cli.js');
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
const git = (cwd, ...args) => execFileSync('git', args, {cwd, env: gitEnv, stdio: 'pipe'});

const bundle = path.join(root, 'hot-paths.mjs');
await build({
  stdin: {
    contents: `
      export {indexRepositories, resolveCodeReference} from './source/services/code-reference.ts';
      export {createGitClient} from './source/clients/git.ts';
      export {PublishLogModel} from './source/services/publish/log-model.ts';
      export {extractTarGz} from './source/lib/safe-extract.ts';`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  logLevel: 'warning',
  banner: {
    js: "import {createRequire as __hotRequire} from 'node:module'; const require = __hotRequire(import.meta.url);",
  },
});
const hot = await import(bundle);

async function medianOf(runs, work) {
  await work(); // warm-up: JIT and caches, not measured
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

// A pushed checkout with a remote on a host.
const bare = path.join(root, 'remote.git');
const work = path.join(root, 'work');
git(root, 'init', '-q', '--bare', '-b', 'main', bare);
git(root, 'init', '-q', '-b', 'main', work);
writeFileSync(path.join(work, 'train.py'), 'print(1)\n');
git(work, 'add', '.');
git(work, 'commit', '-qm', 'x');
git(work, 'remote', 'add', 'origin', bare);
git(work, 'push', '-q', 'origin', 'main');
git(work, 'remote', 'set-url', 'origin', 'git@github.com:acme/models.git');
git(work, 'remote', 'set-url', '--push', 'origin', bare);

const client = hot.createGitClient({env: gitEnv});
await client.readCheckout(work);
const oneGit = await medianOf(15, () =>
  Promise.resolve(execFileSync('git', ['rev-parse', 'HEAD'], {cwd: work, env: gitEnv})),
);
const reading = await medianOf(15, () => client.readCheckout(work));

const many = Array.from({length: 999}, (_, i) => ({
  id: `r${i}`,
  name: `repo-${i}`,
  host: i % 2 ? 'github.com' : 'gitlab.example.com',
  path: `team-${i % 37}/project-${i}`,
}));
many.push({id: 'm', name: 'models', host: 'github.com', path: 'acme/models'});
const checkout = await client.readCheckout(work);
if (hot.resolveCodeReference(checkout, many).repository !== 'models')
  throw new Error('matching found the wrong repository');
const index = hot.indexRepositories(many);
const perList =
  (await medianOf(5, () => {
    for (let i = 0; i < 100; i++) hot.resolveCodeReference(checkout, many);
  })) / 100;
const perIndexed =
  (await medianOf(5, () => {
    for (let i = 0; i < 1000; i++) hot.resolveCodeReference(checkout, index);
  })) / 1000;

printTable(
  `Reading a checkout and matching it (median, Node ${process.version})`,
  ['operation', 'median', 'vs baseline'],
  [
    ['git rev-parse HEAD (baseline)', ms(oneGit), '1.00x'],
    ['readCheckout (one git status, .git files read)', ms(reading), ratio(reading, oneGit)],
    [
      'match against 1,000 repositories, prebuilt index (baseline)',
      `${(perIndexed * 1000).toFixed(1)} µs`,
      '1.00x',
    ],
    [
      'match against 1,000 repositories, index built per call',
      `${(perList * 1000).toFixed(1)} µs`,
      ratio(perList, perIndexed),
    ],
  ],
);

// The log model against the cheapest possible consumer of the same lines.
const lineCount = 200_000;
const text = 'x'.repeat(70);
const lines = Array.from({length: lineCount}, (_, i) => `${i} ${text}`);
const arrayMs = await medianOf(5, () => {
  const kept = [];
  for (const line of lines) kept.push(line);
});
const modelMs = await medianOf(5, () => {
  const model = new hot.PublishLogModel();
  model.apply({type: 'step-start', index: 1, total: 1, instruction: 'RUN build', at: 0});
  for (const line of lines) model.apply({type: 'log', line, step: 1});
});
const perSecond = (value) =>
  `${Math.round(lineCount / (value / 1000)).toLocaleString('en')} lines/s`;
printTable(
  `Publish log model, ${lineCount.toLocaleString('en')} lines of 77 bytes (median of 5)`,
  ['consumer', 'median', 'rate', 'vs baseline'],
  [
    ['Array.push (baseline)', ms(arrayMs), perSecond(arrayMs), '1.00x'],
    [
      'PublishLogModel.apply (sanitised, bounded)',
      ms(modelMs),
      perSecond(modelMs),
      ratio(modelMs, arrayMs),
    ],
  ],
);

// 10,000 files, as GNU tar and the safe extractor see them.
const fileCount = 10_000;
const tree = path.join(root, 'tree');
mkdirSync(tree);
git(root, 'init', '-q', '-b', 'main', tree);
for (let i = 0; i < fileCount; i++) {
  const dir = path.join(tree, `d${i % 100}`);
  mkdirSync(dir, {recursive: true});
  writeFileSync(path.join(dir, `f${i}.py`), `print(${i})\n`);
}
git(tree, 'add', '.');
git(tree, 'commit', '-qm', 'x');
const archive = path.join(root, 'tree.tar.gz');
git(tree, 'archive', '--format=tar.gz', '-o', archive, 'HEAD');
let round = 0;
const gnuTar = await medianOf(5, () => {
  const into = path.join(root, `tar-${round++}`);
  mkdirSync(into);
  execFileSync('tar', ['-xzf', archive], {cwd: into});
});
const extract = await medianOf(5, () =>
  hot.extractTarGz(createReadStream(archive), path.join(root, `safe-${round++}`)),
);
printTable(
  `Extracting a ${fileCount.toLocaleString('en')}-file archive (median of 5)`,
  ['extractor', 'median', 'vs baseline'],
  [
    ['GNU tar -xzf (baseline)', ms(gnuTar), '1.00x'],
    ['berth safe extractor (streamed, checked)', ms(extract), ratio(extract, gnuTar)],
  ],
);

// `token add` without a usable keychain must fail fast with exit 4, never hang.
const configDir = path.join(root, 'config');
const timeRefusal = (env) =>
  medianOf(3, async () => {
    const result = spawnSync(
      node,
      [cli, 'token', 'add', 'github', '--api-url', 'http://127.0.0.1:9', '--stdin'],
      {env: {...process.env, BERTH_CONFIG_DIR: configDir, ...env}, input: 'ghp_x', stdio: 'pipe'},
    );
    if (result.status !== 4) throw new Error(`token add exited ${result.status}: ${result.stderr}`);
  });
const version = await medianOf(5, async () => {
  spawnSync(node, [cli, '--version'], {stdio: 'ignore'});
});
const noBus = await timeRefusal({
  DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(root, 'nothing')}`,
});
const socket = path.join(root, 'silent-bus');
const silent = net.createServer(() => {
  // Accepts and never answers: a hung session bus.
});
await new Promise((resolve) => silent.listen(socket, resolve));
const silentBus = await timeRefusal({DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}`});
silent.close();
printTable(
  'token add without a usable keychain: exit 4 naming the fix (median of 3)',
  ['case', 'median', 'vs baseline'],
  [
    ['berth --version (baseline)', ms(version), '1.00x'],
    ['no session bus', ms(noBus), ratio(noBus, version)],
    ['a bus that never answers (3 s keychain timeout)', ms(silentBus), ratio(silentBus, version)],
  ],
);

rmSync(root, {recursive: true, force: true});
