// Checks registry credentials against an OCI registry's `GET /v2/` (the Docker Registry HTTP
// API's version check): 200 = accepted (or no auth), 401 = refused.
import {ExitCode, FieldError} from '../lib/errors.js';
import {
  defaultHttpTimeoutMs,
  networkReason,
  refusedToken,
  unexpectedStatus,
} from './http-failure.js';

export type RegistryCheck = {url: string; authenticated: boolean};

export async function checkRegistryLogin(options: {
  host: string;
  username: string;
  password: string;
  timeoutMs?: number;
}): Promise<RegistryCheck> {
  const timeoutMs = options.timeoutMs ?? defaultHttpTimeoutMs;
  const hostname = options.host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const local = hostname === 'localhost' || hostname === '::1' || /^127\./.test(hostname);
  // Like docker: https first; plain http only for registries on this machine.
  const bases = [`https://${options.host}`, ...(local ? [`http://${options.host}`] : [])];
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  let lastError: unknown;
  for (const base of bases) {
    let response: Response;
    try {
      response = await fetch(`${base}/v2/`, {
        headers: {authorization},
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
    } catch (error) {
      lastError = error;
      continue;
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 200) return {url: base, authenticated: true};
    if (response.status === 401) {
      // Bearer-token registries (Docker Hub, GHCR) answer 401 to basic auth at /v2/ whatever the
      // credentials: only a Basic challenge means these credentials were checked and refused.
      const challenge = response.headers.get('www-authenticate') ?? '';
      if (/^basic/i.test(challenge)) throw refusedToken(options.host);
      return {url: base, authenticated: false};
    }
    throw unexpectedStatus(options.host, response.status, 'GET /v2/');
  }
  throw new FieldError(
    'apiUrl',
    `Can't reach the registry ${options.host}: ${networkReason(lastError, timeoutMs)}.`,
    {
      hint: (f) => `Check the ${f('apiUrl')} (HOST[:PORT]) and that the registry is running.`,
      exitCode: ExitCode.failure,
    },
  );
}
