// Every path that echoes a string from outside berth, through the built CLI: names in "No …
// named" errors, values of .berth/config.yaml, component option values, logins from an API,
// arguments commander echoes. None reaches the terminal as a control sequence.
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {isInert} from '../../source/lib/inert.js';
import {runBerth, tempDir, type RunResult} from '../support/cli.js';
import {startForgeServer, type ForgeServer} from '../support/forge-server.js';

/** Clear screen, OSC 52 clipboard write, hidden text, C1 CSI, RTL override, zero-width space. */
const payload = '\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u001b[8m\u009b31m\u202egpj.exe\u200b';

let configDir: string;
let project: string;
const berth = (args: string[], env: Record<string, string> = {}) =>
  runBerth(args, {cwd: project, env: {BERTH_CONFIG_DIR: configDir, ...env}});

beforeEach(async () => {
  configDir = tempDir('berth-config-');
  project = tempDir('berth-project-');
  expect((await berth(['init'])).code).toBe(0);
});

/** Nothing a terminal would act on or hide, and the payload shown visibly. */
function expectShownInert(result: RunResult): void {
  const all = (result.stdout + result.stderr).replace(/\n/g, '');
  expect(isInert(all), JSON.stringify(all)).toBe(true);
  expect(all).toContain('␛[2J');
  expect(all).toContain('<U+202E>');
}

describe('outside strings reach the terminal inert', () => {
  it.each([
    ['stack', 'describe'],
    ['stack', 'set'],
    ['stack', 'delete', '-y'],
    ['stack', 'rename', 'default'],
    ['stack', 'copy'],
    ['profile', 'describe'],
    ['profile', 'set'],
    ['profile', 'delete'],
    ['component', 'describe', 'orchestrator'],
    ['component', 'delete', 'orchestrator'],
    ['repo', 'describe'],
    ['repo', 'delete', '-y'],
    ['token', 'verify'],
    ['token', 'remove'],
    ['module', 'describe'],
    ['runs', 'describe'],
    ['stack', 'register'],
    ['profile', 'create'],
  ])('names echoed by `berth %s %s …`', async (...command) => {
    const args = [...command];
    // Commands taking a second name get a valid first one.
    if (command[1] === 'copy') args.push('default');
    const result = await berth([...args, payload]);
    expect(result.code).not.toBe(0);
    expectShownInert(result);
  });

  it('values from .berth/config.yaml, in plain and JSON output', async () => {
    writeFileSync(
      path.join(project, '.berth/config.yaml'),
      `active_profile: ${JSON.stringify(payload)}\nactive_stack: ${JSON.stringify(payload)}\n`,
    );
    for (const args of [['status'], ['stack', 'list'], ['profile', 'list']]) {
      const result = await berth(args);
      expect(result.code, result.stderr).toBe(0);
      expectShownInert(result);
    }
  });

  it('component option values, in describe, list and JSON', async () => {
    const register = await berth([
      'component',
      'register',
      'artifact_store',
      'odd',
      '--flavor',
      'local',
      '--option',
      `path=/tmp/${payload}`,
    ]);
    expect(register.code, register.stderr).toBe(0);
    for (const args of [
      ['component', 'describe', 'artifact_store', 'odd'],
      ['component', 'list'],
    ]) {
      const result = await berth(args);
      expect(result.code, result.stderr).toBe(0);
      expectShownInert(result);
    }
    const json = await berth(['component', 'describe', 'artifact_store', 'odd', '--json']);
    expect(isInert(json.stdout.replace(/\n/g, ''))).toBe(true);
    // The data itself is intact for a program reading the JSON.
    expect(json.stdout).toContain('\\u001b[2J');
    expect(JSON.stringify(json.json())).toContain('\\u001b[2J');
    expect(JSON.stringify(json.json())).toContain('\u202e');
  });

  it('arguments commander echoes in usage errors', async () => {
    for (const args of [['stack', 'list', `--${payload}`], [`st${payload}`]]) {
      const result = await berth(args);
      expect(result.code).toBe(2);
      expectShownInert(result);
    }
  });
});

describe('logins from an API', () => {
  let forge: ForgeServer;
  const secret = 'ghp_hostileLogin000000000000000000000xyz';
  beforeAll(async () => {
    forge = await startForgeServer({tokens: [{token: secret, login: payload, scopes: ['repo']}]});
  });
  afterAll(async () => {
    await forge?.close();
  });

  it('are shown inert when a token is added, listed and verified', async () => {
    mkdirSync(configDir, {recursive: true});
    const add = await runBerth(
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
      {cwd: project, input: secret, env: {BERTH_CONFIG_DIR: configDir}},
    );
    expect(add.code, add.stderr).toBe(0);
    expectShownInert(add);
    for (const args of [
      ['token', 'list'],
      ['token', 'verify', 'gh'],
    ]) {
      const result = await berth(args);
      expect(result.code, result.stderr).toBe(0);
      expectShownInert(result);
    }
  });
});
