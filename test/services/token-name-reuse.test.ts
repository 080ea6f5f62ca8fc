// Setup run again stores a token over the one it stored before (the same login, the same API)
// and never over another account's: the rule (tokenNameUse) and addToken enforcing it against
// a forge that answers who each token belongs to.
import {rmSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createDeps} from '../../source/deps.js';
import {addToken, tokenNameUse} from '../../source/services/tokens.js';
import {tempDir} from '../support/cli.js';
import {startForgeServer, type ForgeServer} from '../support/forge-server.js';

const first = 'ghp_reuseFirstReuseFirst000000000000rf01';
const second = 'ghp_reuseSecondReuseSecond0000000000rs02';
const alices = 'ghp_reuseAliceReuseAlice000000000000ra03';

let forge: ForgeServer;
let configDir: string;
beforeAll(async () => {
  forge = await startForgeServer({
    tokens: [
      {token: first, login: 'octocat', scopes: ['repo']},
      {token: second, login: 'octocat', scopes: ['repo']},
      {token: alices, login: 'alice', scopes: ['repo']},
    ],
  });
  configDir = tempDir('berth-config-');
});
afterAll(async () => {
  await forge?.close();
  rmSync(configDir, {recursive: true, force: true});
});

describe('reusing a token name', () => {
  it('the rule: the same login for the same API reuses, anything else is taken', () => {
    const stored = [
      {name: 'gh', provider: 'github' as const, apiUrl: 'http://h/api/v3', login: 'Octocat'},
      {name: 'gl', provider: 'gitlab' as const, apiUrl: 'http://h', login: null},
    ];
    const token = {provider: 'github' as const, apiUrl: 'http://h/api/v3/', login: 'octocat'};
    expect(tokenNameUse(stored, {...token, name: 'new'})).toEqual({kind: 'free'});
    expect(tokenNameUse(stored, {...token, name: 'gh'})).toEqual({kind: 'same'});
    expect(tokenNameUse(stored, {...token, name: 'gh', login: 'alice'}).kind).toBe('taken');
    expect(tokenNameUse(stored, {...token, name: 'gh', apiUrl: 'http://other'}).kind).toBe('taken');
    // An unknown login is never taken for the same one.
    expect(
      tokenNameUse(stored, {name: 'gl', provider: 'gitlab', apiUrl: 'http://h', login: null}).kind,
    ).toBe('taken');
  });

  it("addToken stores over the same login's token and refuses another login's, keeping it", async () => {
    const deps = createDeps({env: {BERTH_CONFIG_DIR: configDir}});
    const add = (secret: string) =>
      addToken(deps, {
        provider: 'github',
        name: 'gh',
        apiUrl: forge.githubApiUrl,
        insecureStorage: true,
        replaceSameLogin: true,
        readSecret: async () => secret,
      });
    expect((await add(first)).replaced).toBe(false);
    expect((await add(second)).replaced).toBe(true);
    expect(deps.tokenStore.list().map((token) => token.name)).toEqual(['gh']);
    expect(deps.tokenStore.readFileSecret('gh')).toBe(second);

    await expect(add(alices)).rejects.toThrow(
      `Token "gh" is stored for login octocat at ${forge.githubApiUrl}, not for alice: berth does not overwrite another account's token.`,
    );
    expect(deps.tokenStore.readFileSecret('gh')).toBe(second);
    expect(deps.tokenStore.get('gh')).toMatchObject({login: 'octocat'});
  });
});
