// A private Docker Engine shared by every test file and run on this machine, and the offline
// base image the publish tests build FROM.
import {spawn, type ChildProcess} from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import {mkdtemp, rename, rm, symlink, lstat} from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import {Readable} from 'node:stream';
import Docker from 'dockerode';
import tarStream from 'tar-stream';
import {waitFor} from '../wait.js';
import {
  isAlive,
  readTail,
  run,
  servicePath,
  servicesRoot,
  tail,
  terminate,
  trackProcess,
  withLock,
} from './common.js';

export const dockerDir = path.join(servicesRoot, 'docker');
export const dockerSocket = path.join(dockerDir, 'docker.sock');
export const dockerHost = `unix://${dockerSocket}`;
export const dockerPidFile = path.join(dockerDir, 'docker.pid');
export const dockerLog = path.join(dockerDir, 'dockerd.log');

export const baseImage = 'berth-test/python:3.11';
/**
 * BuildKit inside dockerd cuts each step's log at 1 MiB and 200 KiB/s unless these say more
 * (set in dockerd's own environment; -1 does not mean unlimited there): berth shows whole logs.
 */
export const engineEnv = {
  BUILDKIT_STEP_LOG_MAX_SIZE: '1073741824',
  BUILDKIT_STEP_LOG_MAX_SPEED: '1073741824',
};

/** Built once per machine; `docker import` of it takes seconds, debootstrap takes a minute. */
export const rootfsTarball = path.join(servicesRoot, 'python-3.11-bookworm-rootfs.tar');

export function socketPathOf(host: string): string {
  if (!host.startsWith('unix://')) throw new Error(`Not a unix socket host: ${host}`);
  return host.slice('unix://'.length);
}

export function dockerClient(host: string = dockerHost): Docker {
  return new Docker({socketPath: socketPathOf(host)});
}

/** True when the engine behind `socketPath` answers `/_ping` with OK. */
export function pingDocker(socketPath: string = dockerSocket, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({socketPath, path: '/_ping', timeout: timeoutMs}, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts dockerd with its state, socket, pid file and log in `dir` (no bridge, no iptables,
 * `daemonConfig` as its whole config), and waits until it answers on `DIR/docker.sock`.
 */
export async function spawnDockerd(
  dir: string,
  options: {detached: boolean; daemonConfig?: object},
): Promise<ChildProcess> {
  const socket = path.join(dir, 'docker.sock');
  const logFile = path.join(dir, 'dockerd.log');
  const configFile = path.join(dir, 'daemon.json');
  // Our own config, so a machine-wide /etc/docker/daemon.json cannot leak in.
  writeFileSync(configFile, `${JSON.stringify(options.daemonConfig ?? {})}\n`);
  const log = openSync(logFile, 'a');
  const child = spawn(
    'dockerd',
    dockerdArguments({
      configFile,
      dataRoot: path.join(dir, 'data'),
      execRoot: path.join(dir, 'exec'),
      host: `unix://${socket}`,
      pidFile: path.join(dir, 'docker.pid'),
    }),
    {
      detached: options.detached,
      stdio: ['ignore', log, log],
      env: {...process.env, ...engineEnv, PATH: servicePath},
    },
  );
  closeSync(log);
  let exit: string | undefined;
  child.once('error', (error) => (exit = `could not start: ${error.message}`));
  child.once('exit', (code, signal) => (exit = `exited (${signal ?? code})`));
  await waitFor(async () => exit !== undefined || (await pingDocker(socket)), {
    timeoutMs: 60_000,
    intervalMs: 100,
    message: `dockerd to answer on ${socket}`,
  }).catch((error: Error) => {
    exit ??= error.message;
  });
  if (exit !== undefined) {
    throw new Error(`A test Docker engine ${exit}. Log ${logFile}:\n${readTail(logFile)}`);
  }
  return child;
}

export type PrivateDocker = {host: string; stop(): Promise<void>};

/**
 * A second engine for one test file (its own state, stopped and removed by `stop()`), for what
 * the shared engine must not become: e.g. `{features: {buildkit: false}}`. Images it needs are
 * its own: `ensureBaseImage(host)` imports the base image in seconds.
 */
export async function startPrivateDocker(
  options: {daemonConfig?: object} = {},
): Promise<PrivateDocker> {
  mkdirSync(servicesRoot, {recursive: true});
  const dir = await mkdtemp(path.join(servicesRoot, 'engine-'));
  const child = await spawnDockerd(dir, {detached: false, ...options});
  const forget = trackProcess(child.pid!, 'dockerd');
  return {
    host: `unix://${path.join(dir, 'docker.sock')}`,
    async stop() {
      await terminate(child.pid!, 30_000);
      forget();
      // dockerd leaves its network namespace mounted under its exec root.
      const mounts = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[1] ?? '')
        .filter((point) => point.startsWith(`${dir}/`))
        .reverse();
      for (const point of mounts) await run('umount', ['-l', point]).catch(() => undefined);
      await rm(dir, {recursive: true, force: true, maxRetries: 3});
    },
  };
}

/**
 * Starts (or reuses) the private engine. It runs detached, outlives the test run, and is
 * stopped by .ci/run; a second run finds it answering and pays nothing.
 */
export async function startDocker(): Promise<{host: string}> {
  if (await pingDocker()) return {host: dockerHost};
  mkdirSync(dockerDir, {recursive: true});
  await withLock('docker', async () => {
    if (await pingDocker()) return;
    const running = readPid(dockerPidFile);
    if (running !== undefined && isAlive(running)) {
      // Started by someone who lost the lock or is still coming up: give it time, not a twin.
      await waitFor(() => pingDocker(), {
        timeoutMs: 60_000,
        intervalMs: 200,
        message: `dockerd (pid ${running}) to answer on ${dockerHost}; log: ${dockerLog}`,
      });
      return;
    }
    rmSync(dockerSocket, {force: true});
    rmSync(dockerPidFile, {force: true});
    const child = await spawnDockerd(dockerDir, {detached: true});
    child.unref();
  });
  return {host: dockerHost};
}

/**
 * A private engine's arguments: its own config, data, exec root, socket and pidfile; no bridge,
 * no iptables (no private-range address ever appears), quiet logs.
 */
export function dockerdArguments(where: {
  configFile: string;
  dataRoot: string;
  execRoot: string;
  host: string;
  pidFile: string;
}): string[] {
  return [
    '--config-file',
    where.configFile,
    '--data-root',
    where.dataRoot,
    '--exec-root',
    where.execRoot,
    '--host',
    where.host,
    '--pidfile',
    where.pidFile,
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--userland-proxy=false',
    '--log-level=warn',
  ];
}

async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) return false;
    throw error;
  }
}

/** Directories of a minbase root that no build needs: docs, man pages, locales, apt caches. */
const trimmedPaths = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
  'usr/share/lintian',
  'usr/share/linda',
  'var/cache/apt',
  'var/lib/apt/lists',
  'var/cache/debconf/templates.dat-old',
  'var/log',
  // The sources list names a mirror; the image never reaches one, so it goes.
  'etc/apt/sources.list',
];

async function buildRootfsTarball(): Promise<void> {
  const work = await mkdtemp(path.join(servicesRoot, 'rootfs-build-'));
  const root = path.join(work, 'root');
  try {
    await run(
      'debootstrap',
      ['--variant=minbase', '--include=python3,python3-pip', 'bookworm', root],
      {
        timeoutMs: 15 * 60_000,
      },
    );
    for (const relative of trimmedPaths) {
      await rm(path.join(root, relative), {recursive: true, force: true});
    }
    for (const dir of ['usr/share/doc', 'usr/share/man', 'usr/share/locale', 'var/log']) {
      mkdirSync(path.join(root, dir), {recursive: true});
    }
    for (const [link, target] of [
      ['usr/bin/python', 'python3'],
      ['usr/bin/pip', 'pip3'],
    ] as const) {
      const exists = await lstat(path.join(root, link)).then(
        () => true,
        () => false,
      );
      if (!exists) await symlink(target, path.join(root, link));
    }
    const partial = `${rootfsTarball}.partial`;
    await run('tar', ['--numeric-owner', '-C', root, '-cf', partial, '.'], {timeoutMs: 5 * 60_000});
    await rename(partial, rootfsTarball);
  } finally {
    await rm(work, {recursive: true, force: true});
  }
}

/**
 * Makes sure `berth-test/python:3.11` (Debian bookworm, Python 3.11, pip) exists in the engine
 * at `host`, building it offline from a cached debootstrap root. Returns the image name.
 */
export async function ensureBaseImage(host?: string): Promise<string> {
  const engine = host ?? (await startDocker()).host;
  const docker = dockerClient(engine);
  if (await imageExists(docker, baseImage)) return baseImage;
  await withLock(
    'base-image',
    async () => {
      if (await imageExists(docker, baseImage)) return;
      if (!existsSync(rootfsTarball)) await buildRootfsTarball();
      await run(
        'docker',
        [
          'import',
          '--change',
          'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          '--change',
          'ENV LANG=C.UTF-8',
          // Debian marks its Python as externally managed (PEP 668); images install into it.
          '--change',
          'ENV PIP_BREAK_SYSTEM_PACKAGES=1',
          '--change',
          'ENV PIP_DISABLE_PIP_VERSION_CHECK=1',
          '--change',
          'ENV PIP_NO_CACHE_DIR=1',
          '--change',
          'CMD ["python3"]',
          rootfsTarball,
          baseImage,
        ],
        {
          env: {DOCKER_HOST: engine, DOCKER_CONFIG: path.join(servicesRoot, 'docker-cli')},
          timeoutMs: 5 * 60_000,
        },
      );
    },
    {timeoutMs: 20 * 60_000},
  );
  return baseImage;
}

/** Stops the engine if it runs (used by .ci/run's clean-up and by hand). */
export async function stopDocker(): Promise<void> {
  const pid = readPid(dockerPidFile);
  if (pid === undefined || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(() => !isAlive(pid), {timeoutMs: 30_000, message: `dockerd ${pid} to stop`});
}

/** A build context tar (tar-stream) from files by path; Buffers keep binary files intact. */
export async function contextTar(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) {
    pack.entry({name, mode: 0o644}, typeof content === 'string' ? Buffer.from(content) : content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `docker build` through dockerode, network `none`. followProgress never rejects on a failed
 * step, so every event is checked for `error`/`errorDetail`. Returns the build's output lines.
 */
export async function buildImage(
  host: string,
  files: Record<string, string | Buffer>,
  tag: string,
  options: {networkmode?: string; nocache?: boolean} = {},
): Promise<string[]> {
  const docker = dockerClient(host);
  const stream = await docker.buildImage(Readable.from([await contextTar(files)]), {
    t: tag,
    networkmode: options.networkmode ?? 'none',
    rm: true,
    forcerm: true,
    nocache: options.nocache ?? false,
  });
  const output: string[] = [];
  const events = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, result: Array<Record<string, unknown>>) =>
        error ? reject(error) : resolve(result),
      (event: Record<string, unknown>) => {
        if (typeof event.stream === 'string') output.push(event.stream);
      },
    );
  });
  const failed = events.find(
    (event) => event.error !== undefined || event.errorDetail !== undefined,
  );
  if (failed) {
    throw new Error(
      `docker build ${tag} failed: ${String(failed.error)}\n${tail(output.join(''))}`,
    );
  }
  return output;
}

/** Runs `cmd` in a new container (network `none`), removes it, returns exit code and output. */
export async function runContainer(
  host: string,
  image: string,
  cmd: string[],
  options: {env?: string[]; networkMode?: string} = {},
): Promise<{code: number; stdout: string; stderr: string}> {
  const docker = dockerClient(host);
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Env: options.env,
    HostConfig: {NetworkMode: options.networkMode ?? 'none', AutoRemove: false},
  });
  try {
    await container.start();
    const {StatusCode} = (await container.wait()) as {StatusCode: number};
    const logs = await container.logs({stdout: true, stderr: true, follow: false});
    const {stdout: out, stderr: err} = demux(logs);
    return {code: StatusCode, stdout: out, stderr: err};
  } finally {
    await container.remove({force: true});
  }
}

/** Splits a non-TTY container log (8-byte frame headers: stream id, 0,0,0, size BE). */
export function demux(logs: Buffer): {stdout: string; stderr: string} {
  const parts: Record<number, Buffer[]> = {1: [], 2: []};
  let offset = 0;
  while (offset + 8 <= logs.length) {
    const kind = logs[offset] ?? 1;
    const size = logs.readUInt32BE(offset + 4);
    (parts[kind] ?? parts[1]!).push(logs.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return {stdout: Buffer.concat(parts[1]!).toString(), stderr: Buffer.concat(parts[2]!).toString()};
}

/** Removes the engine's images of a test registry (`ADDRESS/...`), whatever their tags. */
export async function removeRegistryImages(host: string, address: string): Promise<void> {
  const docker = dockerClient(host);
  for (const image of await docker.listImages({filters: {reference: [`${address}/*`]}}))
    await docker
      .getImage(image.Id)
      .remove({force: true})
      .catch(() => undefined);
}

/**
 * The engine at `host` behind a proxy that answers `POST /session` 404, as an engine without
 * BuildKit sessions (or a proxy that passes no protocol upgrades) does; every other request
 * reaches the engine as it was sent.
 */
export async function engineWithoutSessions(
  host: string,
): Promise<{host: string; close(): Promise<void>}> {
  const target = socketPathOf(host);
  const dir = await mkdtemp(path.join(servicesRoot, 'no-sessions-'));
  const socketPath = path.join(dir, 'engine.sock');
  const server = http.createServer((request, response) => {
    const forward = http.request(
      {socketPath: target, method: request.method, path: request.url, headers: request.headers},
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on('error', (error) => response.destroy(error));
    request.pipe(forward);
  });
  server.on('upgrade', (_request, socket) => {
    const body = '{"message":"page not found"}\n';
    socket.end(
      `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, {recursive: true, force: true});
    },
  };
}
