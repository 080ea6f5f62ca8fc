// bench/rebuild: what a publish costs after the changes people make all day, each against the
// cold first publish measured in the same run (publish = build + push + digest check):
//   - one line of code changed, and a bare `docker build` + `docker push` of the same
//     Dockerfile and context (berth's own overhead made visible);
//   - one package added to requirements.txt: BuildKit with the earlier pip layers and pip's cache
//     on the engine (pip installs only the package added), the classic builder, BuildKit with
//     pip's cache emptied (the layers kept), and BuildKit with all build cache emptied (an engine
//     that never built this project).
// The packages come over HTTP from an index on 127.0.0.1 that sends at a fixed rate
// (BENCH_DOWNLOAD_MBPS, default 12.5 MB/s = 100 Mbit/s), standing in for the internet pip has
// not got here: the pip cache saves downloads, so downloads must cost what they cost.
//
//   npm run -s build && node bench/rebuild.mjs          (every row)
//   npm run -s build && node bench/rebuild.mjs code     (the cold publish and the code rows only)
//
// The code rows run berth with BERTH_TRACE=1 and print where its time went (medians per phase),
// the processor time each side's own processes take (berth's Node against the docker CLI's), and
// the bare build + push again while one core is kept busy: the engine builds and pushes on the
// same cores berth computes on, so a machine with few cores shows berth's processor time twice.
//
// Builds on DOCKER_HOST when set, else on the test suite's engine, started if it is not running,
// with its offline base image (BASE_IMAGE, default berth-test/python:3.11); needs
// `docker-registry` on PATH and a docker CLI that builds with BuildKit (Debian's 20.10 does with
// DOCKER_BUILDKIT=1).
import {spawn, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import {createServer} from 'node:net';
import {availableParallelism, tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {crc32} from 'node:zlib';
import {median, node, printTable, ratio, testEngine} from './lib.mjs';

const cli = path.resolve('dist/cli.js');
const dockerHost = await testEngine();
const baseImage = process.env.BASE_IMAGE ?? 'berth-test/python:3.11';
const rate = Number(process.env.BENCH_DOWNLOAD_MBPS ?? 12.5) * 1e6;
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const codeOnly = process.argv.slice(2).includes('code');
const work = mkdtempSync(path.join(tmpdir(), 'berth-bench-rebuild-'));
const env = {
  ...process.env,
  BERTH_CONFIG_DIR: path.join(work, 'config'),
  DOCKER_HOST: dockerHost,
  NO_COLOR: '1',
};
// Debian's docker 20.10 builds with BuildKit itself; newer CLIs need the buildx plug-in.
const dockerCli = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const dockerEnv = {
  ...process.env,
  DOCKER_HOST: dockerHost,
  DOCKER_BUILDKIT: '1',
  DOCKER_CONFIG: path.join(work, 'docker-cli'),
};

/** A stored (uncompressed) zip: enough for a pure-Python wheel, and real wheels hardly compress. */
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

/** A wheel whose module carries `payload` bytes of random data (a stand-in for torch's .so files). */
function wheel(name, version, payload) {
  const info = `${name}-${version}.dist-info`;
  const files = [
    {name: `${name}/__init__.py`, data: Buffer.from('VALUE = 42\n')},
    {name: `${name}/weights.bin`, data: randomBytes(payload)},
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

/** A find-links page and its wheels over HTTP, each response sent at `rate` bytes/s. */
function startIndex(dir, files) {
  const page = `<!DOCTYPE html><html><body>\n${files
    .map((file) => `<a href="${file}">${file}</a><br>`)
    .join('\n')}\n</body></html>\n`;
  const server = http.createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url, 'http://x').pathname.slice(1));
    if (name === '') {
      response.writeHead(200, {'content-type': 'text/html', 'cache-control': 'max-age=0'});
      response.end(page);
      return;
    }
    if (!files.includes(name)) {
      response.writeHead(404).end();
      return;
    }
    const body = readFileSync(path.join(dir, name));
    // As PyPI serves files: immutable, so pip's HTTP cache keeps them.
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'max-age=365000000, immutable, public',
      etag: `"${name}"`,
    });
    const started = performance.now();
    let sent = 0;
    const chunk = 64 * 1024;
    const pump = () => {
      while (sent < body.length) {
        const due = started + ((sent + chunk) / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 1) return void setTimeout(pump, wait);
        const ok = response.write(body.subarray(sent, sent + chunk));
        sent += chunk;
        if (!ok) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function berth(args, extraEnv = {}) {
  const result = spawnSync(node, [cli, ...args], {
    env: {...env, ...extraEnv},
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

/** Asynchronous: the package index answers from this very process while the build runs. */
function timedPublish(project, extraEnv = {}) {
  return tracedPublish(project, extraEnv).then(({ms, out}) => ({ms, out}));
}

/** A publish, and its BERTH_TRACE lines: [{at: ms since the process started, label}]. */
function tracedPublish(project, extraEnv = {}) {
  const args = [cli, 'publish', project, '--base-image', baseImage, '--plain'];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, {env: {...env, ...extraEnv}, cwd: work});
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const marks = [...out.matchAll(/^berth-trace ([\d.]+) ms (.+)$/gm)].map((m) => ({
        at: Number(m[1]),
        label: m[2],
      }));
      out = out.replace(/^berth-trace .*\n/gm, '');
      if (code === 0) resolve({ms, out, marks});
      else reject(new Error(`berth publish exited ${code}\n${out}`));
    });
  });
}

function docker(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(dockerCli, args, {env: dockerEnv, stdio: ['ignore', 'ignore', 'pipe']});
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`docker ${args.join(' ')} exited ${code}\n${stderr}`)),
    );
  });
}

/** The same Dockerfile and context berth sends (from `publish --dry-run --json`), on disk. */
function bareContext(project) {
  const plan = JSON.parse(
    berth(['publish', project, '--base-image', baseImage, '--dry-run', '--json']),
  );
  const context = path.join(work, 'bare-context');
  rmSync(context, {recursive: true, force: true});
  mkdirSync(path.join(context, 'code'), {recursive: true});
  writeFileSync(path.join(context, 'Dockerfile'), plan.dockerfile);
  // berth's layout: what pip reads under deps/, the project's files under code/.
  const place = (folder, file) => {
    const target = path.join(context, folder, file);
    mkdirSync(path.dirname(target), {recursive: true});
    copyFileSync(path.join(project, file), target);
  };
  for (const file of plan.requirementsFiles) place('deps', file);
  for (const file of plan.contextFiles) place('code', file);
  return context;
}

/** Empties the engine's BuildKit cache: pip's cache mounts only, or everything (`all`). */
function pruneBuildCache(what) {
  return new Promise((resolve, reject) => {
    const query =
      what === 'all'
        ? 'all=true'
        : `filters=${encodeURIComponent(JSON.stringify({type: ['exec.cachemount']}))}`;
    const request = http.request(
      {
        socketPath: dockerHost.replace(/^unix:\/\//, ''),
        path: `/build/prune?${query}`,
        method: 'POST',
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`prune: HTTP ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Processor time (user + system, ms) of this process's children that have ended, from Linux's
 * /proc/self/stat (cutime + cstime, in clock ticks); undefined elsewhere. The difference around
 * one awaited child is that child's own.
 */
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout) || 100;
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command's name (in parentheses, which may hold spaces): cutime and
    // cstime are the 16th and 17th fields of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** `work` while another process keeps one core busy (a loop in a second Node). */
async function withBusyCore(work) {
  const spinner = spawn(node, ['-e', 'process.stdout.write("spinning\\n"); for (;;);'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise((resolve, reject) => {
      spinner.stdout.once('data', resolve);
      spinner.once('error', reject);
    });
    return await work();
  } finally {
    const ended = new Promise((resolve) => spinner.once('close', resolve));
    spinner.kill('SIGKILL');
    await ended;
  }
}

/** A code-change publish's phases, each from one BERTH_TRACE mark to the next ('' = start/end). */
const phases = [
  ["Node starts, berth's entry runs", '', 'cli: start'],
  ['commander, the publish code loads', 'cli: start', 'publish command: publish module loaded'],
  [
    'the engine asked for the build (its session open)',
    'publish command: publish module loaded',
    'docker: session open',
  ],
  [
    'checkout, project read and checked (the engine prepares the build)',
    'docker: session open',
    'publish: project assembled',
  ],
  [
    'registry and engine answers, base image',
    'publish: project assembled',
    'publish: preflight done',
  ],
  ['version recorded, log opened', 'publish: preflight done', 'publish: build'],
  [
    'the engine builds, from when it has the files (BuildKit, through a session)',
    'publish: build',
    'publish: built',
  ],
  ['inspect, tag, push', 'publish: built', 'publish: pushed'],
  [
    'digest confirmed, version recorded published',
    'publish: pushed',
    'publish: recorded published',
  ],
  ['output, stores closed, Node exits', 'publish: recorded published', ''],
];

function phaseTimes({ms, marks}) {
  const at = (label) => (label === '' ? null : marks.find((mark) => mark.label === label)?.at);
  return phases.map(([, from, to]) => {
    const start = from === '' ? 0 : at(from);
    const end = to === '' ? ms : at(to);
    if (start === undefined || end === undefined) throw new Error(`no trace mark ${from} → ${to}`);
    return end - start;
  });
}

function codeRows(cold, code, bare, tar) {
  return [
    [
      "one line of code changed: `berth publish` (BuildKit, the context through berth's session)",
      seconds(code),
      ratio(code, cold.ms),
    ],
    [
      'one line of code changed: `berth publish` with BERTH_BUILD_CONTEXT=tar (the context uploaded as a tar)',
      seconds(tar),
      ratio(tar, cold.ms),
    ],
    [
      "one line of code changed: bare `docker build` + `docker push` (BuildKit through the CLI's session)",
      seconds(bare),
      ratio(bare, cold.ms),
    ],
  ];
}

function printCodeSummary(code, bare, phaseSamples, {cpu, bareBusy}) {
  console.log(
    `\nberth vs bare docker for a code change: ${ratio(code, bare)} (target ≤ 1.30x; < 1 s end to end: ${code < 1000 ? 'met' : 'not met'})`,
  );
  // Means: the kernel counts processor time in ticks (10 ms), too coarse for a median of one run.
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const cpuLine =
    cpu.berth.length > 0
      ? `processor time of the client's own processes (mean): berth ${mean(cpu.berth).toFixed(0)} ms, the docker CLI ${mean(cpu.bare).toFixed(0)} ms; `
      : '';
  console.log(
    `${cpuLine}bare \`docker build\` + \`docker push\` while another process keeps one of this machine's ${availableParallelism()} cores busy: ${seconds(median(bareBusy))} (${ratio(median(bareBusy), bare)} its time with the cores free)`,
  );
  console.log('\nwhere a code-change publish spends its time (BERTH_TRACE, medians):\n');
  console.log('| phase | median |');
  console.log('| --- | --- |');
  for (const [index, [name]] of phases.entries())
    console.log(`| ${name} | ${median(phaseSamples[index]).toFixed(0)} ms |`);
}

function printCodeRows(cold, berthCode, bareCode, tarCode, phaseSamples, contention) {
  const code = median(berthCode);
  const bare = median(bareCode);
  const tar = median(tarCode);
  printTable(
    `bench/rebuild code (publish = build + push + digest check; median of ${rounds})`,
    ['case', 'wall time', 'vs cold'],
    [['first publish, cold', seconds(cold.ms), '1.00x'], ...codeRows(cold, code, bare, tar)],
  );
  printCodeSummary(code, bare, phaseSamples, contention);
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
let index;
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

  // Fresh package names per run: nothing can come from an earlier run's pip cache.
  const run = Date.now().toString(36);
  const sizes = [
    ['big', 60e6],
    ['mid', 15e6],
    ['small1', 2e5],
    ['small2', 2e5],
    ['small3', 2e5],
    ['added1', 2e5],
    ['added2', 2e5],
    ['added3', 2e5],
    ['added4', 2e5],
  ];
  const wheels = path.join(work, 'index');
  mkdirSync(wheels);
  const files = [];
  for (const [name, size] of sizes) {
    const file = `bench${name}${run}-1.0.0-py3-none-any.whl`;
    writeFileSync(path.join(wheels, file), wheel(`bench${name}${run}`, '1.0.0', size));
    files.push(file);
  }
  index = await startIndex(wheels, files);
  const indexUrl = `http://127.0.0.1:${index.address().port}/`;
  const requirement = (name) => `bench${name}${run}==1.0.0`;
  const project = path.join(work, 'project');
  mkdirSync(project, {recursive: true});
  const requirementsFile = path.join(project, 'requirements.txt');
  const initial = ['big', 'mid', 'small1', 'small2', 'small3'];
  writeFileSync(
    requirementsFile,
    `--no-index\n--find-links ${indexUrl}\n--trusted-host 127.0.0.1\n${initial.map(requirement).join('\n')}\n`,
  );
  const coldMegabytes = sizes
    .filter(([name]) => initial.includes(name))
    .reduce((sum, [, size]) => sum + size / 1e6, 0);
  const entry = path.join(project, 'job.py');
  let edits = 0;
  const editEntry = () =>
    writeFileSync(
      entry,
      `from bench${'big'}${run} import VALUE\n\n@data_processor(name="Rebuild bench", description="d")\n@parameter("angle", "float", False, 90)\ndef main(angle):\n    print("angle", angle, VALUE, ${edits++})\n`,
    );
  editEntry();

  const cold = await timedPublish(project);

  // One line of code: berth, the same change built and pushed by the docker CLI, and berth
  // uploading the context as a tar, in turns.
  const berthCode = [];
  const bareCode = [];
  const tarCode = [];
  const bareBusy = [];
  const cpu = {berth: [], bare: []};
  const phaseSamples = phases.map(() => []);
  /** The same change built and pushed by the docker CLI: wall time, and its processes' CPU. */
  const barePublish = async (name) => {
    editEntry();
    const context = bareContext(project);
    const reference = `127.0.0.1:${port}/bare:${name}`;
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    await docker(['build', '-q', '--network', 'host', '-t', reference, context]);
    await docker(['push', reference]);
    const ms = performance.now() - started;
    return {ms, cpuMs: cpuBefore === undefined ? undefined : childrenCpuMs() - cpuBefore};
  };
  for (let round = 0; round < rounds; round++) {
    editEntry();
    const cpuBefore = childrenCpuMs();
    const published = await tracedPublish(project, {BERTH_TRACE: '1'});
    if (cpuBefore !== undefined) cpu.berth.push(childrenCpuMs() - cpuBefore);
    phaseTimes(published).forEach((ms, index) => phaseSamples[index].push(ms));
    if (!/Step \d+\/\d+ RUN .*pip install[^\n]*\nStep \d+\/\d+ CACHED/.test(published.out))
      throw new Error(`the rebuild did not take the pip step from the cache:\n${published.out}`);
    berthCode.push(published.ms);
    const bare = await barePublish(round);
    bareCode.push(bare.ms);
    if (bare.cpuMs !== undefined) cpu.bare.push(bare.cpuMs);
    editEntry();
    tarCode.push((await timedPublish(project, {BERTH_BUILD_CONTEXT: 'tar'})).ms);
    bareBusy.push((await withBusyCore(() => barePublish(`busy-${round}`))).ms);
  }
  const contention = {cpu, bareBusy};

  // `code`: these rows only; the registry, images and files still go in `finally`.
  requirementRows: {
    if (codeOnly) {
      printCodeRows(cold, berthCode, bareCode, tarCode, phaseSamples, contention);
      break requirementRows;
    }

    const addPackage = (name) =>
      writeFileSync(
        requirementsFile,
        `${readFileSync(requirementsFile, 'utf8')}${requirement(name)}\n`,
      );
    addPackage('added1');
    const warm = await timedPublish(project);
    if (!new RegExp(`Requirement already satisfied: benchbig${run}`).test(warm.out))
      throw new Error(`pip installed the big package again:\n${warm.out}`);
    addPackage('added2');
    const classic = await timedPublish(project, {DOCKER_BUILDKIT: '0'});
    await pruneBuildCache('pip');
    addPackage('added3');
    const emptied = await timedPublish(project);
    if (/Using cached/.test(emptied.out))
      throw new Error(`the pip cache was not emptied:\n${emptied.out}`);
    await pruneBuildCache('all');
    addPackage('added4');
    const fresh = await timedPublish(project);
    if (/Using cached|Requirement already satisfied/.test(fresh.out))
      throw new Error(`the build cache was not emptied:\n${fresh.out}`);

    const code = median(berthCode);
    const bare = median(bareCode);
    const tar = median(tarCode);
    printTable(
      `bench/rebuild (publish = build + push + digest check; packages at ${(rate / 1e6).toFixed(1)} MB/s; code rows: median of ${rounds})`,
      ['case', 'wall time', 'vs cold'],
      [
        [
          `first publish, cold (${initial.length} packages, ${coldMegabytes.toFixed(0)} MB downloaded)`,
          seconds(cold.ms),
          '1.00x',
        ],
        ...codeRows(cold, code, bare, tar),
        [
          'one package added: BuildKit, earlier pip layers and pip cache on the engine',
          seconds(warm.ms),
          ratio(warm.ms, cold.ms),
        ],
        [
          'one package added: classic builder (DOCKER_BUILDKIT=0)',
          seconds(classic.ms),
          ratio(classic.ms, cold.ms),
        ],
        [
          'one package added: BuildKit, pip cache emptied (layers kept)',
          seconds(emptied.ms),
          ratio(emptied.ms, cold.ms),
        ],
        [
          'one package added: BuildKit, all build cache emptied',
          seconds(fresh.ms),
          ratio(fresh.ms, cold.ms),
        ],
      ],
    );
    printCodeSummary(code, bare, phaseSamples, contention);
    console.log(
      `requirements change, warm: ${(cold.ms / warm.ms).toFixed(2)}x faster than cold (target ≥ 3x), ${(fresh.ms / warm.ms).toFixed(2)}x faster than with all build cache emptied, ${(emptied.ms / warm.ms).toFixed(2)}x than with pip's cache emptied, ${(classic.ms / warm.ms).toFixed(2)}x than the classic builder`,
    );
  }
} finally {
  index?.close();
  registry.kill('SIGTERM');
  spawnSync(
    'sh',
    [
      '-c',
      `DOCKER_HOST=${dockerHost} ${dockerCli} images -q --filter reference='127.0.0.1:${port}/*' | xargs -r env DOCKER_HOST=${dockerHost} ${dockerCli} rmi -f`,
    ],
    {stdio: 'ignore'},
  );
  rmSync(work, {recursive: true, force: true});
}
