// A next step no screen can take is said as the file to edit; the command the CLI suggests for
// the same error does what it says. Here: a global active profile that no longer exists (the
// config edited by hand), which every screen needs before it can open.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {PtySession} from '../support/pty.js';
import {closeQuietly, createWorld, expectOk} from './fixture.js';

let session: PtySession | undefined;
afterEach(() => closeQuietly(session));

describe('a global active profile that is gone', () => {
  it('the TUI names the file to edit, never a flag; the CLI names the command, which repairs it', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    const file = path.join(world.configDir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as {activeProfile: string};
    writeFileSync(file, JSON.stringify({...config, activeProfile: 'gone'}, null, 2));

    session = world.open([], {cols: 200, rows: 30});
    await session.waitFor(/to it in/);
    const shown = session.text().replace(/\s*\n\s*/g, ' ');
    expect(shown).toContain('The global active profile "gone" does not exist.');
    expect(shown).toContain(`Choose one of default: set "activeProfile" to it in ${file}.`);
    expect(shown).not.toMatch(/(^|\s|\(|`)--[a-z]/);
    expect(shown).not.toContain('berth profile set');
    closeQuietly(session);
    session = undefined;

    const stackList = await world.berth(['stack', 'list']);
    expect(stackList.code).toBe(1);
    expect(stackList.stderr).toContain('Choose one of default: `berth profile set NAME --global`.');
    await expectOk(world.berth(['profile', 'set', 'default', '--global']));
    await expectOk(world.berth(['stack', 'list']));
    expect(world.globalConfig()?.activeProfile).toBe('default');
  });
});
