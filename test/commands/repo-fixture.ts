// Given-steps for the `berth repo` tests: a forge server backed by real git repositories, a
// private keychain holding the tokens, a fresh config dir per test, and leak checks.
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {expect} from 'vitest';
import {cleanEnv, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {startForgeServer, type ForgeServer, type ForgeToken} from '../support/forge-server.js';
import {startKeychain, type Keychain} from '../support/services.js';
import {filesContaining} from '../support/token-leaks.js';

export const tokens = {
  github: {token: 'ghp_repoScopeForRepoTests00000000000abcd', login: 'octocat', scopes: ['repo']},
  githubPublic: {
    token: 'ghp_publicRepoForRepoTests1111111111pub1',
    login: 'octocat',
    scopes: ['public_repo'],
  },
  gitlab: {
    token: 'glpat-repoTestsApiScope5555gl01',
    login: 'tanuki',
    gitlab: {scopes: ['api'], expiresAt: null},
  },
  gitlabNoApi: {
    token: 'glpat-repoTestsReadRepo666gl02',
    login: 'tanuki',
    gitlab: {scopes: ['read_repository', 'read_user'], expiresAt: null},
  },
} satisfies Record<string, ForgeToken>;
export const secrets = Object.values(tokens).map((token) => token.token);

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** A work-tree repository with an executable, a symlink, binary data and a nested folder. */
export function makeSourceRepository(
  dir: string,
  extra: Record<string, string> = {},
): {sha: string; binary: Buffer} {
  mkdirSync(dir, {recursive: true});
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'README.md'), '# widgets\n');
  writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho run\n');
  chmodSync(path.join(dir, 'run.sh'), 0o755);
  symlinkSync('run.sh', path.join(dir, 'start'));
  const binary = randomBytes(70_000);
  binary[0] = 0;
  writeFileSync(path.join(dir, 'model.bin'), binary);
  mkdirSync(path.join(dir, 'services/api'), {recursive: true});
  writeFileSync(path.join(dir, 'services/api/train.py'), 'print("train")\n');
  symlinkSync('train.py', path.join(dir, 'services/api/main.py'));
  for (const [file, content] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(dir, file)), {recursive: true});
    writeFileSync(path.join(dir, file), content);
  }
  git(dir, 'add', '--all');
  git(dir, 'commit', '-qm', 'first');
  return {sha: git(dir, 'rev-parse', 'HEAD'), binary};
}

export type RepoWorld = {
  forge: ForgeServer;
  keychain: Keychain;
  configDir: string;
  project: string;
  outputs: string[];
  berth(
    args: string[],
    options?: {cwd?: string; input?: string; env?: Record<string, string | undefined>},
  ): Promise<RunResult>;
  addToken(name: string, provider: 'github' | 'gitlab', secret: string): Promise<void>;
  expectNoLeaks(extraDirs?: string[]): void;
};

export async function startRepoWorld(): Promise<{
  world: RepoWorld;
  fresh(): void;
  stop(): Promise<void>;
}> {
  const forge = await startForgeServer({tokens: Object.values(tokens)});
  const keychain = await startKeychain();
  const world: RepoWorld = {
    forge,
    keychain,
    configDir: '',
    project: '',
    outputs: [],
    async berth(args, options = {}) {
      const result = await runBerth(args, {
        cwd: options.cwd ?? world.project,
        input: options.input,
        env: {BERTH_CONFIG_DIR: world.configDir, ...keychain.env, ...options.env},
      });
      world.outputs.push(result.stdout, result.stderr);
      return result;
    },
    async addToken(name, provider, secret) {
      const apiUrl = provider === 'github' ? forge.githubApiUrl : forge.gitlabUrl;
      const added = await world.berth(
        ['token', 'add', provider, '--api-url', apiUrl, '--name', name, '--stdin'],
        {input: `${secret}\n`},
      );
      expect(added.code, added.stderr).toBe(0);
    },
    expectNoLeaks(extraDirs = []) {
      for (const secret of secrets) {
        expect(filesContaining(secret, [world.configDir, world.project, ...extraDirs])).toEqual([]);
        for (const text of world.outputs) expect(text.includes(secret), text).toBe(false);
      }
    },
  };
  return {
    world,
    fresh() {
      world.configDir = tempDir('berth-repo-config-');
      world.project = tempDir('berth-repo-project-');
      world.outputs.length = 0;
    },
    async stop() {
      await keychain.stop();
      await forge.close();
    },
  };
}

/** Anything that runs berth: a RepoWorld, or a test's own runner. */
export type Berth = {berth(args: string[]): Promise<RunResult>};

export type GithubLocation = {
  owner: string;
  repository: string;
  host?: string;
  token?: string;
  /** The forge server's API unless given; null leaves `--api-url` out. */
  apiUrl?: string | null;
};

export type GitlabLocation = {
  group: string;
  project: string;
  host?: string;
  token?: string;
  /** The forge server's instance URL unless given; null leaves `--instance-url` out. */
  instanceUrl?: string | null;
};

const flag = (name: string, value: string | null | undefined): string[] =>
  value === undefined || value === null ? [] : [name, value];

/** `berth repo register NAME --type github ...`; `extra` goes last (`--json`, stray flags). */
export function registerGithub(
  world: RepoWorld,
  name: string,
  location: GithubLocation,
  ...extra: string[]
): Promise<RunResult> {
  const {owner, repository, host, token, apiUrl = world.forge.githubApiUrl} = location;
  return world.berth([
    'repo',
    'register',
    name,
    '--type',
    'github',
    '--owner',
    owner,
    '--repository',
    repository,
    ...flag('--host', host),
    ...flag('--api-url', apiUrl),
    ...flag('--token', token),
    ...extra,
  ]);
}

/** `berth repo register NAME --type gitlab ...`; `extra` goes last. */
export function registerGitlab(
  world: RepoWorld,
  name: string,
  location: GitlabLocation,
  ...extra: string[]
): Promise<RunResult> {
  const {group, project, host, token, instanceUrl = world.forge.gitlabUrl} = location;
  return world.berth([
    'repo',
    'register',
    name,
    '--type',
    'gitlab',
    '--group',
    group,
    '--project',
    project,
    ...flag('--host', host),
    ...flag('--instance-url', instanceUrl),
    ...flag('--token', token),
    ...extra,
  ]);
}

/** `berth repo register NAME --type custom --source SOURCE ...`; `extra` goes last. */
export function registerCustom(
  runner: Berth,
  name: string,
  source: string,
  ...extra: string[]
): Promise<RunResult> {
  return runner.berth(['repo', 'register', name, '--type', 'custom', '--source', source, ...extra]);
}

/** `berth repo download NAME --commit SHA --dir DIR ...`; `extra` goes last. */
export function downloadRepo(
  runner: Berth,
  name: string,
  commit: string,
  dir: string,
  ...extra: string[]
): Promise<RunResult> {
  return runner.berth(['repo', 'download', name, '--commit', commit, '--dir', dir, ...extra]);
}
