// Options are stored in plain text: a custom repository's secret-looking options and a
// component's secret-looking values are refused before anything is stored, and the value is
// never printed. Profile stores are their owner's alone (0600), like config.json.
import {chmodSync, existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {repoRoot, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {git, makeSourceRepository, registerCustom} from './repo-fixture.js';

const example = path.join(repoRoot, 'examples/custom-repository/git-mirror-repository.mjs');
const source = `${example}#GitMirrorRepository`;
const secret = 'ghp_optionSecret0000000000000000000wxyz';
let configDir: string;
let mirror: string;

beforeEach(() => {
  configDir = tempDir('berth-secret-options-');
  const work = tempDir('berth-secret-options-source-');
  makeSourceRepository(work);
  mirror = path.join(tempDir('berth-secret-options-mirror-'), 'models.git');
  git(work, 'clone', '-q', '--bare', work, mirror);
});

const berth = (args: string[]): Promise<RunResult> =>
  runBerth(args, {env: {BERTH_CONFIG_DIR: configDir}});

/** Every byte berth keeps: config.json, the profile stores with their -wal files. */
function storedBytes(): string {
  const profiles = path.join(configDir, 'profiles');
  const files = [
    path.join(configDir, 'config.json'),
    ...(existsSync(profiles) ? readdirSync(profiles).map((f) => path.join(profiles, f)) : []),
  ];
  return files
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'latin1'))
    .join('\n');
}

describe('secret-looking options are refused, nothing stored', () => {
  it.each([
    ['a name that says token', `token=${secret}`],
    ['a camelCase password name', 'dbPassword=hunter2-but-longer'],
    ['an api_key', 'api_key=0123456789abcdef'],
    ['a token as the value of an innocent name', `mirror=${secret}`],
    ['a URL with a password', 'remote=https://bot:s3cr3tPassw0rd@git.example.test/models.git'],
  ])('repo register: %s', async (_what, option) => {
    const value = option.slice(option.indexOf('=') + 1);
    const result = await registerCustom(
      {berth},
      'mirror',
      source,
      '--option',
      `url=${mirror}`,
      '--option',
      option,
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^Error: Option "\w+" (names a secret|holds )/m);
    expect(result.stderr).toContain('environment variable');
    expect(result.stdout + result.stderr).not.toContain(value);
    const list = await berth(['repo', 'list', '--json']);
    expect(list.json()).toEqual([]);
    expect(storedBytes()).not.toContain(value);
  });

  it('repo update refuses one too and keeps the record as it was', async () => {
    const registered = await registerCustom({berth}, 'mirror', source, '--option', `url=${mirror}`);
    expect(registered.code, registered.stderr).toBe(0);
    const update = await berth(['repo', 'update', 'mirror', '--option', `accessToken=${secret}`]);
    expect(update.code, update.stderr).toBe(2);
    expect(update.stderr).toContain('Option "accessToken" names a secret');
    expect(update.stdout + update.stderr).not.toContain(secret);
    const shown = await berth(['repo', 'describe', 'mirror', '--json']);
    expect(JSON.stringify(shown.json())).not.toContain(secret);
    expect(storedBytes()).not.toContain(secret);
  });

  it('a reference to a secret (token_env, key_file) is taken', async () => {
    const result = await registerCustom(
      {berth},
      'mirror',
      source,
      '--option',
      `url=${mirror}`,
      '--option',
      'token_env=MIRROR_TOKEN',
      '--option',
      'private_key_file=/home/me/.ssh/id_ed25519',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({
      options: {token_env: 'MIRROR_TOKEN', private_key_file: '/home/me/.ssh/id_ed25519'},
    });
  });

  it('component register refuses a token as a registry credentials value', async () => {
    const result = await berth([
      'component',
      'register',
      'container_registry',
      'team',
      '--flavor',
      'oci',
      '--option',
      'uri=127.0.0.1:5000/team',
      '--option',
      `credentials=${secret}`,
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      'Option "credentials" holds what looks like a GitHub or GitLab token',
    );
    expect(result.stderr).toContain('berth token add registry --name NAME');
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(storedBytes()).not.toContain(secret);
  });
});

describe('profile stores are private', () => {
  const modes = () =>
    readdirSync(path.join(configDir, 'profiles')).map((file) => [
      file,
      (statSync(path.join(configDir, 'profiles', file)).mode & 0o777).toString(8),
    ]);

  it('the first run and a new profile create stores (and their -wal files) 0600', async () => {
    expect((await berth(['stack', 'list'])).code).toBe(0);
    expect((await berth(['profile', 'create', 'team'])).code).toBe(0);
    const found = modes();
    expect(found.map(([file]) => file)).toEqual(expect.arrayContaining(['default.db', 'team.db']));
    for (const [file, mode] of found) expect({file, mode}).toEqual({file, mode: '600'});
  });

  it('a store an older berth left readable by others is narrowed to 0600', async () => {
    expect((await berth(['stack', 'list'])).code).toBe(0);
    const store = path.join(configDir, 'profiles', 'default.db');
    chmodSync(store, 0o644);
    expect((await berth(['stack', 'list'])).code).toBe(0);
    expect((statSync(store).mode & 0o777).toString(8)).toBe('600');
  });
});
