// An OCI registry through the distribution API: the version check (`GET /v2/`) with basic auth,
// and manifest digests (`HEAD /v2/NAME/manifests/REF`). Plain http only for registries on this
// machine, as docker itself allows them.
import http from 'node:http';
import {buffer, text} from 'node:stream/consumers';
import type https from 'node:https';
import {AuthError, UserError} from '../lib/errors.js';
import {networkReason} from './http-failure.js';

export type RegistryCredentials = {username: string; password: string};

export interface RegistryClient {
  /** `host[:port]` */
  readonly host: string;
  /** Throws when the registry does not answer or refuses the credentials. */
  ping(): Promise<void>;
  /** The digest the registry serves for `repository:reference`, or undefined when absent. */
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
  /** Uploads a blob under its digest (`sha256:HEX`), unless the registry has it already. */
  pushBlob(repository: string, digest: string, data: Uint8Array): Promise<void>;
  /** A blob's bytes, or undefined when the registry does not have it. */
  getBlob(repository: string, digest: string): Promise<Buffer | undefined>;
  /** Stores a manifest under a tag; returns the digest the registry gives it. */
  putManifest(
    repository: string,
    tag: string,
    manifest: object,
    mediaType: string,
  ): Promise<string>;
  /** `http(s)://host/v2/REPOSITORY/blobs/DIGEST`: where a container fetches a blob. */
  blobUrl(repository: string, digest: string): string;
  /** The Authorization header value for the stored credentials, if any. */
  readonly authorization: string | undefined;
}

export const manifestAccept = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export function isLocalRegistry(host: string): boolean {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return hostname === 'localhost' || hostname === '::1' || /^127\./.test(hostname);
}

type RegistryRequest = {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: Buffer | string;
};

type RegistryResponse = {
  status: number;
  header(name: string): string | undefined;
  text(): Promise<string>;
  buffer(): Promise<Buffer>;
  /** The body is not wanted: the connection goes back to the pool once it has arrived. */
  discard(): void;
};

/** Kept-alive connections to the registries of this process (a publish asks one several times). */
let agents: {http: http.Agent; https?: https.Agent} | undefined;

/**
 * One request over node:http(s) (not fetch: loading fetch costs a code-change publish more than
 * the registry's answers), redirects followed as fetch follows them: the method turns GET after a
 * 301/302 POST or a 303, and credentials stay with the registry's own origin.
 */
async function send(
  url: URL,
  init: RegistryRequest & {signal: AbortSignal},
  redirects = 0,
): Promise<RegistryResponse> {
  agents ??= {http: new http.Agent({keepAlive: true})};
  // TLS loads only for a registry elsewhere (one on this machine speaks plain http).
  const secure = url.protocol === 'https:' ? await import('node:https') : undefined;
  const transport = secure ?? http;
  const agent = secure ? (agents.https ??= new secure.Agent({keepAlive: true})) : agents.http;
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const outgoing = transport.request(url, {
      method: init.method,
      agent,
      headers: {
        ...init.headers,
        ...(body ? {'content-length': String(body.length)} : {}),
      },
      signal: init.signal,
    });
    outgoing.on('response', resolve);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if ([301, 302, 303, 307, 308].includes(status) && location) {
    response.resume();
    if (redirects >= 20) throw new Error(`more than 20 redirects from ${url.host}`);
    const next = new URL(location, url);
    const toGet =
      (status === 303 && init.method !== 'HEAD') ||
      ((status === 301 || status === 302) && init.method === 'POST');
    const nextHeaders = {...init.headers};
    if (next.origin !== url.origin) delete nextHeaders.authorization;
    if (toGet) delete nextHeaders['content-type'];
    return send(
      next,
      {
        ...init,
        headers: nextHeaders,
        ...(toGet ? {method: 'GET', body: undefined} : {}),
      },
      redirects + 1,
    );
  }
  return {
    status,
    header(name) {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    text: () => text(response),
    buffer: () => buffer(response),
    discard: () => void response.resume(),
  };
}

export function createRegistryClient(options: {
  host: string;
  credentials?: RegistryCredentials;
  timeoutMs?: number;
}): RegistryClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = `${isLocalRegistry(options.host) ? 'http' : 'https'}://${options.host}`;
  const headers: Record<string, string> = {};
  if (options.credentials) {
    const basic = Buffer.from(
      `${options.credentials.username}:${options.credentials.password}`,
    ).toString('base64');
    headers.authorization = `Basic ${basic}`;
  }

  async function request(path: string, init: RegistryRequest): Promise<RegistryResponse> {
    try {
      return await send(new URL(`${base}${path}`), {
        ...init,
        headers: {...headers, ...init.headers},
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new UserError(
        `Can't reach the registry ${options.host}: ${networkReason(error, timeoutMs)}.`,
        {
          hint: (_f, act) =>
            `Start the registry, or check the container_registry uri: ${act({kind: 'stack.describe'})}.`,
          cause: error,
        },
      );
    }
  }

  function refused(): AuthError {
    return new AuthError(
      `The registry ${options.host} refused ${options.credentials ? 'the stored credentials' : 'access without credentials'}.`,
      {
        hint: (f, act) =>
          options.credentials
            ? `Store working ones: ${act({kind: 'token.add', provider: 'registry'})}.`
            : `Store credentials (${act({kind: 'token.add', provider: 'registry'})}) and name them in the container_registry: ${f('options')} credentials=NAME.`,
      },
    );
  }

  async function expect(
    response: RegistryResponse,
    what: string,
    ok: number[],
  ): Promise<RegistryResponse> {
    if (ok.includes(response.status)) return response;
    const body = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) throw refused();
    throw new UserError(
      `The registry ${options.host} answered ${response.status} to ${what}${body ? `: ${body.trim().slice(0, 200)}` : ''}.`,
    );
  }

  return {
    host: options.host,
    authorization: headers.authorization,
    blobUrl: (repository, digest) => `${base}/v2/${repository}/blobs/${digest}`,
    async pushBlob(repository, digest, data) {
      const head = await request(`/v2/${repository}/blobs/${digest}`, {method: 'HEAD'});
      head.discard();
      if (head.status === 200) return;
      const started = await expect(
        await request(`/v2/${repository}/blobs/uploads/`, {method: 'POST'}),
        `an upload to ${repository}`,
        [202],
      );
      started.discard();
      const location = started.header('location');
      if (!location) throw new UserError(`The registry ${options.host} gave no upload location.`);
      const url = new URL(location, base);
      url.searchParams.set('digest', digest);
      const put = await expect(
        await request(url.pathname + url.search, {
          method: 'PUT',
          headers: {'content-type': 'application/octet-stream'},
          body: Buffer.from(data),
        }),
        `the upload of ${digest.slice(0, 19)}`,
        [201],
      );
      put.discard();
    },
    async getBlob(repository, digest) {
      const response = await request(`/v2/${repository}/blobs/${digest}`, {method: 'GET'});
      if (response.status === 404) {
        response.discard();
        return undefined;
      }
      await expect(response, `GET of ${repository}@${digest.slice(0, 19)}`, [200]);
      return await response.buffer();
    },
    async putManifest(repository, tag, manifest, mediaType) {
      const response = await expect(
        await request(`/v2/${repository}/manifests/${tag}`, {
          method: 'PUT',
          headers: {'content-type': mediaType},
          body: JSON.stringify(manifest),
        }),
        `the manifest ${repository}:${tag}`,
        [201],
      );
      response.discard();
      return response.header('docker-content-digest') ?? '';
    },
    async ping() {
      const response = await request('/v2/', {method: 'GET'});
      response.discard();
      if (response.status === 200) return;
      if (response.status === 401) {
        // Bearer-token registries answer 401 here to basic auth by design; only a Basic challenge
        // means the credentials themselves were refused.
        const challenge = response.header('www-authenticate') ?? '';
        if (/^basic/i.test(challenge) || !challenge) throw refused();
        return;
      }
      throw new UserError(`The registry ${options.host} answered ${response.status} to GET /v2/.`, {
        hint: 'Check that the container_registry uri points at an OCI registry.',
      });
    },
    async manifestDigest(repository, reference) {
      const response = await request(`/v2/${repository}/manifests/${reference}`, {
        method: 'HEAD',
        headers: {accept: manifestAccept},
      });
      response.discard();
      if (response.status === 404) return undefined;
      if (response.status === 401) throw refused();
      if (response.status < 200 || response.status > 299) {
        throw new UserError(
          `The registry ${options.host} answered ${response.status} for ${repository}:${reference}.`,
        );
      }
      return response.header('docker-content-digest') ?? undefined;
    },
  };
}
