// SIGTERM and Ctrl+C during one `berth run`: the container (or the local process) is stopped
// and removed, the run is recorded cancelled with the exit code the program got from the
// signal (143: it received SIGTERM itself, even as the container's main process, instead of
// being killed after docker's 10 s grace: 137), the command exits 143/130, nothing is left.
import {spawn} from 'node:child_process';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, nodeBinary, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {moduleSource} from '../support/module-source.js';
import {keys, spawnBerth} from '../support/pty.js';
import {baseImage, ensureBaseImage, startDocker} from '../support/services.js';
import {waitFor} from '../support/wait.js';

let host: string;
let configDir: string;
let project: string;
let digest: string;

const env = () => ({BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host});

async function ok(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  const result = await runBerth(args, {cwd: project, env: env(), timeoutMs});
  if (result.code !== 0)
    throw new Error(`berth ${args.join(' ')} exited ${result.code}\n${result.stderr}`);
  return result;
}

type RunJson = {id: string; status: string; exitCode: number | null; error: string | null};

/** The runs recorded so far, oldest first. */
async function runs(): Promise<RunJson[]> {
  return (await ok(['runs', 'list', '--json'])).json<RunJson[]>();
}

/** Containers (running or not) of the published image on the shared engine. */
async function containersOfModule(): Promise<string[]> {
  const {default: Docker} = await import('dockerode');
  const docker = new Docker({socketPath: host.slice('unix://'.length)});
  const all = await docker.listContainers({all: true});
  return all.filter((c) => c.ImageID === digest).map((c) => `${c.Id.slice(0, 12)} ${c.State}`);
}

/** Processes whose command line names the module's entry point (the local orchestrator's). */
function localProcesses(): string[] {
  const entry = path.join(project, 'sleeper.py');
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(entry)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/** `berth run sleeper` as a plain child process; resolves its exit code. */
function startRun(extra: string[] = []) {
  const child = spawn(nodeBinary, [cliPath, 'run', 'sleeper', ...extra], {
    cwd: project,
    env: cleanEnv(env()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = {stdout: '', stderr: ''};
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (seen.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (seen.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {child, seen, exited};
}

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  project = tempDir('berth-run-signals-');
  configDir = path.join(project, '.config');
  writeFileSync(path.join(project, 'requirements.txt'), '');
  // No signal handler: as a container's main process, Python ignores SIGTERM unless something
  // (an init) delivers it with its default action.
  writeFileSync(
    path.join(project, 'sleeper.py'),
    moduleSource(
      'import sys\nimport time\n',
      `@data_processor(name="Sleeper", description="sleeps until stopped")
def main():
    print("sleeper is running", flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
`,
    ),
  );
  // The default stack: the engine builds and keeps the image, the docker orchestrator runs it.
  await ok(['publish', project, '--base-image', baseImage, '--plain'], 240_000);
  digest = (await ok(['module', 'list', '--json'])).json<Array<{digest: string}>>()[0]!.digest;
  expect(digest).toMatch(/^sha256:/);
  await ok(['component', 'register', 'orchestrator', 'here', '--flavor', 'local']);
  await ok(['stack', 'register', 'here', '-o', 'here']);
}, 300_000);

describe('signals during berth run', () => {
  it('SIGTERM: the container gets SIGTERM and is removed, the run is recorded cancelled (143), exit 143', async () => {
    const {child, seen, exited} = startRun();
    await waitFor(() => seen.stdout.includes('sleeper is running'), {
      timeoutMs: 60_000,
      message: 'the module to be running',
    });
    expect(await containersOfModule()).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited, seen.stderr).toBe(143);
    expect(seen.stderr).not.toMatch(/berth hit a bug|Unhandled|at .*\.js:\d+/);
    const last = (await runs()).at(-1)!;
    expect(seen.stderr).toContain(
      `Stopped (SIGTERM): run ${last.id} is recorded as cancelled (\`berth logs ${last.id}\`).`,
    );
    expect(last).toMatchObject({status: 'cancelled', exitCode: 143});
    expect(await containersOfModule()).toEqual([]);
    const log = await ok(['logs', last.id]);
    expect(log.stdout).toContain('sleeper is running');
    expect(log.stdout).toContain('berth: cancelled');
  }, 120_000);

  it('Ctrl+C in a terminal: exit 130, the run cancelled, the container removed', async () => {
    const session = spawnBerth(['run', 'sleeper'], {cwd: project, env: env()});
    await session.waitFor('sleeper is running', 60_000);
    await session.write(keys.ctrlC);
    expect(await session.exit).toBe(130);
    expect(session.text()).not.toMatch(/berth hit a bug|Unhandled/);
    const last = (await runs()).at(-1)!;
    expect(session.text()).toContain(`Cancelled: run ${last.id} is recorded as cancelled`);
    expect(last).toMatchObject({status: 'cancelled'});
    expect(await containersOfModule()).toEqual([]);
  }, 120_000);

  it('SIGTERM on the local orchestrator: the python process ends, the run is recorded cancelled, exit 143', async () => {
    const {child, seen, exited} = startRun(['--stack', 'here']);
    await waitFor(() => seen.stdout.includes('sleeper is running'), {
      timeoutMs: 60_000,
      message: 'the module to be running',
    });
    expect(localProcesses()).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited, seen.stderr).toBe(143);
    expect(seen.stderr).not.toMatch(/berth hit a bug|Unhandled/);
    expect((await runs()).at(-1)).toMatchObject({status: 'cancelled', exitCode: 143});
    expect(localProcesses()).toEqual([]);
  }, 120_000);
});
