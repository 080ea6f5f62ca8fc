// The TUI home and the stack/profile switchers, driven in a real pseudo-terminal.
import {afterEach, describe, expect, it} from 'vitest';
import {keys, type PtySession} from '../support/pty.js';
import {tempDir} from '../support/cli.js';
import {closeQuietly, createWorld, expectOk, type TuiWorld} from './fixture.js';

type Status = {
  repositoryRoot: string | null;
  profile: {name: string; source: string};
  stack: {name: string; source: string};
};

let session: PtySession | undefined;
afterEach(() => closeQuietly(session));

async function givenRepositoryWithStacks(): Promise<TuiWorld> {
  const world = createWorld();
  await expectOk(world.berth(['init']));
  for (const name of ['gpu-a100', 'gpu-h100', 'cpu.small'])
    await expectOk(world.berth(['stack', 'register', name]));
  return world;
}

describe('berth (TUI home)', () => {
  it('shows the active profile and stack with their source, and quits with q', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    session = world.open();
    await session.waitFor(/Profile\s+default \(global\)/);
    await session.waitFor(/Stack\s+default \(global\)/);
    await session.waitFor('not a berth repository — press i to init');
    // The checkout is read after the first frame.
    await session.waitFor(/Code\s+unregistered @ [0-9a-f]{7}/);
    await session.write('q');
    expect(await session.exit).toBe(0);
  });

  it('switches the stack by typing a filter and Enter, in this repository', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open();
    await session.waitFor(/Stack\s+default \(local\)/);
    await session.write('s');
    await session.waitFor('● this repository');
    await session.waitFor(/Filter: .*4\/4/);
    session.mark();
    await session.type('h1');
    await session.waitFor(/Filter: h1.*1\/4/);
    // The highlighted stack's components are shown beside the list.
    await session.waitFor(/orchestrator\s+default \(local\)/);
    await session.write(keys.enter);
    await session.waitFor("Switched to stack 'gpu-h100' (this repository)");
    await session.waitFor(/Stack\s+gpu-h100 \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_stack: gpu-h100/);
    await session.write('q');
    expect(await session.exit).toBe(0);

    const status = (await expectOk(world.berth(['status', '--json']))).json<Status>();
    expect(status.stack).toEqual({name: 'gpu-h100', source: 'local'});
    expect(status.repositoryRoot).toBe(world.checkout);
  });

  it('filters on "-" and "." like any other name character, and Backspace widens again', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open();
    await session.waitFor(/Stack\s+default/);
    await session.write('s');
    await session.waitFor(/4\/4/);
    session.mark();
    await session.type('u-');
    await session.waitFor(/Filter: u-.*2\/4/);
    session.mark();
    await session.write(keys.backspace);
    await session.write(keys.backspace);
    await session.type('.s');
    await session.waitFor(/Filter: \.s.*1\/4/);
    await session.write(keys.enter);
    await session.waitFor("Switched to stack 'cpu.small'");
    expect(world.repositoryConfig()).toMatch(/active_stack: cpu\.small/);
  });

  it('Tab applies the switch globally; the repository keeps its own stack', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open();
    await session.waitFor(/Stack\s+default \(local\)/);
    await session.write('s');
    await session.waitFor('● this repository');
    await session.write(keys.tab);
    await session.waitFor('● global');
    await session.type('a100');
    await session.waitFor(/1\/4/);
    await session.write(keys.enter);
    await session.waitFor("Set the global stack to 'gpu-a100'");
    await session.write('q');
    expect(await session.exit).toBe(0);

    expect(world.globalConfig()?.profiles.find((p) => p.name === 'default')?.activeStack).toBe(
      'gpu-a100',
    );
    expect(world.repositoryConfig()).toMatch(/active_stack: default/);
    const outside = (await expectOk(world.berth(['status', '--json'], tempDir()))).json<Status>();
    expect(outside.stack).toEqual({name: 'gpu-a100', source: 'global'});
  });

  it('"-" returns to the previous stack, like cd -', async () => {
    const world = await givenRepositoryWithStacks();
    await expectOk(world.berth(['stack', 'set', 'gpu-a100']));
    session = world.open();
    await session.waitFor(/Stack\s+gpu-a100 \(local\)/);
    await session.write('-');
    await session.waitFor("Switched to stack 'default' (this repository)");
    await session.waitFor(/Stack\s+default \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_stack: default/);
    await session.write('-');
    await session.waitFor("Switched to stack 'gpu-a100' (this repository)");
    expect(world.repositoryConfig()).toMatch(/active_stack: gpu-a100/);
  });

  it('outside a repository the switcher says only the global stack can change, and i inits here', async () => {
    const world = createWorld();
    await expectOk(world.berth(['stack', 'register', 'gpu']));
    session = world.open();
    await session.waitFor('press i to init');
    await session.write('s');
    await session.waitFor('outside a berth repository only the global stack can change');
    await session.write(keys.tab);
    await session.write(keys.escape);
    await session.waitFor('press i to init');
    session.mark();
    await session.write('i');
    await session.waitFor(`Initialized a berth repository at ${world.checkout}`);
    await session.waitFor(/Stack\s+default \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_stack: default/);
  });

  it('switches the profile with p', async () => {
    const world = await givenRepositoryWithStacks();
    await expectOk(world.berth(['profile', 'create', 'team']));
    session = world.open();
    await session.waitFor(/Profile\s+default \(local\)/);
    await session.write('p');
    await session.waitFor(/Filter: .*2\/2/);
    await session.type('te');
    await session.waitFor(/1\/2/);
    await session.write(keys.enter);
    await session.waitFor("Switched to profile 'team' (this repository)");
    await session.waitFor(/Profile\s+team \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_profile: team/);
  });

  it('shows a placeholder for screens that have not landed, and ? help', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    session = world.open();
    await session.waitFor(/Profile\s+default/);
    await session.write('?');
    await session.waitFor('previous stack (cd -)');
    await session.write(keys.escape);
    await session.waitFor(/Profile\s+default/);
    await session.write('b');
    await session.waitFor(/Publish (is not available yet|failed)|publish/);
    await session.write(keys.escape);
    await session.waitFor(/Profile\s+default/);
  });

  it('Ctrl+C exits 130 and shows the cursor again', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    session = world.open();
    await session.waitFor(/Profile\s+default/);
    await session.write('s');
    await session.waitFor('Filter');
    session.mark();
    await session.write(keys.ctrlC);
    expect(await session.exit).toBe(130);
    // cli-cursor hid it for the TUI; it must be visible once berth is gone.
    const output = session.output;
    expect(output.lastIndexOf('\u001b[?25h')).toBeGreaterThan(output.lastIndexOf('\u001b[?25l'));
  });
});

const colorCode = /\u001b\[(?:\d+;)*(?:3[0-7]|9[0-7]|4[0-7]|10[0-7]|38|48)(?:;\d+)*m/;

describe('terminal conditions', () => {
  it('writes no color at all under NO_COLOR, and colors without it', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open([], {env: {NO_COLOR: '1'}});
    await session.waitFor(/Code\s+unregistered/);
    await session.write('s');
    await session.waitFor(/4\/4/);
    await session.write('?');
    await session.write(keys.escape);
    await session.write(keys.ctrlC);
    await session.exit;
    expect(session.output).not.toMatch(colorCode);

    const colored = world.open([]);
    await colored.waitFor(/Code\s+unregistered/);
    colored.kill();
    expect(colored.output).toMatch(colorCode);
  });

  it('fits 80x24 and redraws after a resize', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open([], {cols: 120, rows: 40});
    await session.waitFor(/Stack\s+default/);
    session.resize(80, 24);
    session.mark();
    await session.write('s');
    await session.waitFor(/Filter: .*4\/4/);
    await session.waitFor('esc close');
    session.mark();
    session.resize(60, 20);
    await session.type('gpu');
    await session.waitFor(/2\/4/);
    await session.write(keys.escape);
    await session.write('q');
    expect(await session.exit).toBe(0);
  });
});
