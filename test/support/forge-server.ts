// A local GitHub + GitLab API on 127.0.0.1, backed by real git repositories on disk. It speaks
// the endpoints berth uses with the real status codes, headers and bodies, logs every request,
// and can serve hostile archives. GitHub lives at the root (like api.github.com), GitLab under
// /api/v4 (gitbeaker's `host` is the server's URL).
import {execFile, execFileSync, spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {Readable} from 'node:stream';

export type ForgeToken = {
  token: string;
  login: string;
  /** GitHub classic scopes (`X-OAuth-Scopes`); undefined = fine-grained token (no header). */
  scopes?: string[];
  expired?: boolean;
  /** Present for GitLab tokens: personal access token scopes and expiry (`YYYY-MM-DD`). */
  gitlab?: {scopes: string[]; expiresAt?: string | null};
  /** Defaults to `gitlab` when `gitlab` is set, else `github`. */
  provider?: Provider;
  /** GitHub: the raw `GitHub-Authentication-Token-Expiration` header sent with every reply. */
  githubExpiration?: string;
  /** GitHub: every request with this token is answered 403 with these headers and message. */
  githubForbidden?: {headers: Record<string, string>; message: string};
};

export type Provider = 'github' | 'gitlab';

export type ForgeRepositoryOptions = {
  provider: Provider;
  /** `owner/repo` (GitHub) or `group/sub/project` (GitLab). */
  path: string;
  /** A real git repository (bare or with a work tree). */
  gitDir: string;
  private?: boolean;
  /** Defaults to the repository's HEAD branch. */
  defaultBranch?: string;
  /** Logins that may read a private repository; default: any valid token. */
  members?: string[];
};

export type ArchiveRequest = {
  provider: Provider;
  path: string;
  sha: string;
  /** The top-level directory the real forge would use. */
  prefix: string;
};

/** Return bytes or a stream to serve instead of the real archive; undefined serves the real one. */
export type ArchiveOverride = (
  request: ArchiveRequest,
) => Uint8Array | Readable | undefined | Promise<Uint8Array | Readable | undefined>;

export type ForgeRequest = {
  method: string;
  path: string;
  query: string;
  provider?: Provider;
  /** The login of the token the request presented (valid or not), if it is a known token. */
  login?: string;
};

export type ForgeServer = {
  url: string;
  /** For octokit's `baseUrl`. */
  githubApiUrl: string;
  /** For gitbeaker's `host`; the API is under `${gitlabUrl}/api/v4`. */
  gitlabUrl: string;
  requests: ForgeRequest[];
  reset(): void;
  addToken(token: ForgeToken): void;
  addRepository(options: ForgeRepositoryOptions): {id: number; webUrl: string};
  /**
   * Renames (or transfers) a repository as the forges do: GitHub answers the old path with 301
   * to `/repositories/{id}` (as recorded in @octokit/fixtures' rename-repository scenario);
   * GitLab answers the old path with the project under its new `path_with_namespace`.
   */
  renameRepository(provider: Provider, oldPath: string, newPath: string): void;
  archiveOverride(fn: ArchiveOverride | undefined): void;
  close(): Promise<void>;
};

export type ForgeServerOptions = {tokens?: ForgeToken[]};

type Repository = ForgeRepositoryOptions & {
  id: number;
  defaultBranch: string;
  formerPaths?: string[];
};

type Reply = {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: Uint8Array | Readable;
};

const githubDocs = 'https://docs.github.com/rest';

function gitOutput(gitDir: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', gitDir, ...args],
      {encoding: 'buffer', maxBuffer: 256 * 1024 * 1024},
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

async function gitText(gitDir: string, args: string[]): Promise<string> {
  return (await gitOutput(gitDir, args)).toString('utf8').trim();
}

async function resolveRef(
  gitDir: string,
  ref: string,
  kind = 'commit',
): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  return gitText(gitDir, ['rev-parse', '--verify', '--quiet', `${ref}^{${kind}}`]).catch(
    () => undefined,
  );
}

type TreeEntry = {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
  path: string;
};

/** `git ls-tree -l -z` parsed; paths are relative to the tree listed. */
async function lsTree(gitDir: string, treeish: string, recursive: boolean): Promise<TreeEntry[]> {
  return parseTree(
    await gitOutput(gitDir, ['ls-tree', '-l', '-z', ...(recursive ? ['-r', '-t'] : []), treeish]),
  );
}

/** The one entry at `filePath` in commit `sha`, if there is one. */
async function lsPath(
  gitDir: string,
  sha: string,
  filePath: string,
): Promise<TreeEntry | undefined> {
  const entries = parseTree(await gitOutput(gitDir, ['ls-tree', '-l', '-z', sha, '--', filePath]));
  return entries.find((entry) => entry.path === filePath);
}

function parseTree(buffer: Buffer): TreeEntry[] {
  const output = buffer.toString('utf8');
  return output
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode = '', type = '', sha = '', size = '-'] = line.slice(0, tab).split(/\s+/);
      return {
        mode,
        type: type as TreeEntry['type'],
        sha,
        size: size === '-' ? undefined : Number(size),
        path: line.slice(tab + 1),
      };
    });
}

function archiveStream(gitDir: string, sha: string, prefix: string): Readable {
  const child = spawn(
    'git',
    ['-C', gitDir, 'archive', '--format=tar.gz', `--prefix=${prefix}`, sha],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return child.stdout;
}

/** Path segments with each one percent-decoded (GitLab ids are `group%2Fproject`). */
function segments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment));
}

function bearer(header: string | undefined, schemes: string[]): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  return scheme && value && schemes.includes(scheme.toLowerCase()) ? value : undefined;
}

export async function startForgeServer(options: ForgeServerOptions = {}): Promise<ForgeServer> {
  const tokens = new Map<string, ForgeToken>();
  for (const token of options.tokens ?? []) tokens.set(token.token, token);
  const repositories: Repository[] = [];
  const codeloadTickets = new Map<string, {repository: Repository; sha: string}>();
  const requests: ForgeRequest[] = [];
  let override: ArchiveOverride | undefined;
  let nextId = 1001;
  let url = '';

  const providerOf = (token: ForgeToken): Provider =>
    token.provider ?? (token.gitlab ? 'gitlab' : 'github');
  const userId = (login: string) =>
    5000 + [...login].reduce((sum, char) => sum + char.charCodeAt(0), 0);

  function findRepository(provider: Provider, repoPath: string): Repository | undefined {
    return repositories.find(
      (repository) =>
        repository.provider === provider &&
        repository.path.toLowerCase() === repoPath.toLowerCase(),
    );
  }

  function findRenamed(provider: Provider, repoPath: string): Repository | undefined {
    return repositories.find(
      (repository) =>
        repository.provider === provider &&
        (repository.formerPaths ?? []).some((old) => old.toLowerCase() === repoPath.toLowerCase()),
    );
  }

  function canRead(repository: Repository, token: ForgeToken | undefined): boolean {
    if (!repository.private) return true;
    if (!token) return false;
    if (repository.provider === 'github' && token.scopes && !token.scopes.includes('repo'))
      return false;
    return !repository.members || repository.members.includes(token.login);
  }

  async function archive(repository: Repository, sha: string, prefix: string): Promise<Reply> {
    const request = {provider: repository.provider, path: repository.path, sha, prefix};
    const replaced = override ? await override(request) : undefined;
    const base = repository.path.split('/').pop() ?? 'archive';
    return {
      status: 200,
      headers: {
        'content-type':
          repository.provider === 'github' ? 'application/x-gzip' : 'application/octet-stream',
        'content-disposition': `attachment; filename="${base}-${sha}.tar.gz"`,
      },
      raw: replaced ?? archiveStream(repository.gitDir, sha, prefix),
    };
  }

  // GitHub ---------------------------------------------------------------------------------

  const githubNotFound: Reply = {
    status: 404,
    body: {message: 'Not Found', documentation_url: githubDocs, status: '404'},
  };

  function githubAuth(request: http.IncomingMessage): {token?: ForgeToken; error?: Reply} {
    const header = request.headers.authorization;
    if (!header) return {};
    const value = bearer(header, ['token', 'bearer']);
    const token = value === undefined ? undefined : tokens.get(value);
    if (!token || token.expired || providerOf(token) !== 'github') {
      return {
        error: {
          status: 401,
          body: {message: 'Bad credentials', documentation_url: githubDocs, status: '401'},
        },
      };
    }
    return {token};
  }

  function githubRepositoryJson(repository: Repository, token: ForgeToken | undefined) {
    const [owner = '', name = ''] = repository.path.split('/');
    const admin = token?.login.toLowerCase() === owner.toLowerCase();
    return {
      id: repository.id,
      node_id: Buffer.from(`Repository${repository.id}`).toString('base64'),
      name,
      full_name: repository.path,
      private: Boolean(repository.private),
      visibility: repository.private ? 'private' : 'public',
      owner: {login: owner, id: userId(owner), type: 'User', html_url: `${url}/${owner}`},
      html_url: `${url}/${repository.path}`,
      clone_url: `${url}/${repository.path}.git`,
      url: `${url}/repos/${repository.path}`,
      default_branch: repository.defaultBranch,
      archived: false,
      disabled: false,
      ...(token
        ? {permissions: {admin, maintain: admin, push: true, triage: true, pull: true}}
        : {}),
    };
  }

  async function github(
    request: http.IncomingMessage,
    pathname: string,
    query: URLSearchParams,
  ): Promise<Reply> {
    const parts = pathname.split('/').filter(Boolean);
    if (parts[0] === '_codeload') return codeload(parts, query);
    const {token, error} = githubAuth(request);
    if (error) return error;
    const scopeHeaders: Record<string, string> =
      token?.scopes !== undefined ? {'x-oauth-scopes': token.scopes.join(', ')} : {};
    const common = {
      ...scopeHeaders,
      ...(token?.githubExpiration
        ? {'github-authentication-token-expiration': token.githubExpiration}
        : {}),
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': token ? '5000' : '60',
      'x-ratelimit-remaining': token ? '4999' : '59',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    };
    const withHeaders = (reply: Reply, accepted?: string): Reply => ({
      ...reply,
      headers: {
        ...common,
        ...(accepted === undefined ? {} : {'x-accepted-oauth-scopes': accepted}),
        ...reply.headers,
      },
    });

    if (token?.githubForbidden) {
      return withHeaders({
        status: 403,
        headers: token.githubForbidden.headers,
        body: {
          message: token.githubForbidden.message,
          documentation_url: githubDocs,
          status: '403',
        },
      });
    }

    if (request.method === 'GET' && pathname === '/user') {
      if (!token) {
        return withHeaders({
          status: 401,
          body: {
            message: 'Requires authentication',
            documentation_url:
              'https://docs.github.com/rest/users/users#get-the-authenticated-user',
            status: '401',
          },
        });
      }
      return withHeaders(
        {
          status: 200,
          body: {
            login: token.login,
            id: userId(token.login),
            node_id: Buffer.from(`User${userId(token.login)}`).toString('base64'),
            type: 'User',
            site_admin: false,
            name: token.login,
            html_url: `${url}/${token.login}`,
            url: `${url}/users/${token.login}`,
          },
        },
        '',
      );
    }

    let repository: Repository | undefined;
    let rest: string[];
    if (parts[0] === 'repositories' && parts.length >= 2 && request.method === 'GET') {
      repository = repositories.find(
        (candidate) => candidate.provider === 'github' && String(candidate.id) === parts[1],
      );
      rest = parts.slice(2).map((part) => decodeURIComponent(part));
    } else {
      if (parts[0] !== 'repos' || parts.length < 3 || request.method !== 'GET')
        return withHeaders(githubNotFound);
      const asked = `${decodeURIComponent(parts[1]!)}/${decodeURIComponent(parts[2]!)}`;
      repository = findRepository('github', asked);
      const renamed = repository ? undefined : findRenamed('github', asked);
      if (renamed && canRead(renamed, token)) {
        // As GitHub answered in @octokit/fixtures' rename-repository recording.
        const location = `${url}/repositories/${renamed.id}${parts.length > 3 ? `/${parts.slice(3).join('/')}` : ''}`;
        return withHeaders(
          {
            status: 301,
            headers: {location},
            body: {
              message: 'Moved Permanently',
              url: location,
              documentation_url: 'https://docs.github.com/v3/#http-redirects',
            },
          },
          'repo',
        );
      }
      rest = parts.slice(3).map((part) => decodeURIComponent(part));
    }
    if (!repository || !canRead(repository, token)) return withHeaders(githubNotFound, 'repo');

    if (rest.length === 0) {
      return withHeaders({status: 200, body: githubRepositoryJson(repository, token)}, 'repo');
    }

    if (rest[0] === 'tarball') {
      const ref = rest.slice(1).join('/') || repository.defaultBranch;
      const sha = await resolveRef(repository.gitDir, ref);
      if (!sha) return withHeaders(githubNotFound, 'repo');
      // Like GitHub: a redirect to codeload with a short-lived ticket in the URL, because the
      // Authorization header is not forwarded across origins.
      const ticket = randomBytes(12).toString('hex');
      codeloadTickets.set(ticket, {repository, sha});
      const location = `${url}/_codeload/${repository.path}/legacy.tar.gz/${sha}?token=${ticket}`;
      return withHeaders({status: 302, headers: {location}, body: ''}, 'repo');
    }

    if (rest[0] === 'contents') {
      const ref = query.get('ref') || repository.defaultBranch;
      const sha = await resolveRef(repository.gitDir, ref);
      if (!sha)
        return withHeaders(
          {
            ...githubNotFound,
            body: {
              message: `No commit found for the ref ${ref}`,
              documentation_url: githubDocs,
              status: '404',
            },
          },
          'repo',
        );
      return withHeaders(
        await githubContents(request, repository, sha, rest.slice(1).join('/')),
        'repo',
      );
    }

    if (rest[0] === 'git' && rest[1] === 'trees' && rest.length >= 3) {
      const treeSha = await resolveRef(repository.gitDir, rest.slice(2).join('/'), 'tree');
      if (!treeSha) return withHeaders(githubNotFound, 'repo');
      const recursive =
        query.has('recursive') && !['0', 'false'].includes(query.get('recursive') ?? '');
      const entries = await lsTree(repository.gitDir, treeSha, recursive);
      return withHeaders(
        {
          status: 200,
          body: {
            sha: treeSha,
            url: `${url}/repos/${repository.path}/git/trees/${treeSha}`,
            tree: entries.map((entry) => ({
              path: entry.path,
              mode: entry.mode,
              type: entry.type,
              sha: entry.sha,
              ...(entry.type === 'blob' ? {size: entry.size} : {}),
              url: `${url}/repos/${repository.path}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`,
            })),
            truncated: false,
          },
        },
        'repo',
      );
    }

    return withHeaders(githubNotFound);
  }

  async function githubContents(
    request: http.IncomingMessage,
    repository: Repository,
    sha: string,
    filePath: string,
  ): Promise<Reply> {
    const contentUrl = (entryPath: string) =>
      `${url}/repos/${repository.path}/contents/${entryPath}?ref=${sha}`;
    const describe = (entry: TreeEntry, entryPath: string) => ({
      type:
        entry.type === 'tree'
          ? 'dir'
          : entry.type === 'commit'
            ? 'submodule'
            : entry.mode === '120000'
              ? 'symlink'
              : 'file',
      name: entryPath.split('/').pop(),
      path: entryPath,
      sha: entry.sha,
      size: entry.size ?? 0,
      url: contentUrl(entryPath),
      html_url: `${url}/${repository.path}/blob/${sha}/${entryPath}`,
      git_url: `${url}/repos/${repository.path}/git/blobs/${entry.sha}`,
      download_url:
        entry.type === 'blob' ? `${url}/_raw/${repository.path}/${sha}/${entryPath}` : null,
    });
    if (filePath === '') {
      const entries = await lsTree(repository.gitDir, sha, false);
      return {status: 200, body: entries.map((entry) => describe(entry, entry.path))};
    }
    const entry = await lsPath(repository.gitDir, sha, filePath);
    if (!entry) return githubNotFound;
    if (entry.type === 'tree') {
      const entries = await lsTree(repository.gitDir, entry.sha, false);
      return {
        status: 200,
        body: entries.map((child) => describe(child, `${filePath}/${child.path}`)),
      };
    }
    const data = await gitOutput(repository.gitDir, ['cat-file', 'blob', entry.sha]);
    if (/application\/vnd\.github(\.v3)?\.raw/.test(request.headers.accept ?? '')) {
      return {
        status: 200,
        headers: {'content-type': 'application/vnd.github.raw; charset=utf-8'},
        raw: data,
      };
    }
    const base64 = data.toString('base64').replace(/.{60}/g, '$&\n');
    return {status: 200, body: {...describe(entry, filePath), encoding: 'base64', content: base64}};
  }

  async function codeload(parts: string[], query: URLSearchParams): Promise<Reply> {
    const ticket = codeloadTickets.get(query.get('token') ?? '');
    const repoPath = parts.slice(1, 3).join('/');
    if (!ticket || ticket.repository.path !== repoPath)
      return {status: 404, raw: Buffer.from('404: Not Found')};
    const {repository, sha} = ticket;
    const [owner, name] = repository.path.split('/');
    return archive(repository, sha, `${owner}-${name}-${sha.slice(0, 7)}/`);
  }

  // GitLab ---------------------------------------------------------------------------------

  const gitlabUnauthorized: Reply = {status: 401, body: {message: '401 Unauthorized'}};
  const projectNotFound: Reply = {status: 404, body: {message: '404 Project Not Found'}};
  const readScopes = ['api', 'read_api'];

  function gitlabAuth(request: http.IncomingMessage): {token?: ForgeToken; error?: Reply} {
    const header = request.headers['private-token'];
    const value =
      (Array.isArray(header) ? header[0] : header) ??
      bearer(request.headers.authorization, ['bearer']);
    if (value === undefined) return {};
    const token = tokens.get(value);
    if (!token || providerOf(token) !== 'gitlab') return {error: gitlabUnauthorized};
    const expiresAt = token.gitlab?.expiresAt;
    if (token.expired || (expiresAt && expiresAt < new Date().toISOString().slice(0, 10))) {
      return {
        error: {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="Token has expired."',
          },
          body: {error: 'invalid_token', error_description: 'Token has expired.'},
        },
      };
    }
    return {token};
  }

  function insufficientScope(token: ForgeToken, allowed: string[]): Reply | undefined {
    const scopes = token.gitlab?.scopes ?? [];
    if (scopes.some((scope) => allowed.includes(scope))) return undefined;
    return {
      status: 403,
      headers: {
        'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="${allowed.join(' ')}"`,
      },
      body: {
        error: 'insufficient_scope',
        error_description:
          'The request requires higher privileges than provided by the access token.',
        scope: allowed.join(' '),
      },
    };
  }

  function gitlabProjectJson(repository: Repository) {
    const parts = repository.path.split('/');
    const name = parts.at(-1) ?? '';
    const namespace = parts.slice(0, -1).join('/');
    return {
      id: repository.id,
      name,
      path: name,
      path_with_namespace: repository.path,
      name_with_namespace: parts.join(' / '),
      description: null,
      visibility: repository.private ? 'private' : 'public',
      default_branch: repository.defaultBranch,
      web_url: `${url}/${repository.path}`,
      http_url_to_repo: `${url}/${repository.path}.git`,
      namespace: {
        id: 2000 + repository.id,
        name: parts.at(-2) ?? '',
        path: parts.at(-2) ?? '',
        kind: parts.length > 2 ? 'group' : 'user',
        full_path: namespace,
      },
      archived: false,
      permissions: {project_access: {access_level: 40, notification_level: 3}, group_access: null},
    };
  }

  async function gitlab(
    request: http.IncomingMessage,
    pathname: string,
    query: URLSearchParams,
  ): Promise<Reply> {
    const {token, error} = gitlabAuth(request);
    if (error) return error;
    const parts = segments(pathname.slice('/api/v4'.length));
    if (request.method !== 'GET') return {status: 404, body: {error: '404 Not Found'}};

    if (parts.length === 1 && parts[0] === 'user') {
      if (!token) return gitlabUnauthorized;
      const denied = insufficientScope(token, ['api', 'read_api', 'read_user']);
      if (denied) return denied;
      return {
        status: 200,
        body: {
          id: userId(token.login),
          username: token.login,
          name: token.login,
          state: 'active',
          web_url: `${url}/${token.login}`,
        },
      };
    }

    if (parts.join('/') === 'personal_access_tokens/self') {
      if (!token) return gitlabUnauthorized;
      return {
        status: 200,
        body: {
          id: 700 + [...tokens.keys()].indexOf(token.token),
          name: `${token.login}-token`,
          revoked: false,
          created_at: '2025-01-01T00:00:00.000Z',
          scopes: token.gitlab?.scopes ?? [],
          user_id: userId(token.login),
          last_used_at: new Date().toISOString(),
          active: true,
          expires_at: token.gitlab?.expiresAt ?? null,
        },
      };
    }

    if (parts[0] !== 'projects' || parts.length < 2)
      return {status: 404, body: {error: '404 Not Found'}};
    const id = parts[1]!;
    const repository = /^\d+$/.test(id)
      ? repositories.find(
          (candidate) => candidate.provider === 'gitlab' && candidate.id === Number(id),
        )
      : (findRepository('gitlab', id) ?? findRenamed('gitlab', id));
    if (!repository || !canRead(repository, token)) return projectNotFound;
    if (token && repository.private) {
      const denied = insufficientScope(token, readScopes);
      if (denied) return denied;
    }
    const rest = parts.slice(2);

    if (rest.length === 0) return {status: 200, body: gitlabProjectJson(repository)};

    if (
      rest[0] === 'repository' &&
      (rest[1] === 'archive.tar.gz' ||
        (rest[1] === 'archive' && (query.get('format') ?? 'tar.gz') === 'tar.gz'))
    ) {
      const ref = query.get('sha') || repository.defaultBranch;
      const sha = await resolveRef(repository.gitDir, ref);
      if (!sha) return {status: 404, body: {message: '404 Not Found'}};
      const name = repository.path.split('/').pop() ?? '';
      return archive(repository, sha, `${name}-${ref.replace(/\//g, '-')}-${sha}/`);
    }

    if (rest[0] === 'repository' && rest[1] === 'files' && rest.length >= 3) {
      const raw = rest.at(-1) === 'raw';
      const filePath = rest.slice(2, raw ? -1 : undefined).join('/');
      const ref = query.get('ref') || repository.defaultBranch;
      const sha = await resolveRef(repository.gitDir, ref);
      if (!sha) return {status: 404, body: {message: '404 Commit Not Found'}};
      const data = await gitOutput(repository.gitDir, [
        'cat-file',
        'blob',
        `${sha}:${filePath}`,
      ]).catch(() => undefined);
      if (!data) return {status: 404, body: {message: '404 File Not Found'}};
      if (raw)
        return {status: 200, headers: {'content-type': 'text/plain; charset=utf-8'}, raw: data};
      return {
        status: 200,
        body: {
          file_name: filePath.split('/').pop(),
          file_path: filePath,
          size: data.length,
          encoding: 'base64',
          content: data.toString('base64'),
          ref,
          commit_id: sha,
        },
      };
    }

    if (rest[0] === 'repository' && rest[1] === 'tree' && rest.length === 2) {
      const ref = query.get('ref') || repository.defaultBranch;
      const sha = await resolveRef(repository.gitDir, ref);
      if (!sha) return {status: 404, body: {message: '404 Tree Not Found'}};
      const base = query.get('path')?.replace(/\/+$/, '') ?? '';
      const treeish = base ? `${sha}:${base}` : sha;
      const all = await lsTree(repository.gitDir, treeish, query.get('recursive') === 'true').catch(
        () => undefined,
      );
      if (!all) return {status: 404, body: {message: '404 Tree Not Found'}};
      const entries = all;
      const perPage = Math.min(Math.max(Number(query.get('per_page')) || 20, 1), 100);
      const page = Math.max(Number(query.get('page')) || 1, 1);
      const totalPages = Math.max(Math.ceil(entries.length / perPage), 1);
      const slice = entries.slice((page - 1) * perPage, page * perPage);
      const pageUrl = (n: number) => {
        const next = new URLSearchParams(query);
        next.set('page', String(n));
        next.set('per_page', String(perPage));
        return `<${url}${pathname}?${next}>`;
      };
      const links = [
        ...(page < totalPages ? [`${pageUrl(page + 1)}; rel="next"`] : []),
        ...(page > 1 ? [`${pageUrl(page - 1)}; rel="prev"`] : []),
        `${pageUrl(1)}; rel="first"`,
        `${pageUrl(totalPages)}; rel="last"`,
      ];
      return {
        status: 200,
        headers: {
          'x-page': String(page),
          'x-per-page': String(perPage),
          'x-total': String(entries.length),
          'x-total-pages': String(totalPages),
          'x-next-page': page < totalPages ? String(page + 1) : '',
          'x-prev-page': page > 1 ? String(page - 1) : '',
          link: links.join(', '),
        },
        body: slice.map((entry) => ({
          id: entry.sha,
          name: entry.path.split('/').pop(),
          type: entry.type,
          path: base ? `${base}/${entry.path}` : entry.path,
          mode: entry.mode,
        })),
      };
    }

    return {status: 404, body: {error: '404 Not Found'}};
  }

  // Plumbing -------------------------------------------------------------------------------

  async function rawFile(parts: string[]): Promise<Reply> {
    // /_raw/{owner}/{repo}/{sha}/{path}: the download_url of a contents entry.
    const repository = findRepository('github', parts.slice(1, 3).join('/'));
    if (!repository || repository.private) return {status: 404, raw: Buffer.from('404: Not Found')};
    const data = await gitOutput(repository.gitDir, [
      'cat-file',
      'blob',
      `${parts[3]}:${parts.slice(4).join('/')}`,
    ]).catch(() => undefined);
    return data
      ? {status: 200, headers: {'content-type': 'text/plain; charset=utf-8'}, raw: data}
      : {status: 404, raw: Buffer.from('404: Not Found')};
  }

  async function handle(request: http.IncomingMessage): Promise<Reply> {
    const parsed = new URL(request.url ?? '/', 'http://127.0.0.1');
    const pathname = parsed.pathname;
    const isGitlab = pathname === '/api/v4' || pathname.startsWith('/api/v4/');
    const presented =
      bearer(request.headers.authorization, ['token', 'bearer']) ??
      (request.headers['private-token'] as string | undefined);
    const login = presented === undefined ? undefined : tokens.get(presented)?.login;
    requests.push({
      method: request.method ?? 'GET',
      path: pathname,
      query: parsed.search,
      provider: isGitlab ? 'gitlab' : 'github',
      ...(login ? {login} : {}),
    });
    if (isGitlab) return gitlab(request, pathname, parsed.searchParams);
    if (pathname.startsWith('/_raw/')) return rawFile(segments(pathname));
    return github(request, pathname, parsed.searchParams);
  }

  const server = http.createServer((request, response) => {
    // handle() turns its own failures into a 500; a throw while writing stays unhandled, loudly.
    void handle(request)
      .catch(
        (error: Error): Reply => ({
          status: 500,
          body: {message: `forge test server: ${error.message}`},
        }),
      )
      .then((reply) => {
        const headers: Record<string, string> = {...reply.headers};
        if (reply.raw instanceof Readable) {
          response.writeHead(reply.status, headers);
          reply.raw.on('error', () => response.destroy());
          reply.raw.pipe(response);
          return;
        }
        let body: Uint8Array;
        if (reply.raw) body = reply.raw;
        else if (reply.body === '' || reply.body === undefined) body = Buffer.alloc(0);
        else {
          headers['content-type'] ??= 'application/json; charset=utf-8';
          body = Buffer.from(JSON.stringify(reply.body));
        }
        headers['content-length'] = String(body.length);
        response.writeHead(reply.status, headers);
        response.end(body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    githubApiUrl: url,
    gitlabUrl: url,
    requests,
    reset() {
      requests.length = 0;
    },
    addToken(token) {
      tokens.set(token.token, token);
    },
    addRepository(repositoryOptions) {
      const id = nextId++;
      const defaultBranch =
        repositoryOptions.defaultBranch ??
        execFileSync('git', ['-C', repositoryOptions.gitDir, 'symbolic-ref', '--short', 'HEAD'], {
          encoding: 'utf8',
        }).trim();
      repositories.push({...repositoryOptions, id, defaultBranch});
      return {id, webUrl: `${url}/${repositoryOptions.path}`};
    },
    renameRepository(provider, oldPath, newPath) {
      const repository = findRepository(provider, oldPath);
      if (!repository) throw new Error(`forge test server: no ${provider} repository ${oldPath}`);
      repository.formerPaths = [...(repository.formerPaths ?? []), repository.path];
      repository.path = newPath;
    },
    archiveOverride(fn) {
      override = fn;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port that was just closed). */
export async function unreachableUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const gitIdentity = {
  GIT_AUTHOR_NAME: 'Berth Test',
  GIT_AUTHOR_EMAIL: 'test@berth.invalid',
  GIT_COMMITTER_NAME: 'Berth Test',
  GIT_COMMITTER_EMAIL: 'test@berth.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

/**
 * Commits `files` (path -> content) into the git repository at `dir` (created on first use,
 * on `branch`, default `main`) and returns the new commit's sha.
 */
export function commitFiles(
  dir: string,
  files: Record<string, string>,
  {branch = 'main', message = 'commit'}: {branch?: string; message?: string} = {},
): string {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      env: {...process.env, ...gitIdentity},
    }).trim();
  if (!existsSync(path.join(dir, '.git'))) {
    mkdirSync(dir, {recursive: true});
    git('init', '--quiet', `--initial-branch=${branch}`);
  }
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), {recursive: true});
    writeFileSync(path.join(dir, file), content);
  }
  git('add', '--all');
  git('commit', '--quiet', '--allow-empty', '-m', message);
  return git('rev-parse', 'HEAD');
}
