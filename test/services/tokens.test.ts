// The token service as other services use it: resolving a token (the environment wins over the
// stored secret of the provider's default host), and masking.
import {rmSync} from 'node:fs';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createDeps} from '../../source/deps.js';
import {maskSecret} from '../../source/lib/mask.js';
import {getTokenMetadata, listTokens, resolveToken} from '../../source/services/tokens.js';
import {TokenStore} from '../../source/store/token-store.js';
import {tempDir} from '../support/cli.js';

let configDir: string;

beforeEach(async () => {
  configDir = tempDir('berth-config-');
  // A token for github.com kept in the 0600 file: written as `token add --insecure-storage` would.
  const store = new TokenStore(configDir);
  await store.writeFileSecret('github', 'ghp_storedStoredStoredStored0000stor');
  await store.update((tokens) => {
    tokens.push({
      name: 'github',
      provider: 'github',
      apiUrl: 'https://api.github.com',
      login: 'octocat',
      scopes: ['repo'],
      fineGrained: false,
      expiresAt: null,
      storage: 'file',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastVerifiedAt: '2026-01-01T00:00:00.000Z',
    });
  });
});

afterEach(() => rmSync(configDir, {recursive: true, force: true}));

describe('resolveToken', () => {
  it('returns the stored secret, and the environment one when GH_TOKEN or GITHUB_TOKEN is set', async () => {
    const stored = await resolveToken(createDeps({env: {BERTH_CONFIG_DIR: configDir}}), 'github');
    expect(stored).toEqual({
      name: 'github',
      provider: 'github',
      apiUrl: 'https://api.github.com',
      login: 'octocat',
      secret: 'ghp_storedStoredStoredStored0000stor',
      storage: 'file',
    });

    const deps = createDeps({
      env: {BERTH_CONFIG_DIR: configDir, GITHUB_TOKEN: 'ghp_fromEnvFromEnvFromEnv000000000envv'},
    });
    const fromEnv = await resolveToken(deps, 'github');
    expect(fromEnv).toMatchObject({
      secret: 'ghp_fromEnvFromEnvFromEnv000000000envv',
      storage: 'env',
      login: null,
    });
    // The metadata stays what was verified for the stored token.
    expect(getTokenMetadata(deps, 'github')).toMatchObject({login: 'octocat', storage: 'file'});
    const listed = await listTokens(deps);
    expect(listed).toMatchObject([
      {
        name: 'github',
        storage: 'env',
        envVar: 'GITHUB_TOKEN',
        storedIn: 'file',
        masked: 'ghp_****envv',
      },
    ]);
  });

  it('does not apply GH_TOKEN to other hosts, and names a missing token', async () => {
    const store = new TokenStore(configDir);
    await store.writeFileSecret('ghe', 'ghp_enterpriseEnterprise000000000ghe1');
    await store.update((tokens) => {
      tokens.push({...tokens[0]!, name: 'ghe', apiUrl: 'https://ghe.example.com/api/v3'});
    });
    const deps = createDeps({
      env: {BERTH_CONFIG_DIR: configDir, GH_TOKEN: 'ghp_fromEnvFromEnvFromEnv000000000envv'},
    });
    expect(await resolveToken(deps, 'ghe')).toMatchObject({
      storage: 'file',
      secret: 'ghp_enterpriseEnterprise000000000ghe1',
    });
    await expect(resolveToken(deps, 'nope')).rejects.toThrow('No token named "nope".');
  });
});

describe('maskSecret', () => {
  it.each([
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_****6789'],
    ['gho_abcdefghijklmnopqrstuvwxyz0123456789', 'gho_****6789'],
    ['github_pat_11ABCDEFG0abcdefghijklmnopqrstu', 'github_pat_****rstu'],
    ['glpat-abcdefghijklmnopqrst', 'glpat-****qrst'],
    ['plainsecretplainsecret1234', '****1234'],
    ['ghp_short', 'ghp_********'],
    ['tiny', '********'],
    ['', '********'],
  ])('masks %s as %s', (secret, masked) => {
    expect(maskSecret(secret)).toBe(masked);
    // Never more than 4 characters of the secret itself beyond a public prefix.
    const revealed = masked.replace(/^(github_pat_|gh[a-z]_|glpat-)/, '').replace(/\*/g, '');
    expect(revealed.length).toBeLessThanOrEqual(4);
  });
});
