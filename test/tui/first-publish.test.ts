// A new user from nothing, in a real pseudo-terminal: a fresh config and a fresh project with an
// annotated entry point. The first run opens the wizard (token verified against a local forge,
// kept in the 0600 file because no keychain answers, the repository registered, init, the
// default stack); `b` publishes the project on the default stack against a real Docker engine
// (its own image store, no registry); `berth run` runs it; `m` shows the version and the run's
// whole log, searched with `/`; `r` there runs it again with its defaults, and its log opens.
// The publish pane and the modules screen are driven at 60x15.
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runBerth, tempDir} from '../support/cli.js';
import {startForgeServer, type ForgeServer, type ForgeToken} from '../support/forge-server.js';
import {moduleSource} from '../support/module-source.js';
import {keys, spawnBerth, type PtySession} from '../support/pty.js';
import {
  dockerClient,
  ensureBaseImage,
  startBusWithoutSecretService,
  startPrivateDocker,
  type PrivateDocker,
  type SessionBus,
} from '../support/services.js';
import {filesContaining} from '../support/token-leaks.js';
import {closeQuietly} from './fixture.js';

const token = {
  token: 'ghp_firstPublishTuiToken0000000000000fp01',
  login: 'octocat',
  scopes: ['repo', 'read:org'],
} satisfies ForgeToken;

const entry = moduleSource(
  'import argparse',
  `@data_processor(name="Rotate demo", description="rotates by an angle")
@parameter(name="angle", type="float", required=False, defaultValue=90, description="degrees")
def main(angle):
    print("rotated by %s degrees" % angle)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--angle", type=float, default=90.0)
    main(parser.parse_args().angle)
`,
);

let engine: PrivateDocker;
let forge: ForgeServer;
let bus: SessionBus;
let session: PtySession | undefined;

beforeAll(async () => {
  // A machine of its own: an engine that has only a Python image under the name berth uses by
  // default (nothing is pulled here), no registry, no keychain.
  [engine, forge, bus] = await Promise.all([
    startPrivateDocker(),
    startForgeServer({tokens: [token]}),
    startBusWithoutSecretService(),
  ]);
  const base = await ensureBaseImage(engine.host);
  await dockerClient(engine.host).getImage(base).tag({repo: 'python', tag: '3.11-slim'});
}, 600_000);
afterAll(async () => {
  await bus?.stop();
  await forge?.close();
  await engine?.stop();
});
afterEach(() => closeQuietly(session));

describe('a new user, from nothing to a run and its log', () => {
  it('first run → wizard (file storage) → b publishes on the default stack → run → m shows its log', async () => {
    const configDir = path.join(tempDir('berth-first-'), 'berth');
    const project = tempDir('berth-first-project-');
    const env = {
      BERTH_CONFIG_DIR: configDir,
      BERTH_STATE_DIR: tempDir('berth-first-state-'),
      DOCKER_HOST: engine.host,
      ...bus.env,
    };
    const git = (...args: string[]) =>
      execFileSync('git', args, {cwd: project, env: cleanEnv(), stdio: 'pipe'});
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(project, 'rotate.py'), entry);
    git('add', '.');
    git('commit', '-qm', 'first');
    const origin = `${forge.url}/acme/rotate.git`;
    git('remote', 'add', 'origin', origin);
    forge.addRepository({provider: 'github', path: 'acme/rotate', gitDir: project});
    const open = (cols = 100, rows = 30) => {
      session = spawnBerth([], {cwd: project, env, cols, rows});
      return session;
    };

    // The first run opens the wizard on the checkout.
    let tui = open();
    await tui.waitFor('setup · checkout');
    await tui.waitFor(`origin ${origin}`);
    await tui.write(keys.enter);
    await tui.waitFor('Where is the code hosted?');
    await tui.write(keys.enter);
    const prefilled = `http://127.0.0.1:${new URL(forge.url).port}/api/v3`;
    await tui.waitFor(prefilled);
    for (let i = 0; i < prefilled.length; i++) await tui.write(keys.backspace);
    await tui.type(forge.githubApiUrl);
    await tui.write(keys.enter);
    await tui.waitFor('Paste a personal access token');
    await tui.write(token.token);
    await tui.waitFor('*'.repeat(token.token.length));
    await tui.write(keys.enter);
    await tui.waitFor('✓ Token verified');
    await tui.write(keys.enter);
    // No keychain answers: the plain file is a choice of the storage step.
    await tui.waitFor('No OS keychain is reachable');
    await tui.write(keys.down);
    await tui.write(keys.enter);
    await tui.waitFor('› acme/rotate');
    await tui.write(keys.enter);
    await tui.waitFor('Yes, init');
    await tui.write(keys.enter);
    await tui.waitFor('default (current)');
    await tui.write(keys.enter);
    await tui.waitFor('in a plain file (0600)');
    await tui.waitFor('Nothing has been written yet.');
    await tui.write(keys.enter);
    await tui.waitFor('Setup is complete.');
    await tui.write(keys.enter);
    await tui.waitFor(/Stack\s+default \(local\)/);

    // b on a 60x15 terminal: the project read, a confirm step, then the live pane. The home
    // screen is redrawn for the new size first, as a person sees it before pressing b.
    tui.mark();
    tui.resize(60, 15);
    await tui.waitFor(/Stack\s+default/);
    tui.mark();
    await tui.write('b');
    // A commit no remote has yet: nothing a run could download, so the code goes into the image
    // (no refusal on a new project's first publish).
    await tui.waitForScreen(/berth · publish[\s\S]*Entry point\s+rotate\.py/, 15_000);
    let rows = await tui.screen();
    expect(rows[0]).toContain('berth · publish');
    expect(rows.join('\n')).toMatch(/Module\s+rotate-demo/);
    expect(rows.join('\n')).toMatch(/Stack\s+default/);
    expect(rows.join('\n')).toMatch(/Code\s+full image/);
    expect(rows.some((row) => row.includes('enter publish'))).toBe(true);
    tui.mark();
    await tui.write(keys.enter);
    await tui.waitFor(/publish rotate-demo (pending|building)/, 60_000);
    await tui.waitFor(/publish rotate-demo published/, 300_000);
    await tui.waitFor('q close');
    rows = await tui.screen();
    expect(rows[0]).toMatch(/berth · publish rotate-demo published/);
    expect(rows.some((row) => row.includes('q close'))).toBe(true);
    tui.mark();
    await tui.write('q');
    await tui.waitFor(/rotate-demo@1 published/);
    await tui.write('q');
    expect(await tui.exit).toBe(0);

    const run = await runBerth(['run', 'rotate-demo', '--param', 'angle=45'], {
      cwd: project,
      env,
      timeoutMs: 180_000,
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);

    // m: the version, its digest and parameters, its runs; the run's whole log, searched.
    tui = open(60, 15);
    await tui.waitFor(/Stack\s+default/);
    tui.mark();
    await tui.write('m');
    await tui.waitFor(/rotate-demo@1\s+published/);
    await tui.write(keys.enter);
    await tui.waitFor(/Digest\s+sha256:/);
    rows = await tui.screen();
    expect(rows[0]).toContain('berth · modules · rotate-demo@1');
    expect(rows.join('\n')).toMatch(/Parameters\s+angle: float = 90/);
    expect(rows.some((row) => row.includes('enter open log'))).toBe(true);
    await tui.waitFor(/run \S+ succeeded/);
    await tui.write(keys.down);
    tui.mark();
    await tui.write(keys.enter);
    await tui.waitFor('run log');
    await tui.waitFor('rotated by 45.0 degrees');
    tui.mark();
    await tui.type('/rotated');
    await tui.write(keys.enter);
    await tui.waitFor('search: rotated');
    rows = await tui.screen();
    expect(rows.some((row) => row.includes('esc back'))).toBe(true);
    tui.mark();
    await tui.write(keys.escape);
    await tui.waitFor(/Digest\s+sha256:/);
    // The publish log too: the build's own lines.
    await tui.write(keys.up);
    tui.mark();
    await tui.write(keys.enter);
    await tui.waitFor('publish log · rotate-demo@1');
    tui.mark();
    await tui.write(keys.escape);
    await tui.waitFor(/Digest\s+sha256:/);

    // r runs the version here, with its parameters' defaults; the run's log opens with enter.
    expect((await tui.screen()).some((row) => row.includes('r run'))).toBe(true);
    await tui.write('r');
    rows = await tui.waitForScreen(/succeeded:\s+enter\s+opens\s+its\s+log/, 180_000);
    expect(rows[0]).toContain('berth · modules · rotate-demo@1');
    tui.mark();
    await tui.write(keys.enter);
    await tui.waitFor('run log');
    await tui.waitFor('rotated by 90.0 degrees');
    tui.mark();
    await tui.write(keys.escape);
    await tui.waitFor(/Digest\s+sha256:/);
    await tui.write(keys.escape);
    await tui.write(keys.escape);
    await tui.waitFor(/Stack\s+default/);
    await tui.write('q');
    expect(await tui.exit).toBe(0);

    expect(tui.output).not.toContain(token.token);
    expect(filesContaining(token.token, [project])).toEqual([]);
  }, 900_000);
});
