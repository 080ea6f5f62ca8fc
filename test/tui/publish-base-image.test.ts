// A new user on a machine without internet: the default base image (python:3.11-slim) is not on
// the engine and can't be pulled. berth says what to do next, naming the Python image the engine
// has: the CLI as a flag, the TUI's publish pane as the page's field and key (never a flag). The
// user follows it at 60x15: esc back to the project, i, the image, enter, and it publishes.
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {runBerth, tempDir, tempProject} from '../support/cli.js';
import {moduleSource} from '../support/module-source.js';
import {keys, spawnBerth, type PtySession} from '../support/pty.js';
import {ensureBaseImage, startPrivateDocker, type PrivateDocker} from '../support/services.js';
import {closeQuietly} from './fixture.js';

const entry = moduleSource(
  'import sys',
  `@data_processor(name="Add Noise", description="adds noise")
@parameter(name="level", type="Float", required=False, defaultValue=0.5)
def add_noise(level):
    print("noise at %s" % level)


if __name__ == "__main__":
    add_noise(float(sys.argv[-1]) if len(sys.argv) > 2 else 0.5)
`,
);

let engine: PrivateDocker;
let base: string;
let session: PtySession | undefined;

beforeAll(async () => {
  // An engine of its own that has one Python image, not under the name berth uses by default.
  engine = await startPrivateDocker();
  base = await ensureBaseImage(engine.host);
}, 600_000);
afterAll(async () => {
  await engine?.stop();
});
afterEach(() => closeQuietly(session));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('the default base image is not on an offline engine', () => {
  it('the CLI opens with what it publishes, and names the image to pass with --base-image', async () => {
    const project = tempProject({'noise.py': entry, 'requirements.txt': ''});
    const env = {
      BERTH_CONFIG_DIR: path.join(tempDir('berth-base-'), 'berth'),
      DOCKER_HOST: engine.host,
    };
    const result = await runBerth(['publish', '--plain'], {cwd: project, env, timeoutMs: 120_000});
    expect(result.code).toBe(1);
    // The first line says what is published where, not an internal state.
    expect(result.stdout.split('\n')[0]).toBe(
      "==> Publishing add-noise (noise.py) on stack 'default'",
    );
    expect(result.stdout).not.toContain('==> pending');
    expect(result.stderr).toContain('The base image python:3.11-slim is not on the engine');
    expect(result.stderr).toContain(
      `Set --base-image to a Python image this engine has: ${base}. Or pull python:3.11-slim on that engine where it reaches the internet (\`docker pull python:3.11-slim\`).`,
    );
    expect(result.stderr).toContain('Nothing was built and no version was recorded.');

    const again = await runBerth(['publish', '--plain', '--base-image', base], {
      cwd: project,
      env,
      timeoutMs: 300_000,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Published add-noise version 1');
    // What to do with it next.
    expect(again.stderr).toContain('Run it: `berth run add-noise`');

    // The base image given once is remembered for the module: the dry run shows it and where it
    // comes from, and the next publish without the flag builds FROM it.
    const dry = await runBerth(['publish', '--dry-run', '--json'], {cwd: project, env});
    expect(dry.code, dry.stderr).toBe(0);
    const document = JSON.parse(dry.stdout) as Record<string, unknown>;
    expect(document.baseImage).toBe(base);
    expect(document.baseImageSource).toBe('remembered');
    expect(document.baseImageVersion).toBe(1);
    expect(document.dockerfile).toContain(`FROM ${base}`);
    const human = await runBerth(['publish', '--dry-run'], {cwd: project, env});
    expect(human.stdout).toContain(
      `Base image  ${base} (remembered from version 1; --base-image chooses another)`,
    );
    // A flag still wins, for that publish.
    const flagged = await runBerth(
      ['publish', '--dry-run', '--json', '--base-image', 'python:3.11-slim'],
      {cwd: project, env},
    );
    expect(JSON.parse(flagged.stdout)).toMatchObject({
      baseImage: 'python:3.11-slim',
      baseImageSource: 'flag',
    });

    const third = await runBerth(['publish', '--plain'], {cwd: project, env, timeoutMs: 300_000});
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain(
      `base image ${base}, remembered from add-noise version 1 (another with --base-image)`,
    );
    expect(third.stdout).toContain('Published add-noise version 2');
    const described = await runBerth(['module', 'describe', 'add-noise@2', '--json'], {
      cwd: project,
      env,
    });
    expect(JSON.parse(described.stdout)).toMatchObject({baseImage: base});
    // Remembered in the profile's store: nothing was written into the project.
    expect(readdirSync(project).sort()).toEqual(['noise.py', 'requirements.txt']);

    // The TUI's publish page shows it, and where it comes from.
    session = spawnBerth([], {cwd: project, env, cols: 80, rows: 24});
    const tui = session;
    await tui.waitFor(/Stack\s+default/);
    await tui.write('b');
    await tui.waitForScreen(
      new RegExp(`Base image\\s+${escapeRegExp(base)} · remembered from version 2`),
    );
    await tui.write('q');
    await tui.write('q');
    expect(await tui.exit).toBe(0);
  }, 600_000);

  it('the TUI pane names the field and its keys; following them publishes (60x15)', async () => {
    const project = tempProject({'noise.py': entry, 'requirements.txt': ''});
    const env = {
      BERTH_CONFIG_DIR: path.join(tempDir('berth-base-tui-'), 'berth'),
      DOCKER_HOST: engine.host,
    };
    // A CLI command first, so the TUI opens on home rather than the first-run wizard.
    expect((await runBerth(['stack', 'list'], {cwd: project, env})).code).toBe(0);
    session = spawnBerth([], {cwd: project, env, cols: 60, rows: 15});
    const tui = session;
    await tui.waitFor(/Stack\s+default/);
    tui.mark();
    await tui.write('b');
    await tui.waitForScreen(/Base image\s+python:3\.11-slim/);
    let rows = await tui.screen();
    expect(rows[0]).toContain('berth · publish');
    expect(rows.some((row) => row.includes('i base image'))).toBe(true);

    tui.mark();
    await tui.write(keys.enter);
    await tui.waitFor(/publish add-noise failed/, 120_000);
    rows = await tui.waitForScreen(/this\s+engine\s+has:/);
    let shown = rows.join('\n');
    expect(rows[0]).toMatch(/berth · publish add-noise failed/);
    expect(shown.replace(/\s+/g, ' ')).toContain(
      '→ Set the Base image (esc, then i) to a Python image',
    );
    expect(shown.replace(/\s+/g, ' ')).toContain(`this engine has: ${base}.`);
    expect(shown).not.toContain('--base-image');
    expect(rows.some((row) => row.includes('q close'))).toBe(true);

    // esc goes back to the project, where i edits the base image.
    tui.mark();
    await tui.write(keys.escape);
    await tui.waitForScreen(/Base image\s+python:3\.11-slim/);
    await tui.write('i');
    await tui.waitFor('keep this image');
    // ctrl+u clears the field, as in a shell (it never types a u).
    expect((await tui.screen()).some((row) => row.includes('ctrl+u clear'))).toBe(true);
    await tui.write(keys.ctrlU);
    await tui.type(base);
    tui.mark();
    await tui.write(keys.enter);
    // The new base image, and the footer drawn with it.
    rows = await tui.waitForScreen(
      new RegExp(`Base image\\s+${escapeRegExp(base)} · chosen here[\\s\\S]*enter publish`),
    );
    expect(rows.some((row) => row.includes('enter publish'))).toBe(true);
    tui.mark();
    await tui.write(keys.enter);
    await tui.waitFor(/publish add-noise published/, 300_000);
    rows = await tui.waitForScreen(/q close/);
    shown = rows.join('\n');
    expect(rows[0]).toMatch(/berth · publish add-noise published/);
    expect(shown).not.toContain('→ Set');

    // A published version closes to home, where it is listed.
    tui.mark();
    await tui.write('q');
    await tui.waitFor(/add-noise@1 published/);
    await tui.write('q');
    expect(await tui.exit).toBe(0);
  }, 600_000);
});
