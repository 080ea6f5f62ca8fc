// The tokens screen in a real pseudo-terminal, against a local forge and a private OS keychain:
// its errors say what to do on this screen (fields, keys), never a CLI flag, while the CLI
// still names its flags for the same refusals.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {runBerth} from '../support/cli.js';
import {startForgeServer, type ForgeServer, type ForgeToken} from '../support/forge-server.js';
import {keys, type PtySession} from '../support/pty.js';
import {startKeychain, type Keychain} from '../support/services.js';
import {closeQuietly, createWorld, expectOk, type TuiWorld} from './fixture.js';

const octocat = {
  token: 'ghp_tokensTuiTestToken000000000000000tk01',
  login: 'octocat',
  scopes: ['repo'],
} satisfies ForgeToken;
const hubot = {
  token: 'ghp_tokensTuiTestToken000000000000000tk02',
  login: 'hubot',
  scopes: ['repo'],
} satisfies ForgeToken;

let forge: ForgeServer;
let keychain: Keychain;
let session: PtySession | undefined;

beforeAll(async () => {
  [forge, keychain] = await Promise.all([
    startForgeServer({tokens: [octocat, hubot]}),
    startKeychain(),
  ]);
});
afterAll(async () => {
  await keychain?.stop();
  await forge?.close();
});
afterEach(() => closeQuietly(session));

/** The screen's text with wrapped lines joined, as a person reads a message. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** `text` as a pattern that lets the screen wrap it between any two words. */
function wrapped(text: string): RegExp {
  return new RegExp(
    text
      .split(' ')
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+'),
  );
}

function expectNoFlags(screen: PtySession): void {
  expect(oneLine(screen.text())).not.toMatch(/(^|\s|\(|`)--[a-z]/);
}

/** `a` → GitHub → the forge's API URL, typed over the default → the secret field. */
async function openAddForm(screen: PtySession): Promise<void> {
  await screen.write('a');
  await screen.waitFor('Add a token for:');
  await screen.write('g');
  const prefilled = 'https://api.github.com';
  await screen.waitFor(prefilled);
  for (let i = 0; i < prefilled.length; i++) await screen.write(keys.backspace);
  await screen.type(forge.githubApiUrl);
  await screen.write(keys.enter);
  await screen.waitFor(`github token for ${forge.githubApiUrl}`);
}

/** A code repository in the default profile's store that uses token `name`. */
async function seedRepositoryUsing(world: TuiWorld, name: string): Promise<void> {
  const config = JSON.parse(readFileSync(path.join(world.configDir, 'config.json'), 'utf8')) as {
    profiles: Array<{storeUrl: string}>;
  };
  const {openSqliteStore} = await import('../../source/store/sqlite-store.js');
  const store = await openSqliteStore(config.profiles[0]!.storeUrl.replace(/^sqlite:/, ''));
  await store
    .collection('repositories')
    .put('models', {name: 'models', type: 'github', token: name});
  await store.close();
}

describe('tokens screen', () => {
  it('says empty, taken-name and in-use refusals in its own keys, never a CLI flag', async () => {
    const world = createWorld();
    const env = {...world.env, ...keychain.env};
    const name = `github-127.0.0.1-${new URL(forge.url).port}`;
    const added = await runBerth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--stdin'],
      {cwd: world.checkout, env, input: `${octocat.token}\n`},
    );
    expect(added.code, added.stderr).toBe(0);

    // Not a first run: home, not setup.
    await expectOk(world.berth(['status']));
    session = world.open([], {env: keychain.env, rows: 40});
    await session.waitFor(/Tokens\s+1 token/);
    await session.write('t');
    await session.waitFor(`› ${name}`);

    // Enter on an empty field: what to do here, not "pipe it to --stdin".
    await openAddForm(session);
    await session.write(keys.enter);
    await session.waitFor(wrapped('The token is empty: paste it, then press enter.'));
    expectNoFlags(session);

    // Another login's token would take the same name: the form has no name field, so the
    // message says what the list can do.
    await session.write(hubot.token);
    await session.waitFor('*'.repeat(hubot.token.length));
    await session.write(keys.enter);
    await session.waitFor(wrapped("berth does not overwrite another account's token"));
    await session.waitFor(wrapped('Remove that token first (d in the list), then add this one.'));
    expectNoFlags(session);

    // The same login's token for the same API replaces the stored one, as setup does.
    await openAddForm(session);
    await session.write(octocat.token);
    await session.waitFor('*'.repeat(octocat.token.length));
    await session.write(keys.enter);
    await session.waitFor(`Stored token '${name}' in the OS keychain`);
    expectNoFlags(session);

    // In use by a code repository: the CLI names --force; the screen offers `f`.
    await seedRepositoryUsing(world, name);
    const refused = await runBerth(['token', 'remove', name], {cwd: world.checkout, env});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('used by a code repository: default/models');
    expect(refused.stderr).toContain('--force');

    await session.write('d');
    await session.waitFor(`Remove token '${name}' from this machine?`);
    await session.write('y');
    await session.waitFor(wrapped('used by a code repository: default/models'));
    await session.waitFor(wrapped('or press f to remove the token anyway.'));
    await session.waitFor(/f\s+remove anyway/);
    expectNoFlags(session);
    await session.write('f');
    await session.waitFor(`Removed token '${name}'.`);
    expectNoFlags(session);

    expect(session.output).not.toContain(octocat.token);
    expect(session.output).not.toContain(hubot.token);
    const listed = await runBerth(['token', 'list', '--json'], {cwd: world.checkout, env});
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json<unknown[]>()).toEqual([]);
  });

  it('a token whose secret is gone: the screen says where to paste it again, the CLI the command', async () => {
    const world = createWorld();
    const name = 'lost';
    const stored = await runBerth(
      [
        'token',
        'add',
        'github',
        '--name',
        name,
        '--api-url',
        forge.githubApiUrl,
        '--insecure-storage',
        '--stdin',
      ],
      {cwd: world.checkout, env: world.env, input: `${octocat.token}\n`},
    );
    expect(stored.code, stored.stderr).toBe(0);
    // The 0600 file loses the secret (restored from an old backup, say); the list still has it.
    writeFileSync(
      path.join(world.configDir, 'credentials.json'),
      `${JSON.stringify({version: 1, secrets: {}})}\n`,
      {mode: 0o600},
    );

    const cli = await runBerth(['token', 'verify', name], {cwd: world.checkout, env: world.env});
    expect(cli.code).toBe(4);
    expect(cli.stderr).toContain(
      `Add it again: \`berth token add github --name ${name} --replace\`.`,
    );

    await expectOk(world.berth(['status']));
    session = world.open([], {rows: 40});
    await session.waitFor(/Tokens\s+1 token/);
    await session.write('t');
    await session.waitFor(`› ${name}`);
    await session.write('v');
    await session.waitFor(
      wrapped(`The secret of token "${name}" is missing from the credentials file.`),
    );
    await session.waitFor(
      wrapped(`Add it again: open Tokens (t), select ${name} and press r to paste its secret.`),
    );
    expectNoFlags(session);
    expect(oneLine(session.text())).not.toContain('berth token');
  });

  it('reads keys that arrive in one burst one by one, each on the screen the last one left', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    // Two tokens from the environment: `github`, then `gitlab`.
    session = world.open([], {
      env: {...keychain.env, GH_TOKEN: octocat.token, GITLAB_TOKEN: 'glpat-burstTestToken0001'},
    });
    await session.waitFor(/Tokens\s+2 tokens/);
    await session.press('t', /› github/);
    await session.waitForScreen(/ {2}gitlab/);
    // One write, as a fast typist or a slow link delivers it: down, down (stays on the last),
    // and d asks about the token under the cursor.
    await session.press('jjd', "Remove token 'gitlab' from this machine? (y/N)");
    // Enter keeps it and closes the question; k and d then act on the list it returned to.
    await session.press('\rkd', "Remove token 'github' from this machine? (y/N)");
    // Arrow keys and text in one burst: an escape sequence is one key.
    await session.press(`n${keys.down}d`, "Remove token 'gitlab' from this machine? (y/N)");
    await session.press('n', /› gitlab/);
    expect(session.output).not.toContain(octocat.token);
  });
});
