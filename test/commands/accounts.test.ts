// Two GitHub accounts on one host, chosen per directory (`berth token use`), and `berth token
// status`. The forge server logs which account each request presented, so the tests see which
// token berth really sent.
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {cleanEnv, tempDir} from '../support/cli.js';
import type {ForgeToken} from '../support/forge-server.js';
import {makeSourceRepository, startRepoWorld, type RepoWorld} from './repo-fixture.js';

const work = {
  token: 'ghp_workAccountForAccountTests000000work',
  login: 'octo-work',
  scopes: ['repo'],
} satisfies ForgeToken;
const personal = {
  token: 'ghp_personalAccountForAccountTests00pers',
  login: 'octo-personal',
  scopes: ['repo'],
} satisfies ForgeToken;
const revoked: ForgeToken = {
  token: 'ghp_revokedAccountForAccountTests000rev0',
  login: 'octo-old',
  scopes: ['repo'],
};
const inThreeDays = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
const expiring = {
  token: 'glpat-accountTestsExpiring000001',
  login: 'tanuki-soon',
  gitlab: {scopes: ['api'], expiresAt: inThreeDays},
} satisfies ForgeToken;
const accountSecrets = [work, personal, revoked, expiring].map((t) => t.token);

let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;
let sha: string;
let workDir: string;
let personalDir: string;

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  for (const token of [work, personal, revoked, expiring]) world.forge.addToken(token);
  const source = path.join(tempDir('berth-accounts-source-'), 'models');
  ({sha} = makeSourceRepository(source));
  world.forge.addRepository({
    provider: 'github',
    path: 'acme/models',
    gitDir: source,
    private: true,
    members: ['octo-work'],
  });
  world.forge.addRepository({
    provider: 'github',
    path: 'me/notes',
    gitDir: source,
    private: true,
    members: ['octo-personal'],
  });
});
afterAll(async () => stop?.());

beforeEach(async () => {
  fresh();
  revoked.expired = false;
  workDir = tempDir('berth-accounts-work-');
  personalDir = tempDir('berth-accounts-personal-');
  await world.addToken('work', 'github', work.token);
  await world.addToken('personal', 'github', personal.token);
  for (const dir of [workDir, personalDir]) await ok(['init'], dir);
  await ok(['token', 'use', 'work'], workDir);
  await ok(['token', 'use', 'personal'], personalDir);
  world.forge.reset();
});
afterEach(() => {
  world.expectNoLeaks([workDir, personalDir]);
  for (const secret of accountSecrets)
    for (const text of world.outputs) expect(text.includes(secret)).toBe(false);
});

async function ok(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = await world.berth(args, {cwd, env});
  expect(result.code, `berth ${args.join(' ')} in ${cwd}\n${result.stderr}`).toBe(0);
  return result;
}

function register(name: string, repositoryPath: string, cwd: string, ...extra: string[]) {
  const [owner = '', repository = ''] = repositoryPath.split('/');
  return world.berth(
    [
      'repo',
      'register',
      name,
      '--type',
      'github',
      '--owner',
      owner,
      '--repository',
      repository,
      '--api-url',
      world.forge.githubApiUrl,
      ...extra,
    ],
    {cwd},
  );
}

/** A checkout of a repository on the forge server (acme/models unless named) inside `dir`. */
function checkoutIn(dir: string, repositoryPath = 'acme/models', name = 'checkout'): string {
  const checkout = path.join(dir, name);
  mkdirSync(checkout);
  const git = (...args: string[]) =>
    execFileSync('git', args, {cwd: checkout, env: cleanEnv(), stdio: 'ignore'});
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `${world.forge.url}/${repositoryPath}.git`);
  git('commit', '-q', '--allow-empty', '-m', 'first');
  return checkout;
}

const loginsOf = (pathPattern: RegExp) =>
  world.forge.requests.filter((r) => pathPattern.test(r.path)).map((r) => r.login ?? null);

describe('an account per directory', () => {
  it('writes the choice per host into .berth/config.yaml, not anywhere global', () => {
    const config = readFileSync(path.join(workDir, '.berth/config.yaml'), 'utf8');
    expect(config).toMatch(/tokens:\n\s+127\.0\.0\.1: work/);
    expect(readFileSync(path.join(personalDir, '.berth/config.yaml'), 'utf8')).toContain(
      '127.0.0.1: personal',
    );
  });

  it('registers, detects and downloads with the token chosen for the directory, and says which', async () => {
    const registered = await register('models', 'acme/models', workDir);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stderr).toContain("Using GitHub account 'octo-work' (local)");
    expect(loginsOf(/^\/repos\/acme\/models$/)).toEqual(['octo-work']);

    // The personal account cannot read acme/models: checking it again from there fails.
    const refused = await world.berth(['repo', 'update', 'models'], {cwd: personalDir});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Using GitHub account 'octo-personal' (local)");
    expect(loginsOf(/^\/repos\/acme\/models$/)).toEqual(['octo-work', 'octo-personal']);
    const notes = await register('notes', 'me/notes', personalDir);
    expect(notes.code, notes.stderr).toBe(0);

    // Detection is local only, and says which account a call from here would use.
    world.forge.reset();
    const here = await ok(['repo', 'detect', '--json'], checkoutIn(workDir));
    expect(here.json()).toMatchObject({
      repository: 'models',
      account: {token: 'work', login: 'octo-work', source: 'local', provider: 'github'},
    });
    const there = await ok(['repo', 'detect', '--json'], checkoutIn(personalDir));
    expect(there.json()).toMatchObject({
      repository: 'models',
      account: {token: 'personal', login: 'octo-personal', source: 'local'},
    });
    expect(world.forge.requests).toEqual([]);

    // Downloads: the same registered repository, a different token per directory.
    const target = path.join(tempDir('berth-accounts-out-'), 'models');
    const download = await ok(
      ['repo', 'download', 'models', '--commit', sha, '--dir', target],
      workDir,
    );
    expect(download.stderr).toContain("Using GitHub account 'octo-work' (local)");
    expect(readFileSync(path.join(target, 'README.md'), 'utf8')).toBe('# widgets\n');
    const elsewhere = await world.berth(
      ['repo', 'download', 'models', '--commit', sha, '--dir', `${target}-2`],
      {cwd: personalDir},
    );
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain("Using GitHub account 'octo-personal' (local)");
    expect(loginsOf(/\/tarball\//)).toEqual(['octo-work', 'octo-personal']);

    // The second repository, the personal account's: detected and downloaded with that token.
    world.forge.reset();
    const notesHere = await ok(
      ['repo', 'detect', '--json'],
      checkoutIn(personalDir, 'me/notes', 'notes-checkout'),
    );
    expect(notesHere.json()).toMatchObject({
      repository: 'notes',
      account: {token: 'personal', login: 'octo-personal', source: 'local'},
    });
    const notesTarget = path.join(tempDir('berth-accounts-out-'), 'notes');
    const notesDownload = await ok(
      ['repo', 'download', 'notes', '--commit', sha, '--dir', notesTarget],
      personalDir,
    );
    expect(notesDownload.stderr).toContain("Using GitHub account 'octo-personal' (local)");
    expect(readFileSync(path.join(notesTarget, 'README.md'), 'utf8')).toBe('# widgets\n');
    expect(loginsOf(/\/tarball\//)).toEqual(['octo-personal']);
  });

  it('falls back to the profile choice, then to the token the repository was registered with', async () => {
    const outside = world.project; // no .berth here
    expect((await register('models', 'acme/models', outside, '--token', 'work')).code).toBe(0);
    const plain = await ok(['repo', 'detect', '--json'], checkoutIn(outside));
    expect(plain.json()).toMatchObject({account: {token: 'work', source: 'repository'}});

    const profile = await ok(['token', 'use', 'personal', '--global'], outside);
    expect(profile.stdout).toContain(
      "Using token 'personal' for 127.0.0.1 (global: profile 'default')",
    );
    const detected = await ok(['repo', 'detect', '--json'], path.join(outside, 'checkout'));
    expect(detected.json()).toMatchObject({account: {token: 'personal', source: 'global'}});
    // The directory's own choice still comes first.
    const local = await ok(['repo', 'detect', '--json'], checkoutIn(workDir));
    expect(local.json()).toMatchObject({account: {token: 'work', source: 'local'}});

    await ok(['token', 'unuse', '127.0.0.1', '--global'], outside);
    const back = await ok(['repo', 'detect', '--json'], path.join(outside, 'checkout'));
    expect(back.json()).toMatchObject({account: {token: 'work', source: 'repository'}});
  });

  it('names the config file when the chosen token is gone', async () => {
    expect((await register('models', 'acme/models', workDir)).code).toBe(0);
    await ok(['token', 'remove', 'work'], workDir);
    const result = await world.berth(
      ['repo', 'download', 'models', '--commit', sha, '--dir', path.join(workDir, 'out')],
      {cwd: workDir},
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `No token named "work" (chosen for 127.0.0.1 in ${path.join(workDir, '.berth/config.yaml')})`,
    );
    expect(result.stderr).toContain('berth token use NAME');
  });
});

describe('berth token status', () => {
  type Status = {
    name: string;
    host: string;
    login: string | null;
    state: string;
    storage: string;
    expiresAt: string | null;
    warnings: string[];
    usedBy: {profiles: string[]; directories: string[]; repositories: string[]};
  };

  it('checks every token now and says where it is stored and who uses it; exit 1 for a refused one', async () => {
    const outside = world.project;
    expect((await register('notes', 'me/notes', personalDir, '--token', 'personal')).code).toBe(0);
    await ok(['token', 'use', 'work', '--global'], outside);
    const file = await world.berth(
      [
        'token',
        'add',
        'github',
        '--api-url',
        world.forge.githubApiUrl,
        '--name',
        'plain',
        '--stdin',
        '--insecure-storage',
      ],
      {input: `${revoked.token}\n`},
    );
    expect(file.code, file.stderr).toBe(0);
    await world.addToken('soon', 'gitlab', expiring.token);

    const healthy = await ok(['token', 'status', '--json'], workDir);
    const byName = new Map(healthy.json<Status[]>().map((entry) => [entry.name, entry]));
    expect(byName.get('work')).toMatchObject({
      host: '127.0.0.1',
      login: 'octo-work',
      state: 'valid',
      storage: 'keychain',
      usedBy: {profiles: ['default'], directories: [workDir], repositories: []},
    });
    expect(byName.get('personal')).toMatchObject({
      login: 'octo-personal',
      usedBy: {profiles: [], directories: [personalDir], repositories: ['default/notes']},
    });
    expect(byName.get('plain')?.storage).toBe('file');
    expect(byName.get('plain')?.warnings.join('\n')).toContain('stored in plain text');
    expect(byName.get('soon')?.expiresAt?.slice(0, 10)).toBe(inThreeDays);
    expect(byName.get('soon')?.warnings.join('\n')).toMatch(
      new RegExp(`expires on ${inThreeDays}, in [23] days`),
    );

    const plain = await ok(['token', 'status'], workDir);
    expect(plain.stdout).toContain('✓ work: logged in as octo-work (github, keychain)');
    expect(plain.stdout).toContain(`Used by: directory ${workDir}, profile default`);
    expect(plain.stderr).toMatch(/Warning: soon: expires on/);

    // The token behind "plain" is revoked on the forge: status says so and exits 1.
    revoked.expired = true;
    const broken = await world.berth(['token', 'status', '--json'], {cwd: workDir});
    expect(broken.code).toBe(1);
    const entry = broken.json<Status[]>().find((candidate) => candidate.name === 'plain');
    expect(entry?.state).toBe('invalid');
    expect(broken.stderr).toContain("Token 'plain' does not work");
  });
});
