// The TUI in a real terminal draws outside strings inert: a cloned repository's
// .berth/config.yaml and its git remotes can't clear the screen, write the clipboard or hide
// text.
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanEnv} from '../support/cli.js';
import type {PtySession} from '../support/pty.js';
import {closeQuietly, createWorld, expectOk} from './fixture.js';

const payload = '\u001b]52;c;ZXZpbA==\u0007\u001b[8mhidden\u009b31m\u202egpj.exe';

let session: PtySession | undefined;
afterEach(() => closeQuietly(session));

/** The raw bytes berth wrote hold none of the payload's controls; the screen shows them. */
function expectDrawnInert(raw: string): void {
  expect(raw).not.toContain('\u001b]52');
  expect(raw).not.toContain('\u001b[8m');
  expect(raw).not.toMatch(/[\u0080-\u009f\u202e]/);
}

describe('the TUI draws outside strings inert', () => {
  it('values of .berth/config.yaml on the home screen', async () => {
    const world = createWorld();
    await expectOk(world.berth(['init']));
    writeFileSync(
      path.join(world.checkout, '.berth/config.yaml'),
      `active_stack: ${JSON.stringify(payload)}\n`,
    );
    session = world.open();
    await session.waitFor('␛]52;c;ZXZpbA==␇␛[8mhidden␛[31m<U+202E>gpj.exe');
    expectDrawnInert(session.output);
    await session.write('q');
    expect(await session.exit).toBe(0);
  });

  it('a git remote shown by the setup wizard', async () => {
    const world = createWorld();
    execFileSync('git', ['remote', 'add', 'evil', `https://github.com/acme/${payload}.git`], {
      cwd: world.checkout,
      env: cleanEnv(),
    });
    session = world.open(['setup']);
    await session.waitFor('setup · checkout');
    await session.waitFor('<U+202E>gpj.exe');
    expectDrawnInert(session.output);
    session.kill();
  });
});
