import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';
import {Gitlab} from '@gitbeaker/rest';
import {Octokit} from '@octokit/rest';
import {afterAll, beforeAll, beforeEach, describe, expect, test} from 'vitest';
import {tempDir} from './cli.js';
import {commitFiles, startForgeServer, unreachableUrl} from './forge-server.js';
import type {ForgeServer} from './forge-server.js';

/** Names of the entries in a .tar.gz (via the system tar, not our own parsing). */
function tarNames(archive: Uint8Array): string[] {
  return execFileSync('tar', ['-tzf', '-'], {input: archive, encoding: 'utf8'})
    .trim()
    .split('\n')
    .sort();
}

function tarFile(archive: Uint8Array, name: string): string {
  return execFileSync('tar', ['-xzOf', '-', name], {input: archive, encoding: 'utf8'});
}

const quiet = {debug() {}, info() {}, warn() {}, error() {}};
const githubClassic = {
  token: 'ghp_classicToken000000000000000000000000',
  login: 'octo',
  scopes: ['repo', 'read:org'],
};
const githubNoRepo = {
  token: 'ghp_noRepoScope0000000000000000000000000',
  login: 'octo',
  scopes: ['read:org'],
};
const githubFine = {token: 'github_pat_fineGrained0000000000', login: 'octo'};
const githubExpired = {
  token: 'ghp_expired000000000000000000000000000',
  login: 'octo',
  scopes: ['repo'],
  expired: true,
};
const gitlabToken = {
  token: 'glpat-valid000000000000',
  login: 'tanuki',
  gitlab: {scopes: ['api', 'read_user'], expiresAt: '2099-01-01'},
};
const gitlabUserOnly = {
  token: 'glpat-useronly000000000',
  login: 'tanuki',
  gitlab: {scopes: ['read_user'], expiresAt: null},
};
const gitlabExpired = {
  token: 'glpat-expired0000000000',
  login: 'tanuki',
  gitlab: {scopes: ['api'], expiresAt: '2020-01-01'},
};

describe('forge test server', () => {
  let forge: ForgeServer;
  let repoDir: string;
  let firstSha: string;
  let headSha: string;

  beforeAll(async () => {
    repoDir = path.join(tempDir(), 'repo');
    firstSha = commitFiles(repoDir, {'README.md': 'first\n', 'src/pkg/__init__.py': 'VALUE = 1\n'});
    headSha = commitFiles(repoDir, {
      'README.md': 'second\n',
      'src/pkg/util.py': 'def f():\n    return 2\n',
    });
    forge = await startForgeServer({
      tokens: [
        githubClassic,
        githubNoRepo,
        githubFine,
        githubExpired,
        gitlabToken,
        gitlabUserOnly,
        gitlabExpired,
      ],
    });
    forge.addRepository({
      provider: 'github',
      path: 'octo/private-repo',
      gitDir: repoDir,
      private: true,
    });
    forge.addRepository({provider: 'github', path: 'octo/public-repo', gitDir: repoDir});
    forge.addRepository({
      provider: 'gitlab',
      path: 'team/ml/project',
      gitDir: repoDir,
      private: true,
    });
  });
  afterAll(async () => {
    await forge.close();
  });
  beforeEach(() => {
    forge.reset();
    forge.archiveOverride(undefined);
  });

  const github = (route: string, token?: string, init: RequestInit = {}) =>
    fetch(`${forge.githubApiUrl}${route}`, {
      ...init,
      headers: {
        ...(token ? {authorization: `token ${token}`} : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  const gitlab = (route: string, token?: string) =>
    fetch(`${forge.gitlabUrl}/api/v4${route}`, {headers: token ? {'private-token': token} : {}});

  describe('GitHub', () => {
    test('GET /user reports classic scopes, none for fine-grained tokens', async () => {
      const classic = await github('/user', githubClassic.token);
      expect(classic.status).toBe(200);
      expect(classic.headers.get('x-oauth-scopes')).toBe('repo, read:org');
      expect(classic.headers.get('x-accepted-oauth-scopes')).toBe('');
      expect(await classic.json()).toMatchObject({login: 'octo', type: 'User'});
      const fine = await github('/user', undefined, {
        headers: {authorization: `Bearer ${githubFine.token}`},
      });
      expect(fine.status).toBe(200);
      expect(fine.headers.has('x-oauth-scopes')).toBe(false);
    });

    test('unknown and expired tokens get 401 Bad credentials; no token gets Requires authentication', async () => {
      for (const token of ['ghp_unknown', githubExpired.token, gitlabToken.token]) {
        const response = await github('/user', token);
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({message: 'Bad credentials'});
      }
      const anonymous = await github('/user');
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({message: 'Requires authentication'});
    });

    test('repositories: private ones need a token with access, and say so in their fields', async () => {
      const response = await github('/repos/octo/private-repo', githubClassic.token);
      expect(await response.json()).toMatchObject({
        full_name: 'octo/private-repo',
        private: true,
        visibility: 'private',
        default_branch: 'main',
        permissions: {admin: true, pull: true},
      });
      expect((await github('/repos/octo/private-repo')).status).toBe(404);
      expect((await github('/repos/octo/private-repo', githubNoRepo.token)).status).toBe(404);
      expect((await github('/repos/octo/private-repo', githubFine.token)).status).toBe(200);
      const open = await (await github('/repos/octo/public-repo')).json();
      expect(open).toMatchObject({private: false, visibility: 'public'});
      expect(open).not.toHaveProperty('permissions');
      expect((await github('/repos/octo/missing', githubClassic.token)).status).toBe(404);
    });

    test('tarball redirects to a codeload URL that streams git archive at the commit', async () => {
      const redirect = await github(
        `/repos/octo/private-repo/tarball/${firstSha}`,
        githubClassic.token,
        {redirect: 'manual'},
      );
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get('location')!;
      expect(location).toMatch(
        new RegExp(
          `^${forge.url}/_codeload/octo/private-repo/legacy\\.tar\\.gz/${firstSha}\\?token=`,
        ),
      );
      // The ticket in the URL is the credential, as on codeload.github.com.
      const archive = new Uint8Array(await (await fetch(location)).arrayBuffer());
      const prefix = `octo-private-repo-${firstSha.slice(0, 7)}/`;
      expect(tarNames(archive)).toEqual([
        prefix,
        `${prefix}README.md`,
        `${prefix}src/`,
        `${prefix}src/pkg/`,
        `${prefix}src/pkg/__init__.py`,
      ]);
      expect(tarFile(archive, `${prefix}README.md`)).toBe('first\n');
      expect((await fetch(location.replace(/token=\w+/, 'token=forged'))).status).toBe(404);

      const followed = await github('/repos/octo/private-repo/tarball/main', githubClassic.token);
      expect(followed.status).toBe(200);
      const head = new Uint8Array(await followed.arrayBuffer());
      expect(tarFile(head, `octo-private-repo-${headSha.slice(0, 7)}/README.md`)).toBe('second\n');
      expect(
        (await github('/repos/octo/private-repo/tarball/nope', githubClassic.token)).status,
      ).toBe(404);
      expect(forge.requests.map((request) => request.path)).toEqual([
        `/repos/octo/private-repo/tarball/${firstSha}`,
        `/_codeload/octo/private-repo/legacy.tar.gz/${firstSha}`,
        `/_codeload/octo/private-repo/legacy.tar.gz/${firstSha}`,
        '/repos/octo/private-repo/tarball/main',
        `/_codeload/octo/private-repo/legacy.tar.gz/${headSha}`,
        '/repos/octo/private-repo/tarball/nope',
      ]);
    });

    test('contents: files in base64 or raw, directories as lists, one request per file', async () => {
      const file = await (
        await github(
          `/repos/octo/private-repo/contents/README.md?ref=${firstSha}`,
          githubClassic.token,
        )
      ).json();
      expect(file).toMatchObject({type: 'file', path: 'README.md', encoding: 'base64'});
      expect(Buffer.from(file.content, 'base64').toString()).toBe('first\n');
      const raw = await github(
        '/repos/octo/private-repo/contents/src/pkg/util.py',
        githubClassic.token,
        {
          headers: {accept: 'application/vnd.github.raw+json'},
        },
      );
      expect(await raw.text()).toBe('def f():\n    return 2\n');
      const listing = await (
        await github('/repos/octo/private-repo/contents/src/pkg', githubClassic.token)
      ).json();
      expect(
        listing.map((entry: {path: string; type: string}) => `${entry.type} ${entry.path}`),
      ).toEqual(['file src/pkg/__init__.py', 'file src/pkg/util.py']);
      expect(
        (await github('/repos/octo/private-repo/contents/nope.txt', githubClassic.token)).status,
      ).toBe(404);
      expect(forge.requests).toHaveLength(4);
    });

    test('git trees, recursive', async () => {
      const tree = await (
        await github('/repos/octo/private-repo/git/trees/main?recursive=1', githubClassic.token)
      ).json();
      expect(tree.truncated).toBe(false);
      expect(
        tree.tree.map((entry: {type: string; path: string}) => `${entry.type} ${entry.path}`),
      ).toEqual([
        'blob README.md',
        'tree src',
        'tree src/pkg',
        'blob src/pkg/__init__.py',
        'blob src/pkg/util.py',
      ]);
      const flat = await (
        await github(`/repos/octo/private-repo/git/trees/${firstSha}`, githubClassic.token)
      ).json();
      expect(flat.tree.map((entry: {path: string}) => entry.path)).toEqual(['README.md', 'src']);
    });

    test('works as octokit baseUrl', async () => {
      const octokit = new Octokit({
        auth: githubClassic.token,
        baseUrl: forge.githubApiUrl,
        log: quiet,
      });
      const user = await octokit.rest.users.getAuthenticated();
      expect(user.data.login).toBe('octo');
      expect(user.headers['x-oauth-scopes']).toBe('repo, read:org');
      const repo = await octokit.rest.repos.get({owner: 'octo', repo: 'private-repo'});
      expect(repo.data.default_branch).toBe('main');
      const tarball = await octokit.rest.repos.downloadTarballArchive({
        owner: 'octo',
        repo: 'private-repo',
        ref: 'main',
      });
      expect(tarNames(new Uint8Array(tarball.data as ArrayBuffer))).toContain(
        `octo-private-repo-${headSha.slice(0, 7)}/README.md`,
      );
      await expect(
        new Octokit({
          auth: 'ghp_bad',
          baseUrl: forge.githubApiUrl,
          log: quiet,
        }).rest.users.getAuthenticated(),
      ).rejects.toMatchObject({
        status: 401,
      });
    });
  });

  describe('GitLab', () => {
    test('user and token introspection; expired and unknown tokens get 401', async () => {
      expect(await (await gitlab('/user', gitlabToken.token)).json()).toMatchObject({
        username: 'tanuki',
      });
      const self = await (await gitlab('/personal_access_tokens/self', gitlabToken.token)).json();
      expect(self).toMatchObject({
        scopes: ['api', 'read_user'],
        expires_at: '2099-01-01',
        active: true,
        revoked: false,
      });
      const expired = await gitlab('/user', gitlabExpired.token);
      expect(expired.status).toBe(401);
      expect(await expired.json()).toEqual({
        error: 'invalid_token',
        error_description: 'Token has expired.',
      });
      const unknown = await gitlab('/user', 'glpat-unknown');
      expect(unknown.status).toBe(401);
      expect(await unknown.json()).toEqual({message: '401 Unauthorized'});
      const bearer = await fetch(`${forge.gitlabUrl}/api/v4/user`, {
        headers: {authorization: `Bearer ${gitlabToken.token}`},
      });
      expect(bearer.status).toBe(200);
    });

    test('projects by url-encoded path with subgroups or by id; private ones need a read scope', async () => {
      const project = await (
        await gitlab('/projects/team%2Fml%2Fproject', gitlabToken.token)
      ).json();
      expect(project).toMatchObject({
        path_with_namespace: 'team/ml/project',
        visibility: 'private',
        default_branch: 'main',
      });
      expect((await gitlab(`/projects/${project.id}`, gitlabToken.token)).status).toBe(200);
      const anonymous = await gitlab('/projects/team%2Fml%2Fproject');
      expect(anonymous.status).toBe(404);
      expect(await anonymous.json()).toEqual({message: '404 Project Not Found'});
      const scoped = await gitlab('/projects/team%2Fml%2Fproject', gitlabUserOnly.token);
      expect(scoped.status).toBe(403);
      expect(await scoped.json()).toMatchObject({error: 'insufficient_scope'});
    });

    test('archive at a sha, raw files and the paginated tree', async () => {
      const archive = new Uint8Array(
        await (
          await gitlab(
            `/projects/team%2Fml%2Fproject/repository/archive.tar.gz?sha=${firstSha}`,
            gitlabToken.token,
          )
        ).arrayBuffer(),
      );
      expect(tarFile(archive, `project-${firstSha}-${firstSha}/README.md`)).toBe('first\n');
      const raw = await gitlab(
        `/projects/team%2Fml%2Fproject/repository/files/src%2Fpkg%2Futil.py/raw?ref=main`,
        gitlabToken.token,
      );
      expect(await raw.text()).toBe('def f():\n    return 2\n');
      expect(
        (
          await gitlab(
            '/projects/team%2Fml%2Fproject/repository/files/nope/raw?ref=main',
            gitlabToken.token,
          )
        ).status,
      ).toBe(404);
      const route =
        '/projects/team%2Fml%2Fproject/repository/tree?recursive=true&ref=main&per_page=2';
      const first = await gitlab(`${route}&page=1`, gitlabToken.token);
      expect(first.headers.get('x-total')).toBe('5');
      expect(first.headers.get('x-total-pages')).toBe('3');
      expect(first.headers.get('x-next-page')).toBe('2');
      const paths: string[] = [];
      for (let page = 1; page <= 3; page += 1) {
        const entries = await (await gitlab(`${route}&page=${page}`, gitlabToken.token)).json();
        paths.push(
          ...entries.map((entry: {type: string; path: string}) => `${entry.type} ${entry.path}`),
        );
      }
      expect(paths).toEqual([
        'blob README.md',
        'tree src',
        'tree src/pkg',
        'blob src/pkg/__init__.py',
        'blob src/pkg/util.py',
      ]);
    });

    test('works as gitbeaker host', async () => {
      const api = new Gitlab({host: forge.gitlabUrl, token: gitlabToken.token});
      expect((await api.Users.showCurrentUser()).username).toBe('tanuki');
      expect((await api.Projects.show('team/ml/project')).default_branch).toBe('main');
      const tree = await api.Repositories.allRepositoryTrees('team/ml/project', {
        recursive: true,
        ref: 'main',
        perPage: 2,
      });
      expect(tree).toHaveLength(5);
    });
  });

  test('archiveOverride serves arbitrary bytes on both forges', async () => {
    const hostile = Buffer.from('not a gzip stream');
    const seen: string[] = [];
    forge.archiveOverride((request) => {
      seen.push(`${request.provider} ${request.prefix}`);
      return hostile;
    });
    const fromGithub = await github(
      `/repos/octo/private-repo/tarball/${firstSha}`,
      githubClassic.token,
    );
    expect(Buffer.from(await fromGithub.arrayBuffer())).toEqual(hostile);
    const fromGitlab = await gitlab(
      `/projects/team%2Fml%2Fproject/repository/archive.tar.gz?sha=${firstSha}`,
      gitlabToken.token,
    );
    expect(Buffer.from(await fromGitlab.arrayBuffer())).toEqual(hostile);
    expect(seen).toEqual([
      `github octo-private-repo-${firstSha.slice(0, 7)}/`,
      `gitlab project-${firstSha}-${firstSha}/`,
    ]);

    // A real archive cut short: the client sees a gzip stream that ends early.
    forge.archiveOverride(undefined);
    const whole = Buffer.from(
      await (
        await gitlab(`/projects/team%2Fml%2Fproject/repository/archive.tar.gz`, gitlabToken.token)
      ).arrayBuffer(),
    );
    forge.archiveOverride(() => whole.subarray(0, whole.length - 20));
    const cut = Buffer.from(
      await (
        await gitlab(`/projects/team%2Fml%2Fproject/repository/archive.tar.gz`, gitlabToken.token)
      ).arrayBuffer(),
    );
    expect(cut.length).toBe(whole.length - 20);
    expect(() => gunzipSync(cut)).toThrow(/unexpected end of file/);
  });

  test('unreachableUrl refuses connections', async () => {
    await expect(fetch(`${await unreachableUrl()}/user`)).rejects.toThrow();
  });
});
