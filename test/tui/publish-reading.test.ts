// Home `b` reads the project before it can publish (git, the entry point, the parameters). A
// user who presses Enter while it still reads is not ignored: the page says it publishes once it
// has read the project, and it does. The reading is held open by a gate on git (the real git,
// started only once the test lets it), so Enter lands while it reads on any machine.
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanEnv, runBerth, tempDir, tempProject} from '../support/cli.js';
import {moduleSource} from '../support/module-source.js';
import {keys, spawnBerth, type PtySession} from '../support/pty.js';
import {closeQuietly} from './fixture.js';

let session: PtySession | undefined;
afterEach(() => closeQuietly(session));

/** A `git` first on PATH that waits while `gate` exists, then runs the real git. */
function gatedGit(gate: string): string {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim();
  const bin = tempDir('berth-gated-git-');
  const script = path.join(bin, 'git');
  writeFileSync(
    script,
    `#!/bin/sh\nwhile [ -e '${gate}' ]; do sleep 0.02; done\nexec '${realGit}' "$@"\n`,
  );
  chmodSync(script, 0o755);
  return bin;
}

describe('home b: Enter while the project is being read', () => {
  it('is kept: the page says so, and publishes once the project is read', async () => {
    const project = tempProject({
      'noise.py': moduleSource('', '@data_processor(name="Add Noise")\ndef main():\n    pass\n'),
    });
    const git = (...args: string[]) =>
      execFileSync('git', args, {cwd: project, env: cleanEnv(), stdio: 'pipe'});
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'first');
    const gateDir = tempDir('berth-gate-');
    const gate = path.join(gateDir, 'closed');
    const env = {
      BERTH_CONFIG_DIR: path.join(tempDir('berth-reading-'), 'berth'),
      // No engine: the publish fails at once in its preflight, which is enough to see it start.
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      PATH: `${gatedGit(gate)}:${process.env.PATH}`,
    };
    // A CLI command first, so the TUI opens on home rather than the first-run wizard.
    expect((await runBerth(['stack', 'list'], {cwd: project, env})).code).toBe(0);
    session = spawnBerth([], {cwd: project, env, cols: 80, rows: 24});
    const tui = session;
    await tui.waitFor(/Stack\s+default/);

    mkdirSync(gateDir, {recursive: true});
    writeFileSync(gate, '');
    tui.mark();
    await tui.write('b');
    await tui.waitFor(/Reading the project/);
    let rows = await tui.screen();
    expect(rows.some((row) => row.includes('enter publish once read'))).toBe(true);
    await tui.write(keys.enter);
    rows = await tui.waitForScreen(/Publishing as soon as it is read\./);
    expect(rows[0]).toContain('berth · publish');

    tui.mark();
    rmSync(gate);
    // The publish starts without another key: its pane opens and reports the engine's absence.
    await tui.waitFor(/publish add-noise failed/, 60_000);
    rows = await tui.waitForScreen(/Can't reach the Docker engine/);
    expect(rows[0]).toMatch(/berth · publish add-noise failed/);
  }, 120_000);
});
