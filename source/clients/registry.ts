// An OCI registry through the distribution API: the version check (`GET /v2/`) with basic auth,
// and manifest digests (`HEAD /v2/NAME/manifests/REF`). Plain http only for registries on this
// machine, as docker itself allows them.
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

  async function request(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, {
        ...init,
        headers: {...headers, ...(init.headers as Record<string, string> | undefined)},
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new UserError(
        `Can't reach the registry ${options.host}: ${networkReason(error, timeoutMs)}.`,
        {
          hint: 'Start the registry, or check the container_registry uri: `berth stack describe`.',
          cause: error,
        },
      );
    }
  }

  function refused(): AuthError {
    return new AuthError(
      `The registry ${options.host} refused ${options.credentials ? 'the stored credentials' : 'access without credentials'}.`,
      {
        hint: options.credentials
          ? 'Store working ones: `berth token add registry --name NAME --api-url HOST:PORT --username USER --stdin`.'
          : 'Store credentials with `berth token add registry ...` and name them in the container_registry: --option credentials=NAME.',
      },
    );
  }

  return {
    host: options.host,
    async ping() {
      const response = await request('/v2/', {method: 'GET'});
      await response.body?.cancel().catch(() => undefined);
      if (response.status === 200) return;
      if (response.status === 401) {
        // Bearer-token registries answer 401 here to basic auth by design; only a Basic challenge
        // means the credentials themselves were refused.
        const challenge = response.headers.get('www-authenticate') ?? '';
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
      await response.body?.cancel().catch(() => undefined);
      if (response.status === 404) return undefined;
      if (response.status === 401) throw refused();
      if (!response.ok) {
        throw new UserError(
          `The registry ${options.host} answered ${response.status} for ${repository}:${reference}.`,
        );
      }
      return response.headers.get('docker-content-digest') ?? undefined;
    },
  };
}
