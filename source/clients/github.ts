// GitHub's REST API through @octokit/rest, loaded on first use so that commands which never
// talk to GitHub do not pay for it.
import type {Octokit} from '@octokit/rest';
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

type RequestFailure = {status?: number; response?: {data?: unknown}};

export type GithubRepository = {
  id: string;
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
        expiresAt: typeof expiration === 'string' ? toIso(expiration) : null,
      };
    } catch (error) {
      throw this.failure(error, 'GET /user');
    }
  }

  protected failure(error: unknown, what: string): Error {
    const failure = error as RequestFailure;
    if (failure.response === undefined) return unreachable(this.host, error, this.timeoutMs);
    if (failure.status === 401) return refusedToken(this.host);
    return unexpectedStatus(this.host, failure.status ?? 0, what);
  }
  // Code repositories ------------------------------------------------------------------------

  /** `GET /repos/{owner}/{repo}`; undefined on 404 (missing, or not visible to the token). */
  async getRepository(owner: string, repo: string): Promise<GithubRepository | undefined> {
    const octokit = await this.api();
    try {
      const {data} = await octokit.rest.repos.get({owner, repo, request: {signal: this.signal()}});
      return {
        id: String(data.id),
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
    return response;
  }
}

const silentLog = {debug() {}, info() {}, warn() {}, error() {}};

/** GitHub writes `2026-01-31 12:00:00 UTC`. */
function toIso(value: string): string {
  const parsed = new Date(value.replace(' UTC', 'Z').replace(' ', 'T'));
  return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
}
