import {readFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, test} from 'vitest';
import {
  baseImage,
  dockerClient,
  ensureBaseImage,
  pingDocker,
  registryDigest,
  registryTags,
  startDocker,
  startRegistry,
} from './services.js';
import {servicesRoot} from './services/common.js';
import {buildImage, dockerPidFile, runContainer, socketPathOf} from './services/docker.js';

describe('private Docker engine', () => {
  let host: string;
  beforeAll(async () => {
    host = (await startDocker()).host;
    // The first build on a machine runs debootstrap (about a minute): hook timeout, not test's.
    await ensureBaseImage(host);
  });

  test('answers on its own unix socket and is reused, not started twice', async () => {
    expect(host).toBe(`unix://${path.join(servicesRoot, 'docker', 'docker.sock')}`);
    const pid = readFileSync(dockerPidFile, 'utf8').trim();
    const again = await Promise.all([startDocker(), startDocker()]);
    expect(again.map((engine) => engine.host)).toEqual([host, host]);
    expect(readFileSync(dockerPidFile, 'utf8').trim()).toBe(pid);
    expect(await pingDocker(socketPathOf(host))).toBe(true);
  });

  test('has no bridge network, so containers get no private-range address', async () => {
    const networks = await dockerClient(host).listNetworks();
    expect(networks.map((network) => network.Name)).not.toContain('bridge');
  });

  test('the base image runs python 3.11 and pip, offline', async () => {
    expect(await ensureBaseImage(host)).toBe(baseImage);
    const python = await runContainer(host, baseImage, [
      'python',
      '-c',
      'import sys; print(sys.version_info[:2])',
    ]);
    expect(python).toMatchObject({code: 0, stdout: '(3, 11)\n'});
    const pip = await runContainer(host, baseImage, ['pip', '--version']);
    expect(pip.code).toBe(0);
    expect(pip.stdout).toMatch(/^pip \d+/);
    const inspect = await dockerClient(host).getImage(baseImage).inspect();
    expect(inspect.Config.Cmd).toEqual(['python3']);
    expect(inspect.Config.Env).toContain('PIP_BREAK_SYSTEM_PACKAGES=1');
  });

  test('a failing build step is reported as an error', async () => {
    await expect(
      buildImage(
        host,
        {Dockerfile: `FROM ${baseImage}\nRUN python -c "raise SystemExit(3)"\n`},
        'berth-test/failing:1',
      ),
    ).rejects.toThrow(/failed: .*non-zero code: 3/);
  });
});

describe('registry', () => {
  let host: string;
  beforeAll(async () => {
    host = (await startDocker()).host;
    await buildImage(
      host,
      {Dockerfile: 'FROM scratch\nCOPY hello.txt /\n', 'hello.txt': 'hello\n'},
      'berth-test/hello:1',
    );
  });

  test('without auth: a pushed tag shows up with its digest', async () => {
    const registry = await startRegistry();
    try {
      expect(registry.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await registryTags(registry.address, 'hello')).toEqual([]);
      expect(await registryDigest(registry.address, 'hello', 'v1')).toBeUndefined();
      const docker = dockerClient(host);
      await docker
        .getImage('berth-test/hello:1')
        .tag({repo: `${registry.address}/hello`, tag: 'v1'});
      await push(docker, `${registry.address}/hello:v1`, {});
      expect(await registryTags(registry.address, 'hello')).toEqual(['v1']);
      expect(await registryDigest(registry.address, 'hello', 'v1')).toMatch(
        /^sha256:[0-9a-f]{64}$/,
      );
    } finally {
      await registry.stop();
    }
    await expect(fetch(`http://${registry.address}/v2/`)).rejects.toThrow();
  });

  test('with htpasswd: anonymous requests are refused, credentials push and read', async () => {
    const auth = {user: 'pusher', password: 'test-password-1'};
    const registry = await startRegistry({htpasswd: auth});
    try {
      const anonymous = await fetch(`http://${registry.address}/v2/`);
      expect(anonymous.status).toBe(401);
      await expect(registryTags(registry.address, 'hello')).rejects.toThrow(/401/);
      const docker = dockerClient(host);
      await docker
        .getImage('berth-test/hello:1')
        .tag({repo: `${registry.address}/team/hello`, tag: 'v2'});
      await expect(
        push(docker, `${registry.address}/team/hello:v2`, {username: 'pusher', password: 'wrong'}),
      ).rejects.toThrow(/unauthorized|authentication required|no basic auth/i);
      await push(docker, `${registry.address}/team/hello:v2`, {
        username: auth.user,
        password: auth.password,
      });
      expect(await registryTags(registry.address, 'team/hello', auth)).toEqual(['v2']);
      expect(await registryDigest(registry.address, 'team/hello', 'v2', auth)).toMatch(/^sha256:/);
    } finally {
      await registry.stop();
    }
  });
});

async function push(
  docker: ReturnType<typeof dockerClient>,
  reference: string,
  authconfig: {username?: string; password?: string},
): Promise<void> {
  const stream = await docker
    .getImage(reference)
    .push({authconfig: {...authconfig, serveraddress: reference.split('/')[0]}});
  const events = await new Promise<Array<Record<string, unknown>>>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (error: Error | null, result: Array<Record<string, unknown>>) =>
        error ? reject(error) : resolve(result),
    ),
  );
  const failed = events.find(
    (event) => event.error !== undefined || event.errorDetail !== undefined,
  );
  if (failed) throw new Error(`push ${reference}: ${String(failed.error)}`);
}
