// The token screen in a real pseudo-terminal: add a token through the masked input, see the
// live verification, and find it listed masked; then remove it with confirmation.
import {rmSync} from 'node:fs';
import {afterAll, afterEach, beforeAll, beforeEach, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {startForgeServer, type ForgeServer} from '../support/forge-server.js';
import {keys, spawnBerth} from '../support/pty.js';
import {startKeychain, type Keychain} from '../support/services.js';
import {filesContaining} from '../support/token-leaks.js';

const secret = 'ghp_typedThroughTheMaskedInput0000abcd';
let forge: ForgeServer;
let keychain: Keychain;
let configDir: string;
let project: string;

beforeAll(async () => {
  forge = await startForgeServer({tokens: [{token: secret, login: 'octocat', scopes: ['repo']}]});
});
afterAll(async () => {
  await forge?.close();
});
beforeEach(async () => {
  configDir = tempDir('berth-config-');
  project = tempDir('berth-project-');
  keychain = await startKeychain();
});
afterEach(async () => {
  await keychain?.stop();
  rmSync(configDir, {recursive: true, force: true});
  rmSync(project, {recursive: true, force: true});
});

it('adds a token through the masked input and lists it masked; the secret is never on screen', async () => {
  const session = spawnBerth(['token'], {
    cwd: project,
    env: {BERTH_CONFIG_DIR: configDir, ...keychain.env},
  });
  try {
    await session.waitFor('No tokens yet');
    await session.write('a');
    await session.waitFor('Add a token for:');
    await session.write('g');
    await session.waitFor('API URL:');
    // Replace the prefilled https://api.github.com with the test server.
    for (let i = 0; i < 'https://api.github.com'.length; i += 1)
      await session.write(keys.backspace);
    await session.type(forge.githubApiUrl);
    await session.write(keys.enter);
    await session.waitFor('Token:');
    session.mark();
    await session.type(secret.slice(0, 8));
    await session.waitFor('********');
    // The rest at once, as a paste.
    await session.write(secret.slice(8));
    await session.write(keys.enter);
    await session.waitFor('logged in as octocat');
    await session.waitFor("Stored token 'github-127.0.0.1-");
    await session.waitFor('ghp_****abcd');
    await session.waitFor('storage keychain');
    expect(session.output).not.toContain(secret.slice(4, 12));
    expect(filesContaining(secret, [configDir, project])).toEqual([]);
    expect(await keychain.search('berth')).toContain(`secret = ${secret}`);

    session.mark();
    await session.write('d');
    await session.waitFor('from this machine? (y/N)');
    await session.write('y');
    await session.waitFor('Removed token');
    await session.waitFor('No tokens yet');
    await session.write('q');
    expect(await session.exit).toBe(0);
    expect(await keychain.search('berth')).not.toContain(secret);
  } finally {
    session.kill();
  }
});

it('`token add` in a terminal reads the token from a masked prompt (one * per character)', async () => {
  const session = spawnBerth(
    ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--name', 'gh'],
    {
      cwd: project,
      env: {BERTH_CONFIG_DIR: configDir, ...keychain.env},
    },
  );
  try {
    await session.waitFor('Paste your github token:');
    session.mark();
    await session.type(secret.slice(0, 6));
    await session.waitFor('******');
    await session.write(secret.slice(6));
    await session.write(keys.enter);
    await session.waitFor("Stored token 'gh' in the OS keychain");
    expect(await session.exit).toBe(0);
    expect(session.output).not.toContain(secret.slice(0, 6));
    expect(filesContaining(secret, [configDir, project])).toEqual([]);
  } finally {
    session.kill();
  }
});
