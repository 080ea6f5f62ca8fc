// A custom repository's secret is a stored token's NAME (`--token NAME`): the secret is read
// from the token store when the module logs in (registration, every download) and handed to
// login() only, never stored with the repository, printed, logged or put in a process argument.
// The module here is a real one: it talks to a GitHub-style API (the forge server, backed by
// real git) that checks the token, and extracts the tarball it serves.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {filesContaining, runBerthWatchingArguments} from '../support/token-leaks.js';
import {
  downloadRepo,
  makeSourceRepository,
  registerCustom,
  startRepoWorld,
  tokens,
  type RepoWorld,
} from './repo-fixture.js';

const secret = tokens.github.token;
let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;
let sha: string;
let stateDir: string;

/** A custom repository for a GitHub-style API: the token arrives at login(). */
const moduleText = `import {spawn} from 'node:child_process';
import {Readable} from 'node:stream';

export class ApiArchiveRepository {
  constructor(options) {
    this.api = options.api;
    this.path = options.path;
    this.chatty = options.chatty === 'yes';
  }
  async login(credentials) {
    this.token = credentials.token;
    if (!this.token) throw new Error('no token given: register with --token NAME');
    const response = await fetch(this.api + '/user', {headers: {authorization: 'token ' + this.token}});
    if (this.chatty) throw new Error('the server said no to ' + this.token + ' (' + response.status + ')');
    if (!response.ok) throw new Error('GET /user answered ' + response.status);
  }
  async downloadFiles(commit, directory) {
    const response = await fetch(this.api + '/repos/' + this.path + '/tarball/' + commit, {
      headers: this.token ? {authorization: 'token ' + this.token} : {},
    });
    if (!response.ok) throw new Error('the tarball request answered ' + response.status);
    const tar = spawn('tar', ['-xz', '--strip-components=1', '-C', directory], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    Readable.fromWeb(response.body).pipe(tar.stdin);
    const code = await new Promise((resolve) => tar.on('close', resolve));
    if (code !== 0) throw new Error('tar exited ' + code);
  }
  getLocalContext() {
    return null;
  }
}
`;

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  const source = tempDir('berth-custom-token-source-');
  ({sha} = makeSourceRepository(source));
  world.forge.addRepository({
    provider: 'github',
    path: 'acme/models',
    gitDir: source,
    private: true,
  });
});
afterAll(async () => {
  await stop();
});
beforeEach(() => {
  fresh();
  stateDir = tempDir('berth-custom-token-state-');
  world.forge.reset();
});

function writeModule(): string {
  const file = path.join(tempDir('berth-custom-token-module-'), 'api-archive.mjs');
  writeFileSync(file, moduleText);
  return `${file}#ApiArchiveRepository`;
}

const env = () => ({BERTH_STATE_DIR: stateDir});
const options = (...extra: string[]) => [
  '--option',
  `api=${world.forge.githubApiUrl}`,
  '--option',
  'path=acme/models',
  ...extra,
];

/** Requests the forge server answered with the test token's login. */
const requestsAs = (login: string, pathPrefix: string) =>
  world.forge.requests.filter((r) => r.login === login && r.path.startsWith(pathPrefix));

describe('a custom repository names a stored token', () => {
  it('registers with --token NAME, logs in and downloads with the secret from the keychain; the secret is nowhere', async () => {
    await world.addToken('forge', 'github', secret);
    world.forge.reset();
    const source = writeModule();
    const registered = await world.berth(
      [
        'repo',
        'register',
        'api',
        '--type',
        'custom',
        '--source',
        source,
        '--token',
        'forge',
      ].concat(options('--json')),
      {env: env()},
    );
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.json()).toMatchObject({type: 'custom', token: 'forge'});
    // login() was called with the real secret: the server saw the token's owner.
    expect(requestsAs('octocat', '/user')).toHaveLength(1);

    const described = await world.berth(['repo', 'describe', 'api']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Token:\s+forge/);

    world.forge.reset();
    const target = path.join(tempDir('berth-custom-token-out-'), 'files');
    const download = await runBerthWatchingArguments(
      secret,
      ['repo', 'download', 'api', '--commit', sha, '--dir', target, '--json'],
      {
        cwd: world.project,
        env: {BERTH_CONFIG_DIR: world.configDir, ...world.keychain.env, ...env()},
      },
    );
    world.outputs.push(download.stdout, download.stderr);
    expect(download.code, download.stderr).toBe(0);
    expect(download.json()).toMatchObject({files: 4, symlinks: 2});
    expect(readFileSync(path.join(target, 'README.md'), 'utf8')).toBe('# widgets\n');
    // The download logged in again (the secret read at use time) and fetched as the token's owner.
    expect(requestsAs('octocat', '/user')).toHaveLength(1);
    expect(requestsAs('octocat', '/repos/acme/models/tarball')).toHaveLength(1);
    expect(download.leakedArguments).toEqual([]);
    expect(download.scans).toBeGreaterThan(0);

    // Not in the config dir (config.json, the profile store), the state dir, the project,
    // the downloaded tree, or anything berth printed.
    world.expectNoLeaks([stateDir, target]);

    // The token can't be removed while the repository uses it.
    const remove = await world.berth(['token', 'remove', 'forge']);
    expect(remove.code).not.toBe(0);
    expect(remove.stderr).toContain('api');
  });

  it('a module that repeats the secret in its error is masked; no token is a clear failure; nothing stored', async () => {
    await world.addToken('forge', 'github', secret);
    const source = writeModule();
    const chatty = await registerCustom(
      world,
      'api',
      source,
      '--token',
      'forge',
      ...options('--option', 'chatty=yes'),
    );
    expect(chatty.code).toBe(1);
    expect(chatty.stderr).toContain('login() failed: the server said no to ghp_****abcd');
    expect(chatty.stderr).not.toContain(secret);

    const none = await registerCustom(world, 'api', source, ...options());
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no token given: register with --token NAME');

    const missing = await registerCustom(world, 'api', source, '--token', 'nope', ...options());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No token named "nope"');

    expect((await world.berth(['repo', 'list', '--json'])).json()).toEqual([]);
    expect(filesContaining(secret, [world.configDir, stateDir])).toEqual([]);
    world.expectNoLeaks([stateDir]);
  });

  it('repo update gives a token to a custom repository (checked by logging in) and --no-token takes it away', async () => {
    await world.addToken('forge', 'github', secret);
    const source = writeModule();
    // Registered without a token through a module that needs none at login...
    const lenient = source.replace('#ApiArchiveRepository', '#Lenient');
    writeFileSync(
      source.slice(0, source.indexOf('#')),
      `${moduleText}\nexport class Lenient extends ApiArchiveRepository { async login(c) { if (c.token) await super.login(c); } }\n`,
    );
    expect((await registerCustom(world, 'api', lenient, ...options())).code).toBe(0);
    const target = path.join(tempDir('berth-custom-token-out-'), 'files');
    // ...its download without a token is refused by the server (a private repository).
    const refused = await downloadRepo(world, 'api', sha, target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the tarball request answered 404');
    expect(existsSync(target)).toBe(false);

    const updated = await world.berth(['repo', 'update', 'api', '--token', 'forge', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json()).toMatchObject({token: 'forge'});
    const download = await downloadRepo(world, 'api', sha, target);
    expect(download.code, download.stderr).toBe(0);

    const cleared = await world.berth(['repo', 'update', 'api', '--no-token', '--json']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.json()).toMatchObject({token: null});
    expect((await world.berth(['token', 'remove', 'forge'])).code).toBe(0);
    world.expectNoLeaks([target]);
  });

  it('--option token=… is refused with the way to pass it: --token NAME', async () => {
    const refused = await registerCustom(
      world,
      'api',
      writeModule(),
      ...options('--option', `token=${secret}`),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--token NAME');
    expect(refused.stderr).not.toContain(secret);
  });
});
