// The registry client speaks the distribution API over node:http (no fetch): credentials checked
// at /v2/, blobs and manifests stored and read back, redirects followed as fetch follows them
// (credentials kept to the registry's own origin), and a registry that does not answer named.
import {createHash} from 'node:crypto';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createRegistryClient} from '../../source/clients/registry.js';
import {AuthError, UserError} from '../../source/lib/errors.js';
import {startRegistry, type Registry} from '../support/services.js';

const credentials = {username: 'pusher', password: 'pw-registry-client'};
let registry: Registry;

beforeAll(async () => {
  registry = await startRegistry({
    htpasswd: {user: credentials.username, password: credentials.password},
  });
});

afterAll(async () => {
  await registry?.stop();
});

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

describe('registry client', () => {
  test('stores a blob and a manifest with the credentials and reads them back', async () => {
    const client = createRegistryClient({host: registry.address, credentials});
    await client.ping();
    const config = Buffer.from(
      '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
    const configDigest = digestOf(config);
    expect(await client.getBlob('probe/client', configDigest)).toBeUndefined();
    await client.pushBlob('probe/client', configDigest, config);
    // Pushed again: the registry has it (HEAD), nothing is uploaded twice.
    await client.pushBlob('probe/client', configDigest, config);
    expect(await client.getBlob('probe/client', configDigest)).toEqual(config);

    expect(await client.manifestDigest('probe/client', 'v1')).toBeUndefined();
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [],
    };
    const stored = await client.putManifest(
      'probe/client',
      'v1',
      manifest,
      'application/vnd.oci.image.manifest.v1+json',
    );
    expect(stored).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await client.manifestDigest('probe/client', 'v1')).toBe(stored);
  });

  test('refused credentials are an auth error naming the registry', async () => {
    const client = createRegistryClient({
      host: registry.address,
      credentials: {username: credentials.username, password: 'wrong-password'},
    });
    const error = await client.ping().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      `The registry ${registry.address} refused the stored credentials.`,
    );
    expect((error as Error).message).not.toContain('wrong-password');
  });

  test('follows a blob redirect to storage elsewhere, without the credentials', async () => {
    const data = Buffer.from('layer bytes kept in storage');
    const seen: Array<string | undefined> = [];
    const storage = http.createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200, {'content-length': data.length}).end(data);
    });
    const storageAddress = await listen(storage);
    const front = http.createServer((request, response) => {
      if (request.url?.includes('/blobs/')) {
        response.writeHead(307, {location: `http://${storageAddress}/objects${request.url}`}).end();
      } else response.writeHead(404).end();
    });
    const frontAddress = await listen(front);
    try {
      const client = createRegistryClient({host: frontAddress, credentials});
      expect(await client.getBlob('probe/redirect', digestOf(data))).toEqual(data);
      expect(seen).toEqual([undefined]);
    } finally {
      storage.close();
      front.close();
    }
  });

  test('a registry that does not answer is named with the reason', async () => {
    const closed = http.createServer();
    const address = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const client = createRegistryClient({host: address});
    const error = await client.ping().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `Can't reach the registry ${address}: connection refused.`,
    );
  });
});
