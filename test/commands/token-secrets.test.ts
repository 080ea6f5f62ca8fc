// A token's characters and length are checked before any use: a UTF-16 file from PowerShell,
// a NUL, a non-ASCII letter or 100 KB are refused with a message that never contains the
// token, before any request (no "Can't reach host").
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {runBerth, tempDir} from '../support/cli.js';
import {startForgeServer, type ForgeServer} from '../support/forge-server.js';

const token = 'ghp_hygieneTestToken000000000000000abcd';
let forge: ForgeServer;
let configDir: string;

beforeAll(async () => {
  forge = await startForgeServer({tokens: [{token, login: 'octocat', scopes: ['repo']}]});
});
afterAll(async () => forge?.close());
beforeEach(() => {
  configDir = tempDir('berth-config-');
  forge.reset();
});

const add = (input: string | Buffer, env: Record<string, string> = {}) =>
  runBerth(
    [
      'token',
      'add',
      'github',
      '--name',
      'gh',
      '--api-url',
      forge.githubApiUrl,
      '--stdin',
      '--insecure-storage',
    ],
    {input, env: {BERTH_CONFIG_DIR: configDir, ...env}},
  );

/** Nothing of the token in the output, not even a part of it. */
function expectNoSecret(text: string, secret = token): void {
  for (let start = 0; start + 8 <= secret.length; start += 4)
    expect(text).not.toContain(secret.slice(start, start + 8));
  // The UTF-16 form, read as UTF-8, has a NUL between the letters.
  expect(text).not.toContain('\u0000');
}

describe('token add refuses malformed secrets before any request', () => {
  it.each([
    [
      'a UTF-16LE file with a BOM (PowerShell)',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${token}\r\n`, 'utf16le')]),
      /UTF-16/,
    ],
    ['a NUL inside', Buffer.from(`${token.slice(0, 10)}\u0000${token.slice(10)}`), /NUL/],
    [
      'a non-Latin-1 letter',
      `${token.slice(0, 10)}ж${token.slice(11)}`,
      /a character tokens never have at position 11/,
    ],
    ['a typographic quote', `“${token}”`, /a character tokens never have at position 1/],
    ['a space inside', `${token.slice(0, 12)} ${token.slice(12)}`, /whitespace at position 13/],
    ['100 KB', `ghp_${'a'.repeat(100 * 1024)}`, /is 102404 characters long/],
    [
      'a newline inside (two lines pasted)',
      `${token.slice(0, 10)}\n${token.slice(10)}`,
      /control character at position 11/,
    ],
    ['a control character', `${token}\u001b[2J`, /control character at position/],
  ])('%s', async (_what, input, message) => {
    const result = await add(input);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/Can't reach|berth hit a bug|invalid header value/);
    expectNoSecret(result.stdout + result.stderr);
    expect(forge.requests).toEqual([]);
  });

  it('a clean token with a trailing newline and a UTF-8 BOM is accepted', async () => {
    const result = await add(`\ufeff${token}\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr + result.stdout).toContain('octocat');
  });
});

describe('tokens from the environment are checked the same way', () => {
  it('a GITHUB_TOKEN with a non-ASCII letter is named, not sent', async () => {
    const bad = `${token.slice(0, 10)}é${token.slice(11)}`;
    const result = await runBerth(['token', 'verify', 'github'], {
      env: {BERTH_CONFIG_DIR: configDir, GITHUB_TOKEN: bad},
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('GITHUB_TOKEN has a character tokens never have');
    expectNoSecret(result.stdout + result.stderr, bad);
  });
});
