// For scripts and shells: --profile/--stack and BERTH_PROFILE/BERTH_STACK overrides with their
// source, --json FIELDS and --jq on list commands. Through the built CLI.
import {beforeEach, describe, expect, it} from 'vitest';
import {runBerth, tempDir} from '../support/cli.js';
import {spawnBerth} from '../support/pty.js';

let configDir: string;
let project: string;
const berth = (args: string[], env: Record<string, string | undefined> = {}) =>
  runBerth(args, {cwd: project, env: {BERTH_CONFIG_DIR: configDir, ...env}});

type StatusJson = {
  profile: {name: string; source: string};
  stack: {name: string; source: string};
};

async function ok(args: string[], env: Record<string, string | undefined> = {}) {
  const result = await berth(args, env);
  expect(result.code, `berth ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

beforeEach(async () => {
  configDir = tempDir('berth-scripting-config-');
  project = tempDir('berth-scripting-project-');
  await ok(['stack', 'register', 'gpu']);
  await ok(['init']);
});

describe('stack and profile for one shell or one command', () => {
  it('BERTH_STACK overrides the repository stack in that shell only, shown as source env', async () => {
    const here = (await ok(['status', '--json'])).json<StatusJson>();
    expect(here.stack).toEqual({name: 'default', source: 'local'});

    const shell = await ok(['status', '--json'], {BERTH_STACK: 'gpu'});
    expect(shell.json<StatusJson>().stack).toEqual({name: 'gpu', source: 'env'});
    const list = await ok(['stack', 'list', '--json'], {BERTH_STACK: 'gpu'});
    expect(
      list.json<Array<{name: string; active: boolean}>>().find((stack) => stack.active)?.name,
    ).toBe('gpu');
    const plain = await ok(['status'], {BERTH_STACK: 'gpu'});
    expect(plain.stdout).toContain('Stack:      gpu (env)');

    // Nothing was written: another shell still sees the repository's stack.
    expect((await ok(['status', '--json'])).json<StatusJson>().stack.source).toBe('local');
  });

  it('--stack wins over BERTH_STACK, shown as source flag', async () => {
    await ok(['stack', 'register', 'cpu']);
    const result = await ok(['status', '--json', '--stack', 'cpu'], {BERTH_STACK: 'gpu'});
    expect(result.json<StatusJson>().stack).toEqual({name: 'cpu', source: 'flag'});
    const inline = await ok(['stack', 'describe', '--stack=cpu', '--json']);
    expect(inline.json<{name: string; source: string}>()).toMatchObject({
      name: 'cpu',
      source: 'flag',
    });
  });

  it('BERTH_PROFILE and --profile choose the profile, and the "Running with" line says so', async () => {
    await ok(['profile', 'create', 'team']);
    const env = await ok(['stack', 'list', '--json'], {BERTH_PROFILE: 'team'});
    expect(env.stderr).toContain("Running with active profile: 'team' (env)");
    // team has only its own default stack: gpu belongs to profile default.
    expect(env.json<Array<{name: string}>>().map((stack) => stack.name)).toEqual(['default']);
    const status = (await ok(['status', '--json'], {BERTH_PROFILE: 'team'})).json<StatusJson>();
    expect(status.profile).toEqual({name: 'team', source: 'env'});
    expect(status.stack).toEqual({name: 'default', source: 'global'});

    const flag = await ok(['status', '--profile', 'team', '--json'], {BERTH_PROFILE: 'default'});
    expect(flag.stderr).toContain("Running with active profile: 'team' (flag)");
    expect(flag.json<StatusJson>().profile).toEqual({name: 'team', source: 'flag'});
  });

  it('opens the TUI with the override when a flag is all there is', async () => {
    const session = spawnBerth(['--stack', 'gpu'], {
      cwd: project,
      env: {BERTH_CONFIG_DIR: configDir},
    });
    await session.waitFor(/Stack\s+gpu \(flag\)/);
    await session.write('q');
    expect(await session.exit).toBe(0);
  });

  it('names the variable or flag when it names a profile or stack that does not exist', async () => {
    const env = await berth(['stack', 'list'], {BERTH_STACK: 'nope'});
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('No stack named "nope" in profile \'default\' (from BERTH_STACK)');
    const flag = await berth(['status', '--profile', 'ghost']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('No profile named "ghost" (from --profile)');
    const missing = await berth(['status', '--stack']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--stack needs a value');
  });
});

describe('--json FIELDS and --jq', () => {
  it('keeps the named fields of each item, as gh does', async () => {
    const spaced = await ok(['stack', 'list', '--json', 'name,active']);
    expect(spaced.json()).toEqual([
      {name: 'default', active: true},
      {name: 'gpu', active: false},
    ]);
    const one = await ok(['profile', 'list', '--json=name']);
    expect(one.json()).toEqual([{name: 'default'}]);
    const status = await ok(['status', '--json', 'stack']);
    expect(status.json()).toEqual({stack: {name: 'default', source: 'local'}});
  });

  it('still reads the word after --json as the argument when the command has room for one', async () => {
    const describe = await ok(['stack', 'describe', '--json', 'gpu']);
    expect(describe.json<{name: string}>().name).toBe('gpu');
    const fields = await ok(['stack', 'describe', 'gpu', '--json', 'name']);
    expect(fields.json()).toEqual({name: 'gpu'});
  });

  it('refuses an unknown field and lists the available ones', async () => {
    const result = await berth(['stack', 'list', '--json', 'name,colour']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown JSON field: "colour"');
    expect(result.stderr).toContain('Available fields: active, components, name');
    expect(result.stdout).toBe('');
  });

  it('filters through jq: strings raw, objects as JSON, and --jq implies --json', async () => {
    const names = await ok(['stack', 'list', '--jq', '.[].name']);
    expect(names.stdout).toBe('default\ngpu\n');
    const active = await ok(['stack', 'list', '--jq', 'map(select(.active)) | .[0].components']);
    expect(JSON.parse(active.stdout)).toMatchObject({
      orchestrator: 'default',
      artifact_store: 'default',
    });
    const both = await ok(['stack', 'list', '--json', 'name', '--jq', 'length']);
    expect(both.stdout).toBe('2\n');
    const status = await ok(['status', '--jq', '"\\(.profile.name)/\\(.stack.name)"']);
    expect(status.stdout).toBe('default/default\n');
  });

  it('refuses a jq expression that does not compile before the command does anything', async () => {
    const result = await berth(['stack', 'register', 'tpu', '--jq', '.[']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--jq '.[':");
    expect(result.stderr).toContain('syntax error');
    const list = await ok(['stack', 'list', '--jq', '.[].name']);
    expect(list.stdout).not.toContain('tpu');
  });
});
