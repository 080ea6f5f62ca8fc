// Profiles, stacks and per-directory repositories through the built CLI, as a user runs it.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {cleanEnv, runBerth, tempDir} from '../support/cli.js';
import {spawnBerth} from '../support/pty.js';

let configDir: string;
let project: string;
const berth = (
  args: string[],
  options: {cwd?: string; env?: Record<string, string | undefined>; input?: string} = {},
) =>
  runBerth(args, {
    cwd: options.cwd ?? project,
    input: options.input,
    env: {BERTH_CONFIG_DIR: configDir, ...options.env},
  });

type StatusJson = {
  repositoryRoot: string | null;
  profile: {name: string; source: string};
  stack: {name: string; source: string};
};
type StackJson = {name: string; active: boolean; components: Record<string, string>};

beforeEach(() => {
  configDir = tempDir('berth-config-');
  project = tempDir('berth-project-');
});

describe('first run', () => {
  it('creates profile default with stack default and reports it as global outside a repository', async () => {
    const status = await berth(['status', '--json']);
    expect(status.code).toBe(0);
    expect(status.json<StatusJson>()).toMatchObject({
      repositoryRoot: null,
      profile: {name: 'default', source: 'global'},
      stack: {name: 'default', source: 'global'},
    });
    expect(status.stderr).toContain("Running with active profile: 'default' (global)");
    expect(status.stderr).toContain('berth init');
    expect(status.stderr).toContain('BERTH_REPOSITORY_PATH');

    const stacks = (await berth(['stack', 'list', '--json'])).json<StackJson[]>();
    // The default stack publishes and runs with nothing but a Docker engine.
    const defaults = {
      orchestrator: 'default',
      artifact_store: 'default',
      container_registry: 'default',
      image_builder: 'default',
    };
    expect(stacks).toEqual([
      {name: 'default', active: true, components: defaults, protected: false},
    ]);
    const described = (await berth(['stack', 'describe', '--json'])).json<{
      componentDetails: Record<string, {flavor: string; options: Record<string, string>}>;
    }>();
    expect(
      Object.fromEntries(
        Object.entries(described.componentDetails).map(([type, c]) => [type, c.flavor]),
      ),
    ).toEqual({
      orchestrator: 'docker',
      artifact_store: 'local',
      container_registry: 'local',
      image_builder: 'docker',
    });
    // The engine is DOCKER_HOST or the local socket when berth runs, never written down.
    expect(described.componentDetails.image_builder?.options).toEqual({});
    // A stack registered without component flags takes the default stack's components.
    expect((await berth(['stack', 'register', 'copy'])).code).toBe(0);
    expect(
      (await berth(['stack', 'list', '--json'])).json<StackJson[]>().find((s) => s.name === 'copy'),
    ).toEqual({name: 'copy', active: false, components: defaults, protected: false});
    const profiles = (await berth(['profile', 'list', '--json'])).json<
      Array<Record<string, unknown>>
    >();
    expect(profiles).toMatchObject([
      {name: 'default', active: true, storeType: 'local', activeStack: 'default'},
    ]);
  });

  it('answers --version and --help with exit 0, an unknown command with exit 2', async () => {
    const version = await berth(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await berth(['stack', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('register');
    const unknown = await berth(['stak', 'list']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('stack');
  });
});

describe('per-directory repositories', () => {
  it('`berth init` never changes `git status`; a config.yaml a team committed is left as it is', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', args, {cwd: project, env: cleanEnv(), encoding: 'utf8'});
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(project, 'train.py'), 'print(1)\n');
    git('add', '--all');
    git('commit', '-qm', 'first');
    expect((await berth(['init'])).code).toBe(0);
    expect((await berth(['stack', 'set', 'default'])).code).toBe(0);
    expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(readFileSync(path.join(project, '.berth/.gitignore'), 'utf8')).toMatch(/^\*$/m);

    // A team shares its config: committed by hand, it is tracked, and berth adds no .gitignore.
    const shared = tempDir('berth-shared-');
    mkdirSync(path.join(shared, '.berth'));
    writeFileSync(path.join(shared, '.berth/config.yaml'), 'active_stack: default\n');
    expect((await berth(['stack', 'set', 'default'], {cwd: shared})).code).toBe(0);
    expect(existsSync(path.join(shared, '.berth/.gitignore'))).toBe(false);
  });

  it('keeps a local active stack that follows the user into subdirectories, and `-` returns', async () => {
    expect((await berth(['stack', 'register', 'gpu'])).code).toBe(0);
    const init = await berth(['init']);
    expect(init.code).toBe(0);
    expect(readFileSync(path.join(project, '.berth/config.yaml'), 'utf8')).toContain(
      'active_stack: default',
    );

    const set = await berth(['stack', 'set', 'gpu']);
    expect(set.stdout).toContain("✓ Active stack: 'gpu' (this repository).");
    const nested = path.join(project, 'a/b/c');
    mkdirSync(nested, {recursive: true});
    const status = (await berth(['status', '--json'], {cwd: nested})).json<StatusJson>();
    expect(status).toMatchObject({
      repositoryRoot: project,
      profile: {name: 'default', source: 'local'},
      stack: {name: 'gpu', source: 'local'},
    });

    // Outside the repository the global stack is untouched.
    const outside = (await berth(['status', '--json'], {cwd: configDir})).json<StatusJson>();
    expect(outside.stack).toEqual({name: 'default', source: 'global'});

    // BERTH_REPOSITORY_PATH points anywhere at the repository.
    const viaEnv = (
      await berth(['status', '--json'], {cwd: configDir, env: {BERTH_REPOSITORY_PATH: project}})
    ).json<StatusJson>();
    expect(viaEnv.stack).toEqual({name: 'gpu', source: 'local'});

    expect((await berth(['stack', 'set', '-'])).stdout).toContain(
      "✓ Active stack: 'default' (this repository).",
    );
    expect((await berth(['stack', 'set', '-'])).stdout).toContain(
      "✓ Active stack: 'gpu' (this repository).",
    );
  });

  it('sets the global stack with --global, and stack list marks the active one', async () => {
    await berth(['stack', 'register', 'cpu']);
    await berth(['init']);
    const set = await berth(['stack', 'set', 'cpu', '--global']);
    expect(set.stdout).toContain(
      "✓ Active stack: 'cpu' (global); this repository's own stack 'default' still applies here.",
    );
    const inRepo = (await berth(['stack', 'list', '--json'])).json<StackJson[]>();
    expect(inRepo.find((s) => s.active)?.name).toBe('default');
    const outside = (await berth(['stack', 'list', '--json'], {cwd: configDir})).json<
      StackJson[]
    >();
    expect(outside.find((s) => s.active)?.name).toBe('cpu');
  });

  it('falls back, and says so, when .berth/config.yaml names a profile or stack that is gone', async () => {
    await berth(['init']);
    writeFileSync(
      path.join(project, '.berth/config.yaml'),
      'active_profile: ghost\nactive_stack: vanished\n',
    );
    const status = await berth(['status', '--json']);
    expect(status.code).toBe(0);
    expect(status.json<StatusJson>()).toMatchObject({
      profile: {name: 'default', source: 'global'},
      stack: {name: 'default', source: 'global'},
    });
    expect(status.stderr).toContain("names profile 'ghost'");
    expect(status.stderr).toContain("names stack 'vanished'");
  });

  it('switches profiles locally, each profile with its own stacks', async () => {
    expect((await berth(['profile', 'create', 'team'])).code).toBe(0);
    await berth(['init']);
    expect((await berth(['profile', 'set', 'team'])).stdout).toContain(
      "✓ Active profile: 'team' (this repository).",
    );
    await berth(['stack', 'register', 'only-in-team']);
    expect(
      (await berth(['stack', 'list', '--json'])).json<StackJson[]>().map((s) => s.name),
    ).toEqual(['default', 'only-in-team']);
    const outside = (await berth(['stack', 'list', '--json'], {cwd: configDir})).json<
      StackJson[]
    >();
    expect(outside.map((s) => s.name)).toEqual(['default']);
    // The profile active here cannot be deleted from here.
    const refused = await berth(['profile', 'delete', 'team']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('active');
  });
});

describe('refusals', () => {
  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(65)],
    ['a path separator', 'a/b'],
    ['a control character', 'bad\u0007name'],
    ['a leading dash', '-x'],
  ])('refuses a stack name with %s (exit 2) and writes nothing', async (_label, name) => {
    const result = await berth(['stack', 'register', '--', name]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/name/);
    expect(result.stderr).not.toContain('\u0007');
    expect((await berth(['stack', 'list', '--json'])).json<StackJson[]>()).toHaveLength(1);
  });

  it('refuses a stack with a component that does not exist, a duplicate, and deleting the active stack', async () => {
    const missing = await berth(['stack', 'register', 'x', '-c', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No container_registry named "nope"');

    await berth(['stack', 'register', 'x']);
    const duplicate = await berth(['stack', 'register', 'x']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('exists already');

    const active = await berth(['stack', 'delete', 'default', '-y']);
    expect(active.code).toBe(1);
    expect(active.stderr).toContain('active stack');
  });

  it('does not delete a stack without -y when it cannot ask, and deletes with -y', async () => {
    await berth(['stack', 'register', 'tmp']);
    const noTty = await berth(['stack', 'delete', 'tmp']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('-y');
    expect((await berth(['stack', 'describe', 'tmp'])).code).toBe(0);
    expect((await berth(['stack', 'delete', 'tmp', '-y'])).code).toBe(0);
    expect((await berth(['stack', 'describe', 'tmp'])).code).toBe(1);
  });

  it('asks before deleting a stack in a terminal, and "no" keeps it', async () => {
    await berth(['stack', 'register', 'keep']);
    const session = spawnBerth(['stack', 'delete', 'keep'], {
      cwd: project,
      env: {BERTH_CONFIG_DIR: configDir},
    });
    await session.waitFor("Delete stack 'keep'? [y/N]");
    await session.write('n\r');
    expect(await session.exit).toBe(130);
    expect((await berth(['stack', 'describe', 'keep'])).code).toBe(0);

    const yes = spawnBerth(['stack', 'delete', 'keep'], {
      cwd: project,
      env: {BERTH_CONFIG_DIR: configDir},
    });
    await yes.waitFor('[y/N]');
    await yes.write('y\r');
    expect(await yes.exit).toBe(0);
    expect((await berth(['stack', 'describe', 'keep'])).code).toBe(1);
  });

  it('registers components with options and builds a stack from them', async () => {
    const registry = await berth([
      'component',
      'register',
      'container_registry',
      'local',
      '--flavor',
      'oci',
      '--option',
      'uri=127.0.0.1:5000/team',
    ]);
    expect(registry.code).toBe(0);
    const badFlavor = await berth([
      'component',
      'register',
      'image_builder',
      'b',
      '--flavor',
      'kaniko',
    ]);
    expect(badFlavor.code).toBe(2);
    const badOption = await berth([
      'component',
      'register',
      'image_builder',
      'b',
      '--flavor',
      'docker',
      '--option',
      'colour=red',
    ]);
    expect(badOption.code).toBe(2);
    // A local registry is the engine's image store: no uri, and it takes none.
    expect(
      (await berth(['component', 'register', 'container_registry', 'here', '--flavor', 'local']))
        .code,
    ).toBe(0);
    const localWithUri = await berth([
      'component',
      'register',
      'container_registry',
      'there',
      '--flavor',
      'local',
      '--option',
      'uri=127.0.0.1:5000',
    ]);
    expect(localWithUri.code).toBe(2);
    expect(localWithUri.stderr).toContain('container_registry (local) does not take option "uri"');
    await berth(['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
    const stack = await berth([
      'stack',
      'register',
      'publish',
      '-c',
      'local',
      '-i',
      'engine',
      '--set',
    ]);
    expect(stack.code).toBe(0);
    const listed = (await berth(['stack', 'list', '--json']))
      .json<StackJson[]>()
      .find((s) => s.name === 'publish');
    expect(listed).toMatchObject({
      name: 'publish',
      active: true,
      components: {
        orchestrator: 'default',
        artifact_store: 'default',
        container_registry: 'local',
        image_builder: 'engine',
      },
      protected: false,
    });
    const inUse = await berth(['component', 'delete', 'image_builder', 'engine']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('publish');
  });

  it('renames and copies stacks, following the active stack', async () => {
    await berth(['stack', 'register', 'old', '--set']);
    expect((await berth(['stack', 'rename', 'old', 'new'])).code).toBe(0);
    expect((await berth(['status', '--json'])).json<StatusJson>().stack.name).toBe('new');
    expect((await berth(['stack', 'copy', 'new', 'twin'])).code).toBe(0);
    expect(
      (await berth(['stack', 'list', '--json']))
        .json<StackJson[]>()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['default', 'new', 'twin']);
  });
});
