// The registry login the Docker client forwards (X-Registry-Auth) reaches the engine whatever
// its length: the engine decodes it as padded base64 (Go's URLEncoding), so an encoding
// without padding lost the credentials for two lengths in three ("no basic auth credentials").
import {execFileSync} from 'node:child_process';
import {copyFileSync, mkdirSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createDockerClient} from '../../source/clients/docker.js';
import {tempDir} from '../support/cli.js';
import {startDocker, startRegistry} from '../support/services.js';

let host: string;
const image = `berth-test/auth-probe:${process.pid}`;

beforeAll(async () => {
  host = (await startDocker()).host;
  // A two-megabyte image: a static busybox, imported (nothing pulled).
  const root = tempDir('berth-auth-probe-root-');
  mkdirSync(path.join(root, 'bin'));
  copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
  symlinkSync('busybox', path.join(root, 'bin/sh'));
  const tar = path.join(tempDir('berth-auth-probe-tar-'), 'root.tar');
  execFileSync('tar', ['-C', root, '-cf', tar, '.']);
  execFileSync('docker', ['-H', host, 'import', tar, image], {stdio: 'ignore'});
});

afterAll(async () => {
  await createDockerClient(host).removeImage(image);
});

describe('registry login forwarded to the engine', () => {
  test.each(['pw-1234567', 'pw-12345678', 'pw-123456789'])(
    'a push with the password %s reaches the htpasswd registry',
    async (password) => {
      const registry = await startRegistry({htpasswd: {user: 'pusher', password}});
      const docker = createDockerClient(host);
      const repository = `${registry.address}/probe/auth`;
      try {
        await docker.tag(image, repository, '1');
        await docker.push(`${repository}:1`, {
          auth: {username: 'pusher', password, serveraddress: registry.address},
        });
      } finally {
        await docker.removeImage(`${repository}:1`);
        await registry.stop();
      }
    },
    60_000,
  );

  test('without the login, the same push is refused (the test can fail)', async () => {
    const registry = await startRegistry({htpasswd: {user: 'pusher', password: 'pw-1234567'}});
    const docker = createDockerClient(host);
    const repository = `${registry.address}/probe/auth`;
    try {
      await docker.tag(image, repository, '1');
      await expect(docker.push(`${repository}:1`, {})).rejects.toThrow(/auth/i);
    } finally {
      await docker.removeImage(`${repository}:1`);
      await registry.stop();
    }
  }, 60_000);
});
