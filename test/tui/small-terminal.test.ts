// One key grammar on a 60x15 terminal: every screen keeps its title on the first row and its
// footer on the screen, `?` opens that screen's help (which scrolls), Esc goes back, q quits
// only from home. The screen is read through a terminal emulator, as a person sees it.
import {afterEach, describe, expect, it} from 'vitest';
import {keys, type PtySession} from '../support/pty.js';
import {closeQuietly, createWorld, expectOk, type TuiWorld} from './fixture.js';

let session: PtySession | undefined;
afterEach(() => closeQuietly(session));

const small = {cols: 60, rows: 15};

async function givenRepositoryOnStack(stack: string): Promise<TuiWorld> {
  const world = createWorld();
  await expectOk(world.berth(['init']));
  for (const name of ['cpu.small', 'gpu-a100', 'gpu-h100', 'tpu-v5'])
    await expectOk(world.berth(['stack', 'register', name]));
  await expectOk(world.berth(['stack', 'set', stack]));
  return world;
}

/** The title is on the first row and the footer (with `? help` unless given) on the screen. */
async function expectFramed(screen: PtySession, title: string, footer = '? help') {
  const rows = await screen.screen();
  const shown = rows.join('\n');
  expect(rows[0], shown).toContain(`berth · ${title}`);
  expect(
    rows.some((row) => row.includes(footer)),
    shown,
  ).toBe(true);
  return rows;
}

describe('the TUI on a 60x15 terminal', () => {
  it('home keeps its title and footer; ? opens its help, which scrolls, and Esc closes it', async () => {
    const world = await givenRepositoryOnStack('gpu-h100');
    session = world.open([], small);
    await session.waitFor(/Recent\s+No publishes/);
    await expectFramed(session, 'home', 'q quit');

    session.mark();
    await session.write('?');
    await session.waitFor('help · home');
    let rows = await expectFramed(session, 'help · home', 'esc close help');
    expect(rows.join('\n')).toContain('switch stack');
    // The rule every screen follows is at the end: out of sight until the help scrolls.
    expect(rows.join('\n')).not.toContain('Everywhere');
    await session.write(keys.pageDown);
    await session.write(keys.pageDown);
    await session.waitFor('Everywhere');
    rows = await expectFramed(session, 'help · home', 'esc close help');
    expect(rows.join('\n')).toMatch(/q\s+back, like esc; on home it quits/);

    session.mark();
    await session.write(keys.escape);
    await session.waitFor(/Stack\s+gpu-h100/);
    await expectFramed(session, 'home', 'q quit');
    // Esc on home has nowhere to go back to; q quits.
    await session.write(keys.escape);
    await session.write('q');
    expect(await session.exit).toBe(0);
  });

  it('the stack switcher opens on the current stack, wraps its details, and keeps the filter across help', async () => {
    const world = await givenRepositoryOnStack('gpu-h100');
    session = world.open([], small);
    await session.waitFor(/Stack\s+gpu-h100/);
    session.mark();
    await session.write('s');
    await session.waitFor('● current');
    let rows = await expectFramed(session, 'stacks');
    const shown = rows.join('\n');
    expect(shown).toMatch(/› gpu-h100 ● current/);
    // Every component's name is shown, none cut to `…`.
    expect(shown).toMatch(/orchestrator\s+default \((local|docker)\)/);
    expect(shown).toMatch(/artifacts\s+default \(local\)/);
    expect(shown).not.toContain('…');
    // Inside a repository Tab chooses where the switch applies, and says so.
    expect(shown).toContain('tab here / global');

    await session.type('gpu');
    await session.waitFor(/Filter: gpu.*2\/5/);
    session.mark();
    await session.write('?');
    await session.waitFor('help · stacks');
    await expectFramed(session, 'help · stacks', 'esc close help');
    session.mark();
    await session.write(keys.escape);
    await session.waitFor(/Filter: gpu/);
    rows = await expectFramed(session, 'stacks');
    expect(rows.join('\n')).toMatch(/Filter: gpu.*2\/5/);

    // q is a letter of the filter here; Esc goes back.
    session.mark();
    await session.write('q');
    await session.waitFor(/Filter: gpuq.*0\/5/);
    await session.write(keys.escape);
    await session.waitFor(/Stack\s+gpu-h100/);
    await expectFramed(session, 'home', 'q quit');
  });

  it('outside a berth repository the switchers show no Tab hint, and open on the current one', async () => {
    const world = createWorld();
    for (const name of ['alpha', 'beta', 'omega'])
      await expectOk(world.berth(['stack', 'register', name]));
    await expectOk(world.berth(['stack', 'set', 'omega']));
    await expectOk(world.berth(['profile', 'create', 'team']));
    session = world.open([], small);
    await session.waitFor(/Stack\s+omega/);
    session.mark();
    await session.write('s');
    await session.waitFor('● current');
    let rows = await expectFramed(session, 'stacks');
    expect(rows.join('\n')).toMatch(/› omega ● current/);
    expect(rows.join('\n')).not.toContain('tab');
    session.mark();
    await session.write(keys.escape);
    await session.waitFor(/Stack\s+omega/);
    session.mark();
    await session.write('p');
    await session.waitFor('● current');
    rows = await expectFramed(session, 'profiles');
    expect(rows.join('\n')).toMatch(/› default ● current/);
    expect(rows.join('\n')).not.toContain('tab');
  });

  it('a flash message stays on home until another screen opens', async () => {
    const world = await givenRepositoryOnStack('gpu-h100');
    session = world.open([], small);
    await session.waitFor(/Stack\s+gpu-h100/);
    await session.write('-');
    await session.waitFor("Active stack: 'default' (this repository).");
    session.mark();
    await session.write('p');
    await session.waitFor('● current');
    session.mark();
    await session.write(keys.escape);
    await session.waitFor(/Stack\s+default/);
    const rows = await expectFramed(session, 'home', 'q quit');
    expect(rows.join('\n')).not.toContain('Active stack:');
  });

  it('the first-run wizard keeps its title and footer, keeps its step across help, and q goes back a step', async () => {
    const world = createWorld();
    session = world.open([], small);
    await session.waitFor('Git checkout');
    await expectFramed(session, 'setup · checkout');
    session.mark();
    await session.write(keys.enter);
    await session.waitFor('Where is the code hosted?');
    await expectFramed(session, 'setup · provider');
    session.mark();
    await session.write('?');
    await session.waitFor('help · setup');
    await expectFramed(session, 'help · setup', 'esc close help');
    session.mark();
    await session.write(keys.escape);
    await session.waitFor('Where is the code hosted?');
    await expectFramed(session, 'setup · provider');
    session.mark();
    await session.write('q');
    await session.waitFor('Git checkout');
    await expectFramed(session, 'setup · checkout');
    // Nothing was written: the wizard writes only after the review.
    expect(world.globalConfig()).toBeUndefined();
  });
});

describe('the TUI on a 200x50 terminal', () => {
  it('is as tall as its content: the footer follows the body, not the bottom of the terminal', async () => {
    const world = await givenRepositoryOnStack('gpu-h100');
    session = world.open([], {cols: 200, rows: 50});
    await session.waitFor(/Recent\s+No publishes/);
    const rows = await expectFramed(session, 'home', 'q quit');
    const footer = rows.findIndex((row) => row.includes('q quit'));
    expect(footer).toBeLessThan(20);
    // Labels and values stay together (no column pushed to the far right).
    expect(rows.find((row) => row.includes('Stack'))).toMatch(/Stack\s{1,12}gpu-h100/);
  });
});
