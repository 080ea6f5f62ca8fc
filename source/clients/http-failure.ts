// Turns failed HTTP calls to a forge or registry into the errors berth shows. Messages name the
// host, never the request (its headers carry the token).
import {AuthError, ExitCode, FieldError} from '../lib/errors.js';

export const defaultHttpTimeoutMs = 10_000;

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The token was refused (401). */
export function refusedToken(host: string, detail?: string): AuthError {
  const expired = detail && /expired/i.test(detail) ? ' (the server says it has expired)' : '';
  return new AuthError(`The token was refused by ${host}: it is invalid or expired${expired}.`, {
    hint: (_f, act) => `Create a new token and add it again: ${act({kind: 'token.add'})}.`,
  });
}

/** Connection refused, DNS failure, TLS failure or timeout: nothing answered. */
export function unreachable(host: string, error: unknown, timeoutMs: number): FieldError {
  return new FieldError('apiUrl', `Can't reach ${host}: ${networkReason(error, timeoutMs)}.`, {
    exitCode: ExitCode.failure,
    hint: (f) => `Check the ${f('apiUrl')} and your network or proxy.`,
  });
}

export function unexpectedStatus(host: string, status: number, what: string): FieldError {
  return new FieldError('apiUrl', `${host} answered ${status} to ${what}.`, {
    exitCode: ExitCode.failure,
    hint:
      status === 404
        ? (f) =>
            `Check that the ${f('apiUrl')} points at the API (GitHub Enterprise: https://HOST/api/v3).`
        : 'Try again later.',
  });
}

export function networkReason(error: unknown, timeoutMs: number): string {
  const chain: unknown[] = [];
  for (
    let current: unknown = error;
    current && chain.length < 5;
    current = (current as {cause?: unknown}).cause
  ) {
    chain.push(current);
  }
  for (const item of chain) {
    const e = item as {name?: string; code?: string; message?: string};
    if (
      e.name === 'TimeoutError' ||
      e.name === 'AbortError' ||
      e.name === 'GitbeakerTimeoutError'
    ) {
      return `no answer within ${timeoutMs / 1000} s`;
    }
    switch (e.code) {
      case 'ECONNREFUSED':
        return 'connection refused';
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return 'the host name does not resolve';
      case 'ECONNRESET':
        return 'the connection was reset';
      case 'ETIMEDOUT':
      case 'UND_ERR_CONNECT_TIMEOUT':
        return `no answer within ${timeoutMs / 1000} s`;
      default:
        break;
    }
    if (e.code && /^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(e.code))
      return `TLS failed (${e.code})`;
  }
  const last = chain.at(-1) as {message?: string} | undefined;
  return last?.message ?? 'unknown network error';
}
