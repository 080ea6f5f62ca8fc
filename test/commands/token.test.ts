// Tokens through the built CLI against a real Secret Service (gnome-keyring on a private
// D-Bus session) and a real HTTP server speaking GitHub's and GitLab's endpoints.
import {existsSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {
  startForgeServer,
  unreachableUrl,
  type ForgeServer,
  type ForgeToken,
} from '../support/forge-server.js';
import {
  missingBusEnv,
  startBusWithoutSecretService,
  startKeychain,
  startRegistry,
  type Keychain,
} from '../support/services.js';
import {filesContaining, runBerthWatchingArguments} from '../support/token-leaks.js';

const tokens = {
  classic: {
    token: 'ghp_classicRepoScope0000000000000000wxyz',
    login: 'octocat',
    scopes: ['repo', 'read:org'],
  },
  publicOnly: {
    token: 'ghp_publicRepoOnly11111111111111111pub1',
    login: 'octocat',
    scopes: ['public_repo'],
  },
  noRepo: {token: 'ghp_gistOnly2222222222222222222222222gist', login: 'octocat', scopes: ['gist']},
  fineGrained: {token: 'github_pat_11ABCDEFG0fineGrained333333333333fine', login: 'octocat'},
  expiredGithub: {
    token: 'ghp_expired44444444444444444444444444exp1',
    login: 'octocat',
    scopes: ['repo'],
    expired: true,
  },
  gitlabApi: {
    token: 'glpat-apiScope5555555555555gl01',
    login: 'tanuki',
    gitlab: {scopes: ['api', 'read_repository'], expiresAt: '2099-12-31'},
  },
  gitlabReadRepo: {
    token: 'glpat-readRepo6666666666666gl02',
    login: 'tanuki',
    gitlab: {scopes: ['read_repository'], expiresAt: null},
  },
  gitlabExpired: {
    token: 'glpat-expired77777777777777gl03',
    login: 'tanuki',
    gitlab: {scopes: ['api'], expiresAt: '2020-01-01'},
  },
} satisfies Record<string, ForgeToken>;
const allSecrets = Object.values(tokens).map((token) => token.token);

type TokenJson = {
  name: string;
  provider: string;
  apiUrl: string;
  login: string | null;
  scopes: string[];
  storage: 'keychain' | 'file' | 'env';
  masked: string | null;
  expiresAt: string | null;
  lastVerifiedAt: string | null;
  fineGrained: boolean;
  envVar: string | null;
};

let forge: ForgeServer;
let keychain: Keychain;
let configDir: string;
let project: string;
const outputs: string[] = [];

beforeAll(async () => {
  forge = await startForgeServer({tokens: Object.values(tokens)});
});
afterAll(async () => {
  await forge?.close();
});

beforeEach(async () => {
  configDir = tempDir('berth-config-');
  project = tempDir('berth-project-');
  outputs.length = 0;
  keychain = await startKeychain();
});

afterEach(async () => {
  // The leak test, after every flow: no secret in any file under the config dir (except the
  // --insecure-storage file, which exists to hold it) or the project, nor in any output.
  for (const secret of allSecrets) {
    const files = filesContaining(secret, [configDir, project]).filter(
      (file) => path.basename(file) !== 'credentials.json',
    );
    expect(files, `files containing a secret`).toEqual([]);
    for (const text of outputs)
      expect(text.includes(secret), `output containing a secret:\n${text}`).toBe(false);
  }
  await keychain?.stop();
  rmSync(configDir, {recursive: true, force: true});
  rmSync(project, {recursive: true, force: true});
});

type Options = {input?: string; env?: Record<string, string | undefined>};

/** Runs berth with the test keychain, scanning process arguments for the secret piped in. */
async function berth(args: string[], options: Options = {}) {
  const secret = options.input?.trim() || allSecrets[0]!;
  const result = await runBerthWatchingArguments(secret, args, {
    cwd: project,
    input: options.input,
    env: {BERTH_CONFIG_DIR: configDir, ...keychain.env, ...options.env},
  });
  outputs.push(result.stdout, result.stderr);
  expect(result.leakedArguments, 'process arguments containing the secret').toEqual([]);
  expect(result.scans).toBeGreaterThan(0);
  return result;
}

async function list(env: Record<string, string | undefined> = {}): Promise<TokenJson[]> {
  const result = await berth(['token', 'list', '--json'], {env});
  expect(result.code, result.stderr).toBe(0);
  return result.json<TokenJson[]>();
}

function expectNothingStored(): void {
  expect(existsSync(path.join(configDir, 'tokens.json'))).toBe(false);
  expect(existsSync(path.join(configDir, 'credentials.json'))).toBe(false);
}

describe('token add, list, verify, remove', () => {
  it('verifies a classic GitHub token, stores it in the keychain, lists it masked, re-verifies and removes it', async () => {
    const add = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--name', 'gh', '--stdin'],
      {
        input: `${tokens.classic.token}\n`,
      },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('logged in as octocat');
    expect(add.stdout).toContain('repo, read:org');
    expect(add.stdout).toContain("Stored token 'gh' in the OS keychain (Secret Service)");
    expect(add.stderr).not.toContain('lacks');

    const search = await keychain.search('berth');
    expect(search).toContain('attribute.service = berth');
    expect(search).toContain('attribute.username = gh');
    expect(search).toContain(`secret = ${tokens.classic.token}`);

    const metadata = readFileSync(path.join(configDir, 'tokens.json'), 'utf8');
    expect(metadata).toContain('"name": "gh"');
    expect(existsSync(path.join(configDir, 'credentials.json'))).toBe(false);

    const [listed, ...rest] = await list();
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({
      name: 'gh',
      provider: 'github',
      apiUrl: forge.githubApiUrl,
      login: 'octocat',
      scopes: ['repo', 'read:org'],
      storage: 'keychain',
      masked: 'ghp_****wxyz',
      fineGrained: false,
    });
    const firstVerified = listed!.lastVerifiedAt!;
    expect(firstVerified).toMatch(/^\d{4}-/);

    const plain = await berth(['token', 'list']);
    expect(plain.stdout).toMatch(
      /gh\s+github\s+http:\/\/127\.0\.0\.1:\d+\s+octocat\s+repo,read:org\s+keychain\s+ghp_\*\*\*\*wxyz/,
    );

    forge.reset();
    const verify = await berth(['token', 'verify', 'gh']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('logged in as octocat');
    expect(forge.requests).toEqual([expect.objectContaining({method: 'GET', path: '/user'})]);
    const [reverified] = await list();
    expect(reverified!.lastVerifiedAt! >= firstVerified).toBe(true);

    const remove = await berth(['token', 'remove', 'gh']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(await list()).toEqual([]);
    expect(await keychain.search('berth')).not.toContain('username = gh');
  });

  it('verifies a GitLab token with /user and personal_access_tokens/self and shows scopes and expiry', async () => {
    forge.reset();
    const add = await berth(['token', 'add', 'gitlab', '--api-url', forge.gitlabUrl, '--stdin'], {
      input: tokens.gitlabApi.token,
    });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('logged in as tanuki');
    expect(add.stdout).toContain('api, read_repository');
    expect(add.stdout).toContain('Expires: 2099-12-31');
    const paths = forge.requests.map((request) => request.path);
    expect(paths).toContain('/api/v4/user');
    expect(paths).toContain('/api/v4/personal_access_tokens/self');
    const [listed] = await list();
    expect(listed).toMatchObject({
      name: 'gitlab-127.0.0.1-' + new URL(forge.gitlabUrl).port,
      provider: 'gitlab',
      login: 'tanuki',
      scopes: ['api', 'read_repository'],
      expiresAt: '2099-12-31',
      storage: 'keychain',
      masked: 'glpat-****gl01',
    });
  });

  it('refuses a name that exists, and --replace rotates the secret after verifying the new one', async () => {
    const args = [
      'token',
      'add',
      'github',
      '--api-url',
      forge.githubApiUrl,
      '--name',
      'gh',
      '--stdin',
    ];
    expect((await berth(args, {input: tokens.publicOnly.token})).code).toBe(0);
    const again = await berth(args, {input: tokens.classic.token});
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('A token named "gh" exists');
    expect(again.stderr).toContain('--replace');

    const wrong = await berth([...args, '--replace'], {
      input: 'ghp_notARealToken000000000000000000000zz',
    });
    expect(wrong.code).toBe(4);
    expect((await list())[0]!.masked).toBe('ghp_****pub1');

    const rotate = await berth([...args, '--replace'], {input: tokens.classic.token});
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.stdout).toContain("Replaced token 'gh'");
    expect(await list()).toMatchObject([
      {name: 'gh', masked: 'ghp_****wxyz', scopes: ['repo', 'read:org']},
    ]);
  });
});

describe('what the provider says', () => {
  it('refuses a wrong token with exit 4 and stores nothing', async () => {
    const add = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--stdin'],
      {
        input: 'ghp_wrongwrongwrongwrongwrongwrongwrong',
      },
    );
    expect(add.code).toBe(4);
    expect(add.stderr).toContain(
      `The token was refused by ${new URL(forge.githubApiUrl).host}: it is invalid or expired.`,
    );
    expect(add.stderr).not.toContain('ghp_wrong');
    expectNothingStored();
    expect(await keychain.search('berth')).not.toContain('username');
  });

  it('refuses expired GitHub and GitLab tokens with exit 4', async () => {
    const github = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--stdin'],
      {input: tokens.expiredGithub.token},
    );
    expect(github.code).toBe(4);
    expect(github.stderr).toContain('invalid or expired');
    const gitlab = await berth(
      ['token', 'add', 'gitlab', '--api-url', forge.gitlabUrl, '--stdin'],
      {input: tokens.gitlabExpired.token},
    );
    expect(gitlab.code).toBe(4);
    expect(gitlab.stderr).toContain('the server says it has expired');
    expectNothingStored();
  });

  it('names missing scopes, and still stores the token', async () => {
    const github = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--stdin'],
      {input: tokens.noRepo.token},
    );
    expect(github.code, github.stderr).toBe(0);
    expect(github.stderr).toContain(
      'lacks the scope berth needs to read repository contents: repo.',
    );

    const publicOnly = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--name', 'pub', '--stdin'],
      {
        input: tokens.publicOnly.token,
      },
    );
    expect(publicOnly.code).toBe(0);
    expect(publicOnly.stderr).toContain('"public_repo" reads public repositories only');

    const gitlab = await berth(
      ['token', 'add', 'gitlab', '--api-url', forge.gitlabUrl, '--stdin'],
      {input: tokens.gitlabReadRepo.token},
    );
    expect(gitlab.code, gitlab.stderr).toBe(0);
    expect(gitlab.stderr).toContain('read_api');
    expect(gitlab.stderr).toContain('login is unknown');
    expect((await list()).map((token) => token.scopes)).toEqual([
      ['gist'],
      ['public_repo'],
      ['read_repository'],
    ]);
  });

  it('accepts a fine-grained GitHub token (no X-OAuth-Scopes) and says its permissions are not visible', async () => {
    const add = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--stdin'],
      {input: tokens.fineGrained.token},
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('(fine-grained token)');
    expect(add.stderr).toContain('fine-grained token');
    expect(add.stderr).not.toContain('lacks');
    expect(await list()).toMatchObject([
      {login: 'octocat', scopes: [], fineGrained: true, masked: 'github_pat_****fine'},
    ]);
  });

  it('says an unreachable API cannot be reached, exit 1, and stores nothing', async () => {
    const url = await unreachableUrl();
    const add = await berth(['token', 'add', 'github', '--api-url', url, '--stdin'], {
      input: tokens.classic.token,
    });
    expect(add.code).toBe(1);
    expect(add.stderr).toContain(`Can't reach ${new URL(url).host}: connection refused.`);
    expectNothingStored();
  });
});

describe('without a keychain', () => {
  const noKeychainMessage = "Can't reach the OS keychain (no D-Bus session / Secret Service).";

  async function expectKeychainRefusal(env: Record<string, string | undefined>): Promise<void> {
    // How fast it gives up (the keychain's 3 s timeout): bench/hot-paths.mjs.
    const add = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--stdin'],
      {input: tokens.classic.token, env},
    );
    expect(add.code, add.stderr).toBe(4);
    expect(add.stderr).toContain(noKeychainMessage);
    expect(add.stderr).toContain('--insecure-storage');
    expect(add.stderr.match(/Error:/g)).toHaveLength(1);
    expectNothingStored();
    expect(readdirSync(configDir)).toEqual([]);
  }

  it('exits 4 naming the fix when no session bus is reachable (address pointing nowhere, or unset)', async () => {
    await expectKeychainRefusal(missingBusEnv());
    await expectKeychainRefusal({DBUS_SESSION_BUS_ADDRESS: undefined});
  });

  it('exits 4 when the session bus has no Secret Service', async () => {
    const bus = await startBusWithoutSecretService();
    try {
      await expectKeychainRefusal(bus.env);
    } finally {
      await bus.stop();
    }
  });

  it('gives up (the keychain timeout) when the bus never answers', async () => {
    const dir = tempDir('berth-silent-bus-');
    const socket = path.join(dir, 'bus');
    const silent = net.createServer(() => {
      // Accepts connections and never says a word: a hung session bus.
    });
    await new Promise<void>((resolve) => silent.listen(socket, resolve));
    try {
      await expectKeychainRefusal({DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}`});
    } finally {
      silent.close();
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('--insecure-storage warns before writing, keeps the secret in a 0600 file and lists storage: file', async () => {
    const add = await berth(
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--stdin', '--insecure-storage'],
      {
        input: tokens.classic.token,
        env: missingBusEnv(),
      },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain('--insecure-storage: the token will be stored in plain text');
    expect(add.stdout).toContain("Stored token 'github-127.0.0.1-");
    expect(add.stdout).toContain('in the file');
    const credentials = path.join(configDir, 'credentials.json');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(readFileSync(credentials, 'utf8')).toContain(tokens.classic.token);
    expect(readFileSync(path.join(configDir, 'tokens.json'), 'utf8')).not.toContain(
      tokens.classic.token,
    );

    const listed = await list(missingBusEnv());
    expect(listed).toMatchObject([{storage: 'file', masked: 'ghp_****wxyz', login: 'octocat'}]);
    const verify = await berth(['token', 'verify', listed[0]!.name], {env: missingBusEnv()});
    expect(verify.code, verify.stderr).toBe(0);
    const remove = await berth(['token', 'remove', listed[0]!.name], {env: missingBusEnv()});
    expect(remove.code, remove.stderr).toBe(0);
    expect(readFileSync(credentials, 'utf8')).not.toContain(tokens.classic.token);
  });
});

describe('environment tokens', () => {
  it('shows GH_TOKEN and GITLAB_TOKEN as storage: env, masked, and refuses to remove them', async () => {
    const env = {GH_TOKEN: tokens.classic.token, GITLAB_TOKEN: tokens.gitlabApi.token};
    const result = await berth(['token', 'list', '--json'], {env, input: tokens.classic.token});
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<TokenJson[]>()).toMatchObject([
      {
        name: 'github',
        provider: 'github',
        apiUrl: 'https://api.github.com',
        storage: 'env',
        envVar: 'GH_TOKEN',
        masked: 'ghp_****wxyz',
      },
      {
        name: 'gitlab',
        provider: 'gitlab',
        apiUrl: 'https://gitlab.com',
        storage: 'env',
        envVar: 'GITLAB_TOKEN',
        masked: 'glpat-****gl01',
      },
    ]);
    const remove = await berth(['token', 'remove', 'github'], {env, input: tokens.classic.token});
    expect(remove.code).toBe(1);
    expect(remove.stderr).toContain('GH_TOKEN');
    // GITHUB_TOKEN counts too.
    const viaGithubToken = await list({GITHUB_TOKEN: tokens.noRepo.token});
    expect(viaGithubToken).toMatchObject([
      {name: 'github', storage: 'env', envVar: 'GITHUB_TOKEN', masked: 'ghp_****gist'},
    ]);
  });
});

describe('usage', () => {
  it('needs --stdin when stdin is not a terminal (exit 2), and a known provider', async () => {
    const add = await berth(['token', 'add', 'github', '--api-url', forge.githubApiUrl], {
      input: tokens.classic.token,
    });
    expect(add.code).toBe(2);
    expect(add.stderr).toContain('--stdin');
    expectNothingStored();
    const bitbucket = await berth(['token', 'add', 'bitbucket', '--stdin'], {
      input: tokens.classic.token,
    });
    expect(bitbucket.code).toBe(2);
    const missing = await berth(['token', 'verify', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No token named "nope"');
  });
});

describe('token remove while code repositories use it', () => {
  it('refuses with the list of repositories, unless --force', async () => {
    expect(
      (
        await berth(
          ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--name', 'gh', '--stdin'],
          {input: tokens.classic.token},
        )
      ).code,
    ).toBe(0);
    expect((await berth(['profile', 'list'])).code).toBe(0);
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as {
      profiles: Array<{storeUrl: string}>;
    };
    const {openSqliteStore} = await import('../../source/store/sqlite-store.js');
    const store = await openSqliteStore(config.profiles[0]!.storeUrl.replace(/^sqlite:/, ''));
    await store
      .collection('repositories')
      .put('models', {name: 'models', type: 'github', token: 'gh'});
    await store
      .collection('repositories')
      .put('other', {name: 'other', type: 'github', token: 'another'});
    await store.close();

    const refused = await berth(['token', 'remove', 'gh']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('used by a code repository: default/models');
    expect(refused.stderr).toContain('--force');
    expect(await list()).toHaveLength(1);

    const forced = await berth(['token', 'remove', 'gh', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('default/models');
    expect(await list()).toEqual([]);
  });
});

describe('registry credentials', () => {
  it('checks the password against the registry /v2/ with basic auth before storing it', async () => {
    const registry = await startRegistry({
      htpasswd: {user: 'pusher', password: 'registry-pass-9f8e7d6c5b4a'},
    });
    try {
      const base = [
        'token',
        'add',
        'registry',
        '--name',
        'reg',
        '--api-url',
        registry.address,
        '--username',
        'pusher',
        '--stdin',
      ];
      const wrong = await berth(base, {input: 'wrong-password-000000000'});
      expect(wrong.code).toBe(4);
      expectNothingStored();
      const right = await berth(base, {input: 'registry-pass-9f8e7d6c5b4a'});
      expect(right.code, right.stderr).toBe(0);
      expect(await list()).toMatchObject([
        {
          name: 'reg',
          provider: 'registry',
          apiUrl: registry.address,
          login: 'pusher',
          storage: 'keychain',
          masked: '****5b4a',
        },
      ]);
      expect(filesContaining('registry-pass-9f8e7d6c5b4a', [configDir, project])).toEqual([]);
    } finally {
      await registry.stop();
    }
  });
});
