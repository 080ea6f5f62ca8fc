// GitHub's REST API through @octokit/rest, loaded on first use so that commands which never
// talk to GitHub do not pay for it.
import type {Octokit} from '@octokit/rest';
import {AuthError, UserError} from '../lib/errors.js';
import type {ArchiveResponse} from './archive-download.js';
import {
  defaultHttpTimeoutMs,
  hostOf,
  refusedToken,
  unexpectedStatus,
  unreachable,
} from './http-failure.js';

export type GithubClientOptions = {apiUrl: string; token: string; timeoutMs?: number};

export type GithubUser = {
  login: string;
  /** Classic token scopes from `X-OAuth-Scopes`; null for fine-grained tokens (no header). */
  scopes: string[] | null;
  /** From `GitHub-Authentication-Token-Expiration`, when the token has an expiry. */
  expiresAt: string | null;
};

type RequestFailure = {
  status?: number;
  response?: {data?: unknown; headers?: Record<string, string | number | undefined>};
};

export type GithubRepository = {
  /** GitHub's numeric id; null when the response lacks one. */
  id: string | null;
  fullName: string;
  private: boolean;
  defaultBranch: string | null;
};

export class GithubClient {
  readonly apiUrl: string;
  readonly host: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private octokit: Promise<Octokit> | undefined;

  constructor(options: GithubClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.host = hostOf(this.apiUrl);
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? defaultHttpTimeoutMs;
  }

  /** The REST client; each call gets its own timeout through `request: {signal}`. */
  protected api(): Promise<Octokit> {
    this.octokit ??= import('@octokit/rest').then(
      ({Octokit}) =>
        new Octokit({auth: this.token, baseUrl: this.apiUrl, userAgent: 'berth', log: silentLog}),
    );
    return this.octokit;
  }

  protected signal(): AbortSignal {
    return AbortSignal.timeout(this.timeoutMs);
  }

  /** `GET /user`: who the token belongs to and what it may do. */
  async getAuthenticatedUser(): Promise<GithubUser> {
    const octokit = await this.api();
    try {
      const response = await octokit.rest.users.getAuthenticated({
        request: {signal: this.signal()},
      });
      const scopesHeader = response.headers['x-oauth-scopes'];
      const expiration = response.headers['github-authentication-token-expiration'];
      return {
        login: response.data.login,
        scopes:
          typeof scopesHeader === 'string'
            ? scopesHeader
                .split(',')
                .map((scope) => scope.trim())
                .filter(Boolean)
            : null,
        expiresAt: typeof expiration === 'string' ? expirationToIso(expiration) : null,
      };
    } catch (error) {
      throw this.failure(error, 'GET /user');
    }
  }

  protected failure(error: unknown, what: string): Error {
    const failure = error as RequestFailure;
    if (failure.response === undefined) return unreachable(this.host, error, this.timeoutMs);
    if (failure.status === 401) return refusedToken(this.host);
    if (failure.status === 403 || failure.status === 429)
      return forbidden(this.host, failure.response, what);
    return unexpectedStatus(this.host, failure.status ?? 0, what);
  }
  // Code repositories ------------------------------------------------------------------------

  /**
   * `GET /repos/{owner}/{repo}`; undefined on 404 (missing, or not visible to the token). A
   * renamed or transferred repository answers 301 to `/repositories/{id}`, which is followed:
   * `fullName` is then the canonical owner/name, not the one asked for.
   */
  async getRepository(owner: string, repo: string): Promise<GithubRepository | undefined> {
    const octokit = await this.api();
    try {
      const {data} = await octokit.rest.repos.get({owner, repo, request: {signal: this.signal()}});
      return {
        id: data.id === undefined || data.id === null ? null : String(data.id),
        fullName: data.full_name,
        private: data.private,
        defaultBranch: data.default_branch ?? null,
      };
    } catch (error) {
      if ((error as RequestFailure).status === 404) return undefined;
      throw this.failure(error, `GET /repos/${owner}/${repo}`);
    }
  }

  /**
   * `GET /repos/{owner}/{repo}/tarball/{ref}`, streamed. GitHub redirects to codeload; the
   * token is sent to the API host only (the redirect URL carries its own short-lived ticket).
   */
  async openTarball(
    owner: string,
    repo: string,
    ref: string,
    options: {signal?: AbortSignal} = {},
  ): Promise<ArchiveResponse> {
    const {requestArchive} = await import('./archive-download.js');
    const url = `${this.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/tarball/${encodeURIComponent(ref)}`;
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'user-agent': 'berth',
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await requestArchive(url, {
      headers,
      idleTimeoutMs: this.timeoutMs,
      signal: options.signal,
    });
    if (response.status === 401) throw refusedToken(this.host);
    if (response.refusal)
      throw forbidden(this.host, response.refusal, `GET /repos/${owner}/${repo}/tarball`);
    return response;
  }
}

const silentLog = {debug() {}, info() {}, warn() {}, error() {}};

const EXPIRATION =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `GitHub-Authentication-Token-Expiration` as ISO 8601 (UTC), or null when it can't be read.
 * GitHub writes `2026-01-31 12:00:00 UTC`, and also an offset: `2027-03-19 00:00:00 -0500`.
 */
export function expirationToIso(value: string): string | null {
  const match = EXPIRATION.exec(value.trim());
  if (!match) return null;
  const [, date, time, zone = 'UTC'] = match;
  const offset = /^(UTC|GMT|Z)$/i.test(zone) ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const parsed = new Date(`${date}T${time}${offset}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

/**
 * Why GitHub answered 403: its rate limit is used up (and when it resets), the organization's
 * SAML SSO has not authorised the token (and where to do it), or the token lacks a scope;
 * otherwise the message GitHub sent.
 */
export function forbidden(
  host: string,
  response: RequestFailure['response'],
  what: string,
): UserError {
  const headers = response?.headers ?? {};
  const header = (name: string) => {
    const value = headers[name];
    return value === undefined ? undefined : String(value);
  };
  const data = response?.data as {message?: unknown} | undefined;
  const message = typeof data?.message === 'string' ? data.message.slice(0, 300) : '';
  const remaining = header('x-ratelimit-remaining');
  const retryAfter = header('retry-after');
  if (remaining === '0' || retryAfter !== undefined || /rate limit/i.test(message)) {
    const reset = Number(header('x-ratelimit-reset'));
    const when =
      retryAfter !== undefined && Number.isFinite(Number(retryAfter))
        ? `in ${Number(retryAfter)} s`
        : Number.isFinite(reset) && reset > 0
          ? `at ${new Date(reset * 1000).toISOString().replace(/\.\d+Z$/, 'Z')}`
          : 'later';
    return new UserError(`${host}'s API rate limit is used up; it resets ${when}.`, {
      hint: `Wait until then${header('x-ratelimit-limit') === '60' ? ', or use a token (60 requests an hour without one, 5,000 with)' : ''}, then run the command again.`,
    });
  }
  const sso = header('x-github-sso');
  if (sso !== undefined) {
    const url = /url=(\S+)/.exec(sso)?.[1];
    return new AuthError(
      `The organization on ${host} uses SAML single sign-on and has not authorised this token.`,
      {
        hint: url
          ? `Authorise the token for the organization: open ${url}, then run the command again.`
          : 'Authorise the token for the organization (token settings → Configure SSO), then run the command again.',
      },
    );
  }
  const accepted = header('x-accepted-oauth-scopes');
  const granted = header('x-oauth-scopes');
  if (accepted && granted !== undefined) {
    const has = new Set(granted.split(',').map((scope) => scope.trim()));
    const needed = accepted
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    if (!needed.some((scope) => has.has(scope))) {
      return new AuthError(
        `The token may not do ${what} on ${host}: it needs one of the scopes ${needed.join(', ')} (it has ${granted.trim() || 'none'}).`,
        {
          hint: (_f, act) =>
            `Create a token with one of those scopes and add it again: ${act({kind: 'token.add', provider: 'github'})}.`,
        },
      );
    }
  }
  return new AuthError(
    `${host} refused ${what} (403)${message ? `: ${message.replace(/\.$/, '')}` : ''}.`,
    {
      hint: 'Check that the token can read the repository (fine-grained tokens: the repository and its Contents permission).',
    },
  );
}
