// `berth repo register|list|describe|update|delete` against a real forge server and keychain.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {
  makeSourceRepository,
  registerGithub,
  registerGitlab,
  startRepoWorld,
  tokens,
  type RepoWorld,
} from './repo-fixture.js';

let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;

type RepoJson = {
  id: string;
  name: string;
  type: string;
  host: string | null;
  path: string | null;
  apiUrl: string | null;
  token: string | null;
  visibility: string | null;
  defaultBranch: string | null;
  providerId: string | null;
};

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  const sources = tempDir('berth-repo-sources-');
  for (const [provider, repoPath, isPrivate] of [
    ['github', 'acme/widgets', false],
    ['github', 'acme/secret-models', true],
    ['gitlab', 'ml/vision/detectors/yolo', true],
    ['gitlab', 'ml/public-data', false],
  ] as const) {
    const dir = path.join(sources, repoPath.replace(/\//g, '_'));
    makeSourceRepository(dir);
    world.forge.addRepository({provider, path: repoPath, gitDir: dir, private: isPrivate});
  }
});
afterAll(async () => stop?.());
beforeEach(() => fresh());
afterEach(() => world.expectNoLeaks());

const widgets = {owner: 'acme', repository: 'widgets'};
const secretModels = {owner: 'acme', repository: 'secret-models'};
const yolo = {group: 'ml/vision/detectors', project: 'yolo'};

describe('repo register', () => {
  it('registers a public GitHub repository without a token and records what the provider says', async () => {
    const result = await registerGithub(
      world,
      'widgets',
      {...widgets, host: 'github.com'},
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const record = result.json<RepoJson>();
    expect(record).toMatchObject({
      name: 'widgets',
      type: 'github',
      host: 'github.com',
      path: 'acme/widgets',
      apiUrl: world.forge.githubApiUrl,
      token: null,
      visibility: 'public',
      defaultBranch: 'main',
    });
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.providerId).toMatch(/^\d+$/);
    expect(world.forge.requests.some((r) => r.path === '/repos/acme/widgets')).toBe(true);
  });

  it('registers a private GitHub repository with a stored token (by name) and marks it private', async () => {
    await world.addToken('gh', 'github', tokens.github.token);
    const result = await registerGithub(world, 'models', {...secretModels, token: 'gh'}, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<RepoJson>()).toMatchObject({
      token: 'gh',
      visibility: 'private',
      host: '127.0.0.1',
    });
    const list = await world.berth(['repo', 'list', '--json']);
    expect(list.json<RepoJson[]>()).toEqual([
      expect.objectContaining({
        name: 'models',
        type: 'github',
        path: 'acme/secret-models',
        token: 'gh',
      }),
    ]);
  });

  it('defaults to github.com and derives a GitHub Enterprise API URL from --host', async () => {
    // Nothing listens at ghe.invalid: the registration fails, but the message names the API it tried.
    const result = await registerGithub(world, 'ghe', {
      owner: 'a',
      repository: 'b',
      host: 'ghe.invalid',
      apiUrl: null,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Can't reach ghe.invalid");
  });

  it('refuses a private repository for a token without the "repo" scope, naming the scope (exit 1)', async () => {
    await world.addToken('public-only', 'github', tokens.githubPublic.token);
    const result = await registerGithub(world, 'models', {...secretModels, token: 'public-only'});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'acme/secret-models was not found, or token "public-only" cannot read it',
    );
    expect(result.stderr).toContain('needs "repo"');
    expect((await world.berth(['repo', 'list', '--json'])).json()).toEqual([]);
  });

  it('fails loudly for a missing repository (exit 1) and stores nothing', async () => {
    const result = await registerGithub(world, 'nope', {owner: 'acme', repository: 'missing'});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/acme\/missing was not found/);
    expect((await world.berth(['repo', 'list', '--json'])).json()).toEqual([]);
  });

  it('exits 4 when the provider refuses the token', async () => {
    await world.addToken('gh', 'github', tokens.github.token);
    world.forge.addToken({...tokens.github, expired: true});
    try {
      const result = await registerGithub(world, 'widgets', {...widgets, token: 'gh'});
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('The token was refused');
    } finally {
      world.forge.addToken(tokens.github);
    }
  });

  it('registers a GitLab project in nested subgroups with a token', async () => {
    await world.addToken('gl', 'gitlab', tokens.gitlab.token);
    world.forge.reset();
    const result = await registerGitlab(
      world,
      'yolo',
      {...yolo, host: 'gitlab.example.com', token: 'gl'},
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<RepoJson>()).toMatchObject({
      type: 'gitlab',
      host: 'gitlab.example.com',
      path: 'ml/vision/detectors/yolo',
      visibility: 'private',
      token: 'gl',
    });
    // The project is looked up by its URL-encoded path, as GitLab's API wants it.
    expect(world.forge.requests.map((r) => r.path)).toContain(
      '/api/v4/projects/ml%2Fvision%2Fdetectors%2Fyolo',
    );
  });

  it('exits 4 when a GitLab token lacks the scope to read a private project', async () => {
    await world.addToken('gl-weak', 'gitlab', tokens.gitlabNoApi.token);
    const result = await registerGitlab(world, 'yolo', {...yolo, token: 'gl-weak'});
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('read_api');
  });

  it('refuses a token of another provider or another host before sending it anywhere', async () => {
    await world.addToken('gl', 'gitlab', tokens.gitlab.token);
    const wrongProvider = await registerGithub(world, 'w', {...widgets, token: 'gl'});
    expect(wrongProvider.code).toBe(2);
    expect(wrongProvider.stderr).toContain('is a gitlab token');
    await world.addToken('gh', 'github', tokens.github.token);
    world.forge.reset();
    const wrongHost = await registerGithub(world, 'w', {...widgets, token: 'gh', apiUrl: null});
    expect(wrongHost.code).toBe(2);
    expect(wrongHost.stderr).toContain('is for');
    expect(world.forge.requests).toEqual([]);
  });

  it('rejects bad flags with exit 2: unknown type, missing owner, flags of another type, a token value', async () => {
    expect((await world.berth(['repo', 'register', 'x', '--type', 'bitbucket'])).code).toBe(2);
    expect(
      (await world.berth(['repo', 'register', 'x', '--type', 'github', '--repository', 'r'])).code,
    ).toBe(2);
    expect(
      (
        await registerGithub(
          world,
          'x',
          {owner: 'o', repository: 'r', apiUrl: null},
          '--group',
          'g',
        )
      ).code,
    ).toBe(2);
    const asValue = await registerGithub(world, 'x', {
      owner: 'o',
      repository: 'r',
      token: 'ghp_not a name',
      apiUrl: null,
    });
    expect(asValue.code).toBe(2);
  });

  it('refuses a second registration of the same location under another name', async () => {
    const first = await registerGithub(world, 'widgets', widgets);
    expect(first.code, first.stderr).toBe(0);
    const again = await registerGithub(world, 'widgets2', {
      owner: 'ACME',
      repository: 'Widgets.git',
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already registered as "widgets"');
  });
});

describe('repo list, describe, update, delete', () => {
  it('lists with plain and JSON output, describes, updates the token and deletes with -y', async () => {
    await world.addToken('gh', 'github', tokens.github.token);
    expect((await registerGithub(world, 'widgets', widgets)).code).toBe(0);

    const plain = await world.berth(['repo', 'list']);
    expect(plain.stdout).toMatch(/NAME\s+TYPE\s+LOCATION\s+VISIBILITY\s+TOKEN/);
    expect(plain.stdout).toMatch(/widgets\s+github\s+127\.0\.0\.1\/acme\/widgets\s+public\s+-/);
    expect(plain.stderr).toContain("Running with active profile: 'default'");

    const described = await world.berth(['repo', 'describe', 'widgets', '--json']);
    expect(described.code).toBe(0);
    expect(described.json()).toMatchObject({name: 'widgets', checkout: null});

    const updated = await world.berth(['repo', 'update', 'widgets', '--token', 'gh', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json()).toMatchObject({token: 'gh', updatedAt: expect.any(String)});

    // A token in use cannot be removed from under the repository.
    const remove = await world.berth(['token', 'remove', 'gh']);
    expect(remove.code).toBe(1);
    expect(remove.stderr).toContain('default/widgets');

    const cleared = await world.berth(['repo', 'update', 'widgets', '--no-token', '--json']);
    expect(cleared.json()).toMatchObject({token: null});

    const refused = await world.berth(['repo', 'delete', 'widgets']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Pass -y');
    const deleted = await world.berth(['repo', 'delete', 'widgets', '-y']);
    expect(deleted.code).toBe(0);
    expect((await world.berth(['repo', 'list', '--json'])).json()).toEqual([]);
    expect((await world.berth(['repo', 'describe', 'widgets'])).code).toBe(1);
  });

  it('re-validates on update: an unknown token name fails and keeps the old record', async () => {
    expect((await registerGithub(world, 'widgets', widgets)).code).toBe(0);
    const result = await world.berth(['repo', 'update', 'widgets', '--token', 'missing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No token named "missing"');
    expect((await world.berth(['repo', 'list', '--json'])).json()).toEqual([
      expect.objectContaining({token: null}),
    ]);
  });

  it('keeps no secret in the profile store', async () => {
    await world.addToken('gh', 'github', tokens.github.token);
    expect((await registerGithub(world, 'models', {...secretModels, token: 'gh'})).code).toBe(0);
    const database = readFileSync(path.join(world.configDir, 'profiles', 'default.db'));
    expect(database.includes(Buffer.from('secret-models'))).toBe(true);
    expect(database.includes(Buffer.from(tokens.github.token))).toBe(false);
  });
});
