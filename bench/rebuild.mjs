// bench/rebuild: publish a code project (one local-wheel requirement), change one line of the
// entry point, publish again. The second build must take the dependency layer from the cache.
//
//   npm run -s build && node bench/rebuild.mjs
//
// Needs a Docker engine (DOCKER_HOST, default: the test engine the test suite starts at
// /var/tmp/berth-test-services/docker/docker.sock) holding BASE_IMAGE (default
// berth-test/python:3.11, built by the test set-up), and `docker-registry` on PATH.
import {spawn, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {crc32} from 'node:zlib';
import {node, printTable, ratio} from './lib.mjs';

const cli = path.resolve('dist/cli.js');
const dockerHost =
  process.env.DOCKER_HOST ?? 'unix:///var/tmp/berth-test-services/docker/docker.sock';
const baseImage = process.env.BASE_IMAGE ?? 'berth-test/python:3.11';
const work = mkdtempSync(path.join(tmpdir(), 'berth-bench-rebuild-'));
const env = {
  ...process.env,
  BERTH_CONFIG_DIR: path.join(work, 'config'),
  DOCKER_HOST: dockerHost,
  NO_COLOR: '1',
};

/** A stored (uncompressed) zip: enough for a pure-Python wheel. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const {name, data} of entries) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(33, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(33, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const size = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

function wheel(name, version) {
  const info = `${name}-${version}.dist-info`;
  const files = [
    {name: `${name}/__init__.py`, data: Buffer.from('VALUE = 42\n')},
    {
      name: `${info}/METADATA`,
      data: Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`),
    },
    {
      name: `${info}/WHEEL`,
      data: Buffer.from(
        'Wheel-Version: 1.0\nGenerator: berth-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
      ),
    },
  ];
  files.push({
    name: `${info}/RECORD`,
    data: Buffer.from(`${files.map((f) => `${f.name},,`).join('\n')}\n${info}/RECORD,,\n`),
  });
  return zip(files);
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

function berth(args) {
  const result = spawnSync(node, [cli, ...args], {
    env,
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `berth ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  return result.stdout;
}

function timedPublish(project) {
  const started = performance.now();
  const out = berth(['publish', project, '--base-image', baseImage, '--plain']);
  return {ms: performance.now() - started, out};
}

const port = await freePort();
const registryDir = path.join(work, 'registry');
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
  berth(['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
  berth([
    'component',
    'register',
    'container_registry',
    'bench',
    '--flavor',
    'oci',
    '--option',
    `uri=127.0.0.1:${port}`,
  ]);
  berth(['stack', 'register', 'bench', '-i', 'engine', '-c', 'bench', '--set']);

  // A fresh package name per run, so the first build cannot hit an earlier run's cache.
  const pkg = `benchdep${Date.now().toString(36)}`;
  const project = path.join(work, 'project');
  mkdirSync(path.join(project, 'wheels'), {recursive: true});
  writeFileSync(path.join(project, 'wheels', `${pkg}-1.0.0-py3-none-any.whl`), wheel(pkg, '1.0.0'));
  writeFileSync(
    path.join(project, 'requirements.txt'),
    `--no-index\n--find-links wheels\n${pkg}==1.0.0\n`,
  );
  const entry = path.join(project, 'job.py');
  writeFileSync(
    entry,
    `from ${pkg} import VALUE\n\n@data_processor(name="Rebuild bench", description="d")\n@parameter("angle", "float", False, 90)\ndef main(angle):\n    print("angle", angle, VALUE)\n`,
  );

  const first = timedPublish(project);
  writeFileSync(entry, readFileSync(entry, 'utf8').replace('print("angle"', 'print("ANGLE"'));
  const second = timedPublish(project);
  const pipCached = /^Step (\d+)\/\d+ RUN .*pip install[^\n]*\nStep \1\/\d+ CACHED/m.test(
    second.out,
  );
  if (!pipCached)
    throw new Error(`the rebuild did not take the pip layer from the cache:\n${second.out}`);

  printTable(
    'bench/rebuild: one-line change of the entry point (publish = build + push + digest check)',
    ['case', 'wall time', 'vs first'],
    [
      ['first publish', `${(first.ms / 1000).toFixed(2)} s`, '1.00x'],
      [
        'rebuild after a one-line change (pip layer CACHED)',
        `${(second.ms / 1000).toFixed(2)} s`,
        ratio(second.ms, first.ms),
      ],
    ],
  );
} finally {
  registry.kill('SIGTERM');
  spawnSync(
    'sh',
    [
      '-c',
      `DOCKER_HOST=${dockerHost} docker images -q --filter reference='127.0.0.1:${port}/*' | xargs -r env DOCKER_HOST=${dockerHost} docker rmi -f`,
    ],
    {stdio: 'ignore'},
  );
  rmSync(work, {recursive: true, force: true});
}
