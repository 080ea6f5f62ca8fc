// bench/snapshot: a 5,000-file checkout of a registered GitHub repository (served by the local
// forge server from a real bare repository), its dependencies image already in the registry.
// 20 files change without a commit; then, in one run:
//   - `publish --dry-run` with and without `--full`: the difference is the cost of taking the
//     snapshot (git's temporary index, diff-tree, cat-file, packing);
//   - `publish`: snapshot + push of the OCI artifact + dependencies image reused, nothing built;
//   - `publish --full`: the classic way, a full image with the 5,000 files built and pushed.
//
//   npm run -s build && node bench/snapshot.mjs
//
// Builds on DOCKER_HOST when set, else on the test suite's engine, started if it is not running,
// with its offline base image (BASE_IMAGE, default berth-test/python:3.11); needs
// `docker-registry` on PATH.
import {execFile, execFileSync, spawn, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {promisify} from 'node:util';
import {node, printTable, ratio, testEngine} from './lib.mjs';

const FILES = Number(process.env.BENCH_FILES ?? 5000);
const CHANGED = 20;
const cli = path.resolve('dist/cli.js');
const dockerHost = await testEngine();
const baseImage = process.env.BASE_IMAGE ?? 'berth-test/python:3.11';
const root = mkdtempSync(path.join(tmpdir(), 'berth-bench-snapshot-'));
const env = {
  ...process.env,
  BERTH_CONFIG_DIR: path.join(root, 'config'),
  DOCKER_HOST: dockerHost,
  NO_COLOR: '1',
};

// The forge server answers in this process: berth runs asynchronously.
const berth = async (args) => {
  try {
    const {stdout, stderr} = await promisify(execFile)(node, [cli, ...args], {
      env,
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    return {stdout, stderr};
  } catch (error) {
    throw new Error(`berth ${args.join(' ')} failed: ${error.stderr}`, {cause: error});
  }
};
const timed = async (args) => {
  const started = performance.now();
  const result = await berth(args);
  return {...result, ms: performance.now() - started};
};

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

const {startForgeServer} = await import('../test/support/forge-server.ts');

// The checkout: 50 packages of 100 source-sized files, and the project in app/.
const work = path.join(root, 'work');
for (let d = 0; d < Math.ceil(FILES / 100); d++) {
  const dir = path.join(work, `pkg${d}`);
  mkdirSync(dir, {recursive: true});
  for (let f = 0; f < 100 && d * 100 + f < FILES; f++) {
    writeFileSync(
      path.join(dir, `module_${f}.py`),
      `# ${d}/${f}\n${'x = 1\n'.repeat(30 + ((d * 7 + f) % 300))}`,
    );
  }
}
const project = path.join(work, 'app');
mkdirSync(project);
writeFileSync(path.join(project, 'requirements.txt'), '# no dependencies\n');
const entry = (marker) =>
  `@data_processor(name="Snapshot bench", description="d")\n@parameter("angle", "float", False, 90)\ndef main(angle):\n    print("${marker}", angle)\n`;
writeFileSync(path.join(project, 'job.py'), entry('v1'));
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
};
const git = (...args) =>
  execFileSync('git', args, {cwd: work, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 28}).trim();
git('init', '-q', '-b', 'main');
git('add', '--all');
git('commit', '-qm', 'big');
const bare = path.join(root, 'big.git');
execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], {env: gitEnv});
git('remote', 'add', 'origin', 'https://github.com/acme/big.git');
git('remote', 'set-url', '--push', 'origin', bare);
git('push', '-q', 'origin', 'main');
git('update-ref', 'refs/remotes/origin/main', 'HEAD');

const forge = await startForgeServer();
forge.addRepository({provider: 'github', path: 'acme/big', gitDir: bare});
const port = await freePort();
const registryDir = path.join(root, 'registry');
mkdirSync(registryDir);
writeFileSync(
  path.join(registryDir, 'config.yml'),
  `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${registryDir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
);
const registry = spawn('docker-registry', ['serve', path.join(registryDir, 'config.yml')], {
  stdio: 'ignore',
  env: {...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin`},
});
try {
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 200) throw new Error('the registry did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await berth([
    'repo',
    'register',
    'big',
    '--type',
    'github',
    '--owner',
    'acme',
    '--repository',
    'big',
    '--host',
    'github.com',
    '--api-url',
    forge.githubApiUrl,
  ]);
  await berth(['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
  await berth([
    'component',
    'register',
    'container_registry',
    'bench',
    '--flavor',
    'oci',
    '--option',
    `uri=127.0.0.1:${port}/bench`,
  ]);
  await berth(['stack', 'register', 'bench', '-i', 'engine', '-c', 'bench', '--set']);
  const publish = (...extra) => [
    'publish',
    project,
    '--base-image',
    baseImage,
    '--plain',
    ...extra,
  ];

  // The dependencies image, from the clean checkout (not timed).
  const clean = await timed(publish());
  if (!/dependencies only/.test(clean.stdout))
    throw new Error(`not dependencies-only:\n${clean.stdout}`);

  // 20 changed files: the entry point and 19 modules across the tree.
  writeFileSync(path.join(project, 'job.py'), entry('v2 uncommitted'));
  for (let i = 0; i < CHANGED - 1; i++) {
    const d = (i * 7) % Math.ceil(FILES / 100);
    writeFileSync(
      path.join(work, `pkg${d}`, `module_${i}.py`),
      `# changed ${i}\n${'y = 2\n'.repeat(40)}`,
    );
  }
  const dryFull = await timed(publish('--dry-run', '--full'));
  const drySnapshot = await timed(publish('--dry-run'));
  const withSnapshot = await timed(publish());
  const summary = /snapshot (sha256:[0-9a-f]{12}): (\d+) files changed[^(]*\((\d+) bytes\)/.exec(
    withSnapshot.stdout,
  );
  if (!summary || !/reused /.test(withSnapshot.stdout) || /^Step /m.test(withSnapshot.stdout)) {
    throw new Error(`the snapshot publish did not reuse the image:\n${withSnapshot.stdout}`);
  }
  const full = await timed(publish('--full'));
  if (!/^Step /m.test(full.stdout))
    throw new Error(`the full publish built nothing:\n${full.stdout}`);
  const s = (value) => `${(value / 1000).toFixed(2)} s`;
  printTable(
    `bench/snapshot: ${FILES.toLocaleString('en')}-file checkout, ${CHANGED} files changed (snapshot ${summary[1]}…, ${summary[2]} files, ${summary[3]} bytes)`,
    ['case', 'wall time', 'vs full-image publish'],
    [
      ['publish --full (the code in a new image: build + push)', s(full.ms), '1.00x'],
      [
        'publish with a snapshot (snapshot + artifact push; image reused, no build)',
        s(withSnapshot.ms),
        ratio(withSnapshot.ms, full.ms),
      ],
      [
        'taking the snapshot alone (dry run minus dry run --full)',
        s(Math.max(0, drySnapshot.ms - dryFull.ms)),
        ratio(Math.max(0, drySnapshot.ms - dryFull.ms), full.ms),
      ],
    ],
  );
  console.log(`\nFirst publish of the clean checkout (dependencies image built): ${s(clean.ms)}.`);
} finally {
  registry.kill('SIGTERM');
  await forge.close();
  spawnSync(
    'sh',
    [
      '-c',
      `DOCKER_HOST=${dockerHost} docker images -q --filter reference='127.0.0.1:${port}/*' | xargs -r env DOCKER_HOST=${dockerHost} docker rmi -f`,
    ],
    {stdio: 'ignore'},
  );
  rmSync(root, {recursive: true, force: true});
}
