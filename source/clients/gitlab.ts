// GitLab's REST API (gitlab.com or self-hosted) through @gitbeaker/rest, loaded on first use.
import type {Gitlab} from '@gitbeaker/rest';
import {AuthError} from '../lib/errors.js';
import type {ArchiveResponse} from './archive-download.js';
import {
  defaultHttpTimeoutMs,
  hostOf,
  refusedToken,
  unexpectedStatus,
  unreachable,
} from './http-failure.js';

export type GitlabClientOptions = {apiUrl: string; token: string; timeoutMs?: number};

export type GitlabTokenInfo = {scopes: string[]; expiresAt: string | null; active: boolean};

export type GitlabProject = {
  id: string | null;
  pathWithNamespace: string;
  visibility: string;
  defaultBranch: string | null;
};

type GitbeakerFailure = {name?: string; cause?: {description?: string; response?: Response}};

export class GitlabClient {
  /** The instance URL (gitbeaker's `host`); the API is under /api/v4. */
  readonly apiUrl: string;
  readonly host: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private gitlab: Promise<InstanceType<typeof Gitlab>> | undefined;

  constructor(options: GitlabClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
    this.host = hostOf(this.apiUrl);
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? defaultHttpTimeoutMs;
  }

  protected api(): Promise<InstanceType<typeof Gitlab>> {
    this.gitlab ??= import('@gitbeaker/rest').then(
      ({Gitlab}) =>
        new Gitlab({host: this.apiUrl, token: this.token, queryTimeout: this.timeoutMs}),
    );
    return this.gitlab;
  }

  /** `GET /personal_access_tokens/self`: the token's scopes and expiry (any scope may read it). */
  async getTokenInfo(): Promise<GitlabTokenInfo> {
    const api = await this.api();
    try {
      const token = (await api.PersonalAccessTokens.show()) as unknown as {
        scopes?: string[];
        expires_at?: string | null;
        active?: boolean;
      };
      return {
        scopes: token.scopes ?? [],
        expiresAt: token.expires_at ?? null,
        active: token.active ?? true,
      };
    } catch (error) {
      throw this.failure(error, 'GET /api/v4/personal_access_tokens/self');
    }
  }

  /** `GET /user`: the login. Undefined when the token's scopes do not allow it (403). */
  async getCurrentUser(): Promise<{login: string} | undefined> {
    const api = await this.api();
    try {
      const user = (await api.Users.showCurrentUser()) as unknown as {username: string};
      return {login: user.username};
    } catch (error) {
      if (statusOf(error) === 403) return undefined;
      throw this.failure(error, 'GET /api/v4/user');
    }
  }

  protected failure(error: unknown, what: string): Error {
    const status = statusOf(error);
    if (status === undefined) return unreachable(this.host, error, this.timeoutMs);
    if (status === 401) {
      const cause = (error as GitbeakerFailure).cause;
      // GitLab says why in the challenge: `error_description="Token has expired."`.
      return refusedToken(
        this.host,
        `${cause?.description ?? ''} ${cause?.response?.headers.get('www-authenticate') ?? ''}`,
      );
    }
    return unexpectedStatus(this.host, status, what);
  }
  // Code repositories ------------------------------------------------------------------------

  /**
   * `GET /projects/{id or url-encoded path}`; undefined on 404 (missing, or not visible to the
   * token). A 403 means the token sees the project but lacks a scope to read it.
   */
  async getProject(idOrPath: string): Promise<GitlabProject | undefined> {
    // gitbeaker insists on a token; a public project is read without one.
    if (!this.token) return this.getPublicProject(idOrPath);
    const api = await this.api();
    try {
      return toProject((await api.Projects.show(idOrPath)) as unknown as RawProject);
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return undefined;
      if (status === 403) throw insufficientScope(this.host, error);
      throw this.failure(error, `GET /api/v4/projects/${encodeURIComponent(idOrPath)}`);
    }
  }

  private async getPublicProject(idOrPath: string): Promise<GitlabProject | undefined> {
    const what = `GET /api/v4/projects/${encodeURIComponent(idOrPath)}`;
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}/api/v4/projects/${encodeURIComponent(idOrPath)}`, {
        headers: {accept: 'application/json', 'user-agent': 'berth'},
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unreachable(this.host, error, this.timeoutMs);
    }
    if (response.status === 404 || response.status === 401) return undefined;
    if (!response.ok) throw unexpectedStatus(this.host, response.status, what);
    return toProject((await response.json()) as RawProject);
  }

  /** `GET /projects/{id}/repository/archive.tar.gz?sha=`, streamed. */
  async openArchive(
    idOrPath: string,
    sha: string,
    options: {signal?: AbortSignal} = {},
  ): Promise<ArchiveResponse> {
    const {requestArchive} = await import('./archive-download.js');
    const url = `${this.apiUrl}/api/v4/projects/${encodeURIComponent(idOrPath)}/repository/archive.tar.gz?sha=${encodeURIComponent(sha)}`;
    const headers: Record<string, string> = {'user-agent': 'berth'};
    if (this.token) headers['private-token'] = this.token;
    const response = await requestArchive(url, {
      headers,
      idleTimeoutMs: this.timeoutMs,
      signal: options.signal,
    });
    if (response.status === 401) throw refusedToken(this.host);
    if (response.status === 403) throw insufficientScope(this.host, undefined);
    return response;
  }
}

function statusOf(error: unknown): number | undefined {
  const failure = error as GitbeakerFailure;
  if (failure.name === 'GitbeakerTimeoutError') return undefined;
  return failure.cause?.response?.status;
}

/** 403 from GitLab: the token is valid but its scopes do not allow reading the project. */
function insufficientScope(host: string, error: unknown): AuthError {
  const challenge =
    (error as GitbeakerFailure | undefined)?.cause?.response?.headers.get('www-authenticate') ?? '';
  const scope = /scope="([^"]*)"/.exec(challenge)?.[1];
  return new AuthError(
    `The token may not read this project on ${host}${scope ? ` (it needs one of the scopes: ${scope.split(' ').join(', ')})` : ''}.`,
    {
      hint: (_f, act) =>
        `Create a token with the read_api scope and add it: ${act({kind: 'token.add', provider: 'gitlab'})}.`,
    },
  );
}

/** The fields of GitLab's project JSON that berth reads. */
type RawProject = {
  id?: number | null;
  path_with_namespace: string;
  visibility?: string;
  default_branch?: string | null;
};

function toProject(project: RawProject): GitlabProject {
  return {
    id: project.id === undefined || project.id === null ? null : String(project.id),
    pathWithNamespace: project.path_with_namespace,
    visibility: project.visibility ?? 'private',
    defaultBranch: project.default_branch ?? null,
  };
}
