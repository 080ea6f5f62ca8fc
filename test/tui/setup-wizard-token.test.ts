// The onboarding wizard's token and repository path in a real pseudo-terminal, against a local
// forge (real git behind GitHub's endpoints) and a private OS keychain: a fresh config ends with
// the token in the keychain, the code repository registered, and this directory initialized.
import {execFileSync} from 'node:child_process';
import {existsSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runBerth, type RunResult} from '../support/cli.js';
import {startForgeServer, type ForgeServer, type ForgeToken} from '../support/forge-server.js';
import {keys, type PtySession} from '../support/pty.js';
import {
  startBusWithoutSecretService,
  startKeychain,
  type Keychain,
  type SessionBus,
} from '../support/services.js';
import {filesContaining} from '../support/token-leaks.js';
import {closeQuietly, createWorld, type TuiWorld} from './fixture.js';

const token = {
  token: 'ghp_wizardTuiTestToken000000000000000wz01',
  login: 'octocat',
  scopes: ['repo', 'read:org'],
} satisfies ForgeToken;

let forge: ForgeServer;
let keychain: Keychain;
let session: PtySession | undefined;

beforeAll(async () => {
  [forge, keychain] = await Promise.all([startForgeServer({tokens: [token]}), startKeychain()]);
});
afterAll(async () => {
  await keychain?.stop();
  await forge?.close();
});
afterEach(() => closeQuietly(session));

/** The checkout's origin on the forge, as a clone from it would have. */
function pointOriginAtForge(world: TuiWorld, repoPath: string): string {
  const url = `${forge.url}/${repoPath}.git`;
  execFileSync('git', ['remote', 'set-url', 'origin', url], {
    cwd: world.checkout,
    env: cleanEnv(),
  });
  return url;
}

function berth(world: TuiWorld, args: string[], env: Record<string, string>): Promise<RunResult> {
  return runBerth(args, {cwd: world.checkout, env: {...world.env, ...env}});
}

async function json<T>(result: Promise<RunResult>): Promise<T> {
  const done = await result;
  expect(done.code, done.stderr).toBe(0);
  expect(done.stdout).not.toContain(token.token);
  return done.json<T>();
}

/** Detect → GitHub → the forge's API URL → the token, pasted → verified as octocat. */
async function enterToken(
  world: TuiWorld,
  env: Record<string, string>,
  origin: string,
  args: string[] = [],
) {
  const port = new URL(forge.url).port;
  session = world.open(args, {env});
  await session.waitFor('setup · checkout');
  await session.waitFor(`origin ${origin}`);
  await session.write(keys.enter);
  await session.waitFor('Where is the code hosted?');
  await session.write(keys.enter);
  // Prefilled from the remote's host the way GitHub Enterprise lays it out; this forge serves
  // the API at its root, so the URL is replaced like a person would.
  const prefilled = `http://127.0.0.1:${port}/api/v3`;
  await session.waitFor(prefilled);
  for (let i = 0; i < prefilled.length; i++) await session.write(keys.backspace);
  await session.type(forge.githubApiUrl);
  await session.write(keys.enter);
  await session.waitFor('Paste a personal access token');
  await session.waitFor(`name 'github-127.0.0.1-${port}'`);
  // What the token needs and where a person makes one, before they paste it.
  await session.waitFor('Needs "repo" (a classic token)');
  await session.waitFor(`127.0.0.1:${port}/settings/tokens/new?scopes=repo`);
  // Pasted: one write, as a terminal delivers a paste.
  await session.write(token.token);
  await session.waitFor('*'.repeat(token.token.length));
  await session.write(keys.enter);
  await session.waitFor('✓ Token verified');
  await session.waitFor(/Login\s+octocat/);
  await session.waitFor(/Scopes\s+repo, read:org/);
  await session.write(keys.enter);
  return {tokenName: `github-127.0.0.1-${port}`};
}

/** The screen's text with wrapped lines joined, as a person reads a message. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

type TokenEntry = {
  name: string;
  provider: string;
  apiUrl: string;
  login: string;
  storage: string;
  masked: string;
};
type RepoEntry = {name: string; type: string; host: string; path: string; token: string | null};
type Status = {
  repositoryRoot: string | null;
  profile: {name: string; source: string};
  stack: {name: string; source: string};
};

describe('the onboarding wizard with a token', () => {
  it('stores the token in the keychain, registers the repository, inits and picks a stack', async () => {
    const world = createWorld();
    forge.addRepository({provider: 'github', path: 'acme/widgets', gitDir: world.checkout});
    const origin = pointOriginAtForge(world, 'acme/widgets');
    const {tokenName} = await enterToken(world, keychain.env, origin);

    await session!.waitFor('The token goes to the OS keychain');
    await session!.write(keys.enter);
    // The repository step: owner/repository from the remote, the token just verified by name.
    await session!.waitFor("Register this checkout's code repository");
    await session!.waitFor(`Token         ${tokenName}`);
    await session!.waitFor('› acme/widgets');
    await session!.write(keys.enter);
    await session!.waitFor(`Yes, init ${world.checkout}`);
    await session!.write(keys.enter);
    await session!.waitFor('default (current)');
    await session!.write(keys.enter);
    await session!.waitFor(`1. Store token '${tokenName}' in the OS keychain`);
    await session!.waitFor(
      `2. Register code repository 'widgets' (127.0.0.1/acme/widgets, token '${tokenName}')`,
    );
    await session!.waitFor('3. Make');
    await session!.waitFor("4. Set the active stack to 'default' in this repository");
    await session!.waitFor('Nothing has been written yet.');
    expect(world.globalConfig()).toBeUndefined();
    expect(world.repositoryConfig()).toBeUndefined();
    expect(await keychain.search('berth')).not.toContain(tokenName);

    await session!.write(keys.enter);
    await session!.waitFor('Setup is complete.');
    await session!.waitFor("`berth repo detect` — check this checkout against 'widgets'");
    await session!.waitFor('`berth publish`');
    await session!.write(keys.enter);
    // Home: the checkout now matches the registered repository; the token is listed.
    await session!.waitFor(/Code\s+widgets @ [0-9a-f]{7}/);
    await session!.waitFor(new RegExp(`Tokens\\s+1 token · ${tokenName} \\(keychain\\)`));
    await session!.write('q');
    expect(await session!.exit).toBe(0);
    expect(session!.output).not.toContain(token.token);
    expect(filesContaining(token.token, [world.configDir, world.checkout])).toEqual([]);

    const tokens = await json<TokenEntry[]>(
      berth(world, ['token', 'list', '--json'], keychain.env),
    );
    expect(tokens).toEqual([
      expect.objectContaining({
        name: tokenName,
        provider: 'github',
        apiUrl: forge.githubApiUrl,
        login: 'octocat',
        storage: 'keychain',
      }),
    ]);
    expect(tokens[0]!.masked).toMatch(/\*/);
    expect(await keychain.search('berth')).toContain(tokenName);

    const repositories = await json<RepoEntry[]>(berth(world, ['repo', 'list', '--json'], {}));
    expect(repositories).toEqual([
      expect.objectContaining({
        name: 'widgets',
        type: 'github',
        host: '127.0.0.1',
        path: 'acme/widgets',
        token: tokenName,
      }),
    ]);
    expect(world.repositoryConfig()).toMatch(/active_stack: default/);
    const status = await json<Status>(berth(world, ['status', '--json'], {}));
    expect(status).toMatchObject({
      repositoryRoot: world.checkout,
      profile: {name: 'default', source: 'local'},
      stack: {name: 'default', source: 'local'},
    });
    const detected = await json<{repository: string | null}>(
      berth(world, ['repo', 'detect', '--json'], keychain.env),
    );
    expect(detected.repository).toBe('widgets');
  });

  it('without a keychain offers the plain file; a wrong repository is reported at its step, before Apply; a re-run after a partial Apply reuses what it stored', async () => {
    const bus: SessionBus = await startBusWithoutSecretService();
    try {
      const world = createWorld();
      forge.addRepository({provider: 'github', path: 'acme/widgets', gitDir: world.checkout});
      const origin = pointOriginAtForge(world, 'acme/widgets');
      // A file where init would make the `.berth/` directory: Apply fails at that step.
      writeFileSync(path.join(world.checkout, '.berth'), '');
      const {tokenName} = await enterToken(world, bus.env, origin);

      await session!.waitFor('No OS keychain is reachable');
      await session!.waitFor("Don't store it (skip)");
      await session!.write(keys.down);
      await session!.write(keys.enter);
      await session!.waitFor('› acme/widgets');
      // A wrong owner, typed over the one from the remote.
      for (let i = 0; i < 'acme/widgets'.length; i++) await session!.write(keys.backspace);
      await session!.type('acne/widgets');
      session!.mark();
      await session!.write(keys.enter);
      // Asked of the forge as the step is left, with the token just verified: reported there, in
      // the step's words, the path still in the field. Nothing is written.
      await session!.waitFor('was not found');
      const shown = (await session!.screen()).join('\n');
      expect(shown).toContain('setup · repository');
      expect(shown).toContain('› acne/widgets');
      expect(oneLine(shown)).toContain(
        `✗ 127.0.0.1/acne/widgets was not found, or token "${tokenName}" cannot read it. Check the owner and repository`,
      );
      expect(shown).not.toMatch(/--[a-z]/);
      expect(world.globalConfig()).toBeUndefined();
      expect(existsSync(path.join(world.configDir, 'credentials.json'))).toBe(false);

      for (let i = 0; i < 'acne/widgets'.length; i++) await session!.write(keys.backspace);
      await session!.type('acme/widgets');
      await session!.write(keys.enter);
      await session!.waitFor('Yes, init');
      await session!.write(keys.enter);
      await session!.waitFor('default (current)');
      await session!.write(keys.enter);
      await session!.waitFor(`Store token '${tokenName}' in a plain file (0600) — not encrypted`);
      await session!.write(keys.enter);
      await session!.waitFor('Setup stopped at the step marked ✗');
      const screen = oneLine((await session!.screen()).join('\n'));
      expect(screen).toMatch(new RegExp(`✓ Store token '${tokenName}' in a plain file`));
      expect(screen).toContain(`✓ Register code repository 'widgets'`);
      expect(screen).toMatch(/✗ Make .* a berth repository \(berth init\): /);
      expect(screen).toMatch(/– Set the active stack to 'default' in this repository \(not done\)/);
      await session!.write(keys.enter);
      await session!.waitFor(/Tokens\s+1 token/);
      await session!.write('q');
      expect(await session!.exit).toBe(0);
      expect(session!.output).not.toContain(token.token);

      const tokens = await json<TokenEntry[]>(berth(world, ['token', 'list', '--json'], bus.env));
      expect(tokens).toEqual([expect.objectContaining({name: tokenName, storage: 'file'})]);
      expect(await json<RepoEntry[]>(berth(world, ['repo', 'list', '--json'], {}))).toEqual([
        expect.objectContaining({name: 'widgets', path: 'acme/widgets', token: tokenName}),
      ]);
      expect(world.repositoryConfig()).toBeUndefined();

      // Run again once the problem is fixed, pasting the same token: stored over the one the
      // first run stored (the same login), not beside it as NAME-2; the repository is known.
      rmSync(path.join(world.checkout, '.berth'));
      await enterToken(world, bus.env, origin, ['setup']);
      await session!.waitFor('Token');
      await session!.waitFor('No OS keychain is reachable');
      expect(oneLine(session!.text())).toContain(
        `Token '${tokenName}' is stored already for octocat: this one replaces it.`,
      );
      await session!.write(keys.down);
      await session!.write(keys.enter);
      await session!.waitFor(`Yes, init ${world.checkout}`);
      await session!.write(keys.enter);
      await session!.waitFor('default (current)');
      await session!.write(keys.enter);
      await session!.waitFor('Nothing has been written yet.');
      const review = oneLine((await session!.screen()).join('\n'));
      expect(review).toContain(
        `1. Replace token '${tokenName}' in a plain file (0600) — not encrypted (the same login stored it before)`,
      );
      expect(review).not.toContain('Register code repository');
      expect(review).not.toContain(`${tokenName}-2`);
      await session!.write(keys.enter);
      await session!.waitFor('Setup is complete.');
      await session!.write(keys.enter);
      expect(await session!.exit).toBe(0);

      const again = await json<TokenEntry[]>(berth(world, ['token', 'list', '--json'], bus.env));
      expect(again.map((entry) => entry.name)).toEqual([tokenName]);
      expect(again[0]).toMatchObject({login: 'octocat', storage: 'file'});
      expect(
        (await json<RepoEntry[]>(berth(world, ['repo', 'list', '--json'], {}))).map(
          (entry) => entry.name,
        ),
      ).toEqual(['widgets']);
      expect(world.repositoryConfig()).toMatch(/active_stack: default/);
    } finally {
      await bus.stop();
    }
  });

  it('speaks of fields and keys on every error path, never of command-line flags', async () => {
    const bus: SessionBus = await startBusWithoutSecretService();
    try {
      const world = createWorld();
      const origin = pointOriginAtForge(world, 'acme/nothere');
      writeFileSync(path.join(world.checkout, '.berth'), '');
      const port = new URL(forge.url).port;
      session = world.open(['setup'], {env: bus.env});
      const s = session;
      const shows = async (text: string) => {
        await s.waitFor(text);
        return oneLine((await s.screen()).join('\n'));
      };
      const clear = async (count: number) => {
        for (let i = 0; i < count; i++) await s.write(keys.backspace);
      };
      await s.waitFor(`origin ${origin}`);
      await s.write(keys.enter);
      await s.waitFor('Where is the code hosted?');
      await s.write(keys.enter);
      const prefilled = `http://127.0.0.1:${port}/api/v3`;
      await s.waitFor(prefilled);
      await clear(prefilled.length);
      // The API URL: not http(s), then with credentials in it.
      await s.type('ftp://127.0.0.1');
      await s.write(keys.enter);
      expect(await shows('✗')).toContain('✗ API URL must be an http(s) URL, not ftp:.');
      await clear('ftp://127.0.0.1'.length);
      s.mark();
      await s.type(`http://me:pw@127.0.0.1:${port}`);
      await s.write(keys.enter);
      expect(await shows('must not contain')).toContain('✗ API URL must not contain credentials.');
      await clear(`http://me:pw@127.0.0.1:${port}`.length);
      await s.type(forge.githubApiUrl);
      await s.write(keys.enter);
      // The token: none, then one the forge refuses, then one with a space in it.
      await s.waitFor('Paste a personal access token');
      await s.write(keys.enter);
      expect(await shows('Paste a token, or press Tab')).toContain('✗ Paste a token, or press Tab');
      s.mark();
      await s.write('ghp_refusedToken0000000000000000000000000');
      await s.write(keys.enter);
      const refused = await shows('was refused');
      expect(refused).toContain('The token was refused by');
      // Its next step is the field in front of the user, not a command to run elsewhere.
      expect(refused).toContain('Paste a working one, or esc to change the API URL.');
      expect(refused).not.toContain('berth token add');
      await clear('ghp_refusedToken0000000000000000000000000'.length);
      s.mark();
      await s.write('ghp_with space');
      await s.write(keys.enter);
      expect(await shows('whitespace')).toContain('has whitespace at position 9');
      await clear('ghp_with space'.length);
      s.mark();
      await s.write(token.token);
      await s.write(keys.enter);
      await s.waitFor('✓ Token verified');
      await s.write(keys.enter);
      // No keychain: said as a choice, not as a flag.
      expect(await shows('No OS keychain is reachable')).toContain(
        'Store it in a plain file (0600, not encrypted)',
      );
      await s.write(keys.enter);
      // The repository: a path of the wrong form, then one the forge does not have.
      await s.waitFor('› acme/nothere');
      await clear('acme/nothere'.length);
      await s.type('a/b/c');
      await s.write(keys.enter);
      expect(await shows('Write it as')).toContain('owner/repository');
      await clear(5);
      s.mark();
      await s.type('acme/nothere');
      await s.write(keys.enter);
      expect(await shows('was not found')).toContain('Check the owner and repository.');
      await s.write(keys.tab);
      // A new stack with a name berth refuses, then Apply failing at init (a file is in the way).
      await s.waitFor('Yes, init');
      await s.write(keys.enter);
      await s.waitFor('default (current)');
      await s.write(keys.down);
      await s.write(keys.enter);
      await s.waitFor('Name of the new stack');
      await s.type('bad name');
      s.mark();
      await s.write(keys.enter);
      await shows('✗');
      await clear(8);
      await s.type('gpu');
      await s.write(keys.enter);
      await s.waitFor('Nothing has been written yet.');
      await s.write(keys.enter);
      expect(await shows('Setup stopped at the step marked ✗')).toContain(
        'is a file, not a directory',
      );
      // Everything the wizard showed on the way: no flag anywhere.
      const all = s.text();
      expect(all.match(/--[a-z][a-z-]*/g) ?? []).toEqual([]);
      expect(all).not.toContain(token.token);
      await s.write(keys.enter);
      expect(await s.exit).toBe(1);
    } finally {
      await bus.stop();
    }
  }, 240_000);
});
