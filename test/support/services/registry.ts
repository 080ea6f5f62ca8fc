// A Docker registry (distribution) per caller, on a free 127.0.0.1 port, optionally behind
// htpasswd basic auth.
import {spawn} from 'node:child_process';
import {closeSync, openSync} from 'node:fs';
import {rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {tempDir} from '../cli.js';
import {waitFor} from '../wait.js';
import {freePort, readTail, run, servicePath, terminate, trackProcess} from './common.js';

export type RegistryAuth = {user: string; password: string};

export type Registry = {
  /** `127.0.0.1:PORT`, the form image references use. */
  address: string;
  stop(): Promise<void>;
};

const manifestAccept = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

function authHeaders(auth?: RegistryAuth): Record<string, string> {
  if (!auth) return {};
  const basic = Buffer.from(`${auth.user}:${auth.password}`).toString('base64');
  return {authorization: `Basic ${basic}`};
}

export async function startRegistry(options: {htpasswd?: RegistryAuth} = {}): Promise<Registry> {
  const dir = tempDir('berth-registry-');
  const lines = ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:'];
  lines.push(`    rootdirectory: ${path.join(dir, 'data')}`, '  delete:', '    enabled: true');
  if (options.htpasswd) {
    // The password goes in on stdin (-i), never in argv.
    const {stdout} = await run('htpasswd', ['-Bin', options.htpasswd.user], {
      input: options.htpasswd.password,
    });
    await writeFile(path.join(dir, 'htpasswd'), stdout, {mode: 0o600});
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: berth-test',
      `    path: ${path.join(dir, 'htpasswd')}`,
    );
  }
  const logFile = path.join(dir, 'registry.log');
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const config = path.join(dir, 'config.yml');
    await writeFile(config, [...lines, 'http:', `  addr: ${address}`, ''].join('\n'));
    const log = openSync(logFile, 'a');
    const child = spawn('docker-registry', ['serve', config], {
      stdio: ['ignore', log, log],
      env: {...process.env, PATH: servicePath},
    });
    closeSync(log);
    let exit: string | undefined;
    child.once('error', (error) => (exit = `could not start: ${error.message}`));
    child.once('exit', (code, signal) => (exit = `exited (${signal ?? code})`));
    if (child.pid === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error(`docker-registry ${exit ?? 'could not start'}`);
    }
    const pid = child.pid;
    const untrack = trackProcess(pid, 'registry');
    const ready = await waitFor(
      async () => {
        if (exit !== undefined) return 'exited';
        const response = await fetch(`http://${address}/v2/`);
        await response.body?.cancel();
        return response.status === 200 || response.status === 401 ? 'ready' : undefined;
      },
      {timeoutMs: 20_000, intervalMs: 50, message: `the registry on ${address}`},
    ).catch((error: Error) => error.message);
    if (ready === 'ready') {
      return {
        address,
        async stop() {
          if (exit === undefined) {
            const exited = new Promise((resolve) => child.once('exit', resolve));
            await terminate(pid);
            await exited;
          }
          untrack();
          await rm(dir, {recursive: true, force: true});
        },
      };
    }
    await terminate(pid);
    untrack();
    lastError = `${ready === 'exited' ? `docker-registry ${exit}` : ready}\n${readTail(logFile)}`;
    // Most likely another process took the port between freePort() and listen: try another.
  }
  throw new Error(`The test registry did not start: ${lastError}`);
}

/** Tags of `repository` in the registry at `address` (empty when the repository is unknown). */
export async function registryTags(
  address: string,
  repository: string,
  auth?: RegistryAuth,
): Promise<string[]> {
  const response = await fetch(`http://${address}/v2/${repository}/tags/list`, {
    headers: authHeaders(auth),
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) throw new Error(`GET tags of ${repository}: HTTP ${response.status}`);
  const body = (await response.json()) as {tags?: string[] | null};
  return [...(body.tags ?? [])].sort();
}

/** The manifest digest (`sha256:...`) the registry serves for `repository:tag`, if any. */
export async function registryDigest(
  address: string,
  repository: string,
  tag: string,
  auth?: RegistryAuth,
): Promise<string | undefined> {
  const response = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {accept: manifestAccept, ...authHeaders(auth)},
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`HEAD manifest ${repository}:${tag}: HTTP ${response.status}`);
  return response.headers.get('docker-content-digest') ?? undefined;
}
