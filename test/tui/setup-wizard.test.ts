// The onboarding wizard in a real pseudo-terminal: first run, `berth setup`, going back, and
// quitting part-way with nothing written.
import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanEnv, runBerth} from '../support/cli.js';
import {unreachableUrl} from '../support/forge-server.js';
import {keys, type PtySession} from '../support/pty.js';
import {closeQuietly, createWorld, expectOk} from './fixture.js';

let session: PtySession | undefined;
afterEach(() => closeQuietly(session));

type Status = {repositoryRoot: string | null; stack: {name: string; source: string}};

describe('the onboarding wizard', () => {
  it('opens on a first run, detects the checkout, inits here and creates a stack', async () => {
    const world = createWorld();
    session = world.open();
    await session.waitFor('setup · checkout');
    await session.waitFor(`Git checkout  ${world.checkout}`);
    await session.waitFor('origin https://github.com/acme/widgets.git');
    await session.write(keys.enter);
    // Provider prefilled from the remote; Tab skips the token steps.
    await session.waitFor('Where is the code hosted?');
    await session.write(keys.tab);
    await session.waitFor("Register this checkout's code repository");
    await session.write(keys.tab);
    await session.waitFor(`Yes, init ${world.checkout}`);
    await session.write(keys.enter);
    await session.waitFor('default (current)');
    await session.write(keys.down);
    await session.write(keys.enter);
    await session.waitFor('Name of the new stack');
    await session.type('ml-gpu');
    await session.write(keys.enter);
    await session.waitFor("Create stack 'ml-gpu'");
    await session.waitFor('Nothing has been written yet.');
    expect(world.globalConfig()).toBeUndefined();
    expect(world.repositoryConfig()).toBeUndefined();
    await session.write(keys.enter);
    await session.waitFor('Setup is complete.');
    await session.write(keys.enter);
    await session.waitFor(/Stack\s+ml-gpu \(local\)/);
    await session.write('q');
    expect(await session.exit).toBe(0);

    expect(world.repositoryConfig()).toMatch(/active_stack: ml-gpu/);
    const status = (await expectOk(world.berth(['status', '--json']))).json<Status>();
    expect(status).toMatchObject({
      repositoryRoot: world.checkout,
      stack: {name: 'ml-gpu', source: 'local'},
    });
  });

  it('writes nothing when quit part-way (Ctrl+C exits 130)', async () => {
    const world = createWorld();
    session = world.open();
    await session.waitFor('Berth repo');
    await session.write(keys.enter);
    await session.waitFor('Where is the code hosted?');
    await session.write(keys.tab);
    await session.waitFor("Register this checkout's code repository");
    await session.write(keys.tab);
    await session.waitFor('Yes, init');
    await session.write(keys.enter);
    await session.write(keys.down);
    await session.write(keys.enter);
    await session.waitFor('Name of the new stack');
    await session.type('half');
    await session.write(keys.ctrlC);
    expect(await session.exit).toBe(130);
    expect(existsSync(world.configDir) ? readdirSync(world.configDir) : []).toEqual([]);
    expect(existsSync(path.join(world.checkout, '.berth'))).toBe(false);
  });

  it('Esc goes back a step, and on the first step leaves `berth setup` with nothing written', async () => {
    const world = createWorld();
    session = world.open(['setup']);
    await session.waitFor('Berth repo');
    await session.write(keys.enter);
    await session.waitFor('Where is the code hosted?');
    await session.write(keys.tab);
    await session.waitFor("Register this checkout's code repository");
    await session.write(keys.tab);
    await session.waitFor('Yes, init');
    await session.write(keys.down);
    await session.write(keys.enter);
    await session.waitFor('Pick the stack to use globally');
    session.mark();
    await session.write(keys.escape);
    await session.waitFor('Make this directory a berth repository');
    session.mark();
    await session.write(keys.escape);
    await session.waitFor("Register this checkout's code repository");
    session.mark();
    await session.write(keys.escape);
    await session.waitFor('Where is the code hosted?');
    session.mark();
    await session.write(keys.escape);
    await session.waitFor('setup · checkout');
    await session.write(keys.escape);
    expect(await session.exit).toBe(130);
    expect(existsSync(path.join(world.configDir, 'config.json'))).toBe(false);
    expect(world.repositoryConfig()).toBeUndefined();
  });

  it('`berth setup` in an existing repository picks a stack there and exits when done', async () => {
    const world = createWorld();
    await expectOk(world.berth(['init']));
    await expectOk(world.berth(['stack', 'register', 'cpu']));
    session = world.open(['setup']);
    await session.waitFor(`Berth repo    ${world.checkout}`);
    await session.write(keys.enter);
    await session.waitFor('Where is the code hosted?');
    await session.write(keys.tab);
    await session.waitFor("Register this checkout's code repository");
    await session.write(keys.tab);
    await session.waitFor('Pick the stack to use in this repository');
    await session.waitFor('default (current)');
    await session.write(keys.up);
    await session.write(keys.enter);
    await session.waitFor("Set the active stack to 'cpu' in this repository");
    await session.write(keys.enter);
    await session.waitFor('Setup is complete.');
    await session.write(keys.enter);
    expect(await session.exit).toBe(0);
    expect(world.repositoryConfig()).toMatch(/active_stack: cpu/);
  });

  it('a forge that does not answer is said at the repository step, which tab leaves without registering', async () => {
    const world = createWorld();
    const gone = await unreachableUrl();
    execFileSync('git', ['remote', 'set-url', 'origin', `${gone}/acme/widgets.git`], {
      cwd: world.checkout,
      env: cleanEnv(),
    });
    session = world.open(['setup']);
    await session.waitFor(`origin ${gone}/acme/widgets.git`);
    await session.write(keys.enter);
    await session.waitFor('Where is the code hosted?');
    await session.write(keys.tab);
    await session.waitFor('› acme/widgets');
    session.mark();
    await session.write(keys.enter);
    await session.waitFor('connection refused');
    const shown = (await session.screen()).join(' ').replace(/\s+/g, ' ');
    expect(shown).toContain(`✗ Can't reach ${new URL(gone).host}: connection refused.`);
    expect(shown).toContain('tab goes on without it');
    expect(shown).toContain('› acme/widgets');
    expect(shown).not.toMatch(/--[a-z]/);
    await session.write(keys.tab);
    await session.waitFor('Make this directory a berth repository');
    await session.write(keys.escape);
    await session.waitFor("Register this checkout's code repository");
    await session.write(keys.ctrlC);
    expect(await session.exit).toBe(130);
    expect(existsSync(path.join(world.configDir, 'config.json'))).toBe(false);
  });

  it('refuses without a terminal and names the commands to use instead', async () => {
    const world = createWorld();
    const result = await runBerth(['setup'], {cwd: world.checkout, env: world.env});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('berth setup needs a terminal');
    expect(result.stderr).toContain('berth init');
  });
});
