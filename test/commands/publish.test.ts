// `berth publish`, `module list|describe`, `run` and `runs` end to end: the built CLI against a
// real Docker Engine and real registries, offline (dependencies from a wheel folder in the project).
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {
  cleanEnv,
  cliPath,
  nodeBinary,
  repoRoot,
  runBerth,
  tempDir,
  type RunResult,
} from '../support/cli.js';
import {
  baseImage,
  dockerClient,
  ensureBaseImage,
  registryDigest,
  registryTags,
  runContainer,
  startDocker,
  startRegistry,
  type Registry,
} from '../support/services.js';
import {waitFor} from '../support/wait.js';
import {writeWheel} from '../support/wheels.js';

const ENTRY = `import argparse

from berthdemo import VALUE


def data_processor(*args, **kwargs):
    return lambda function: function


def parameter(*args, **kwargs):
    return lambda function: function


@data_processor(name="Rotate demo", description="prints its parameters")
@parameter("angle", "float", False, 90, "degrees")
@parameter(name="label", type="str", required=False, defaultValue="x", description="a label")
def main(angle, label):
    print("angle=%s label=%s value=%s" % (angle, label, VALUE))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--angle", type=float, default=90.0)
    parser.add_argument("--label", default="x")
    arguments = parser.parse_args()
    main(arguments.angle, arguments.label)
`;

type ModuleJson = {
  name: string;
  version: number;
  status: string;
  visibility: string;
  image: string | null;
  digest: string | null;
  commit: string | null;
  parameters: Array<{name: string; type: string}>;
  error: string | null;
  logFile: string;
};

let host: string;
let registry: Registry;
let home: string;
let configDir: string;
const images: string[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host, ...extra};
}

function berth(
  args: string[],
  options: {env?: Record<string, string>; timeoutMs?: number; input?: string} = {},
): Promise<RunResult> {
  return runBerth(args, {
    cwd: home,
    env: env(options.env),
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.input ? {input: options.input} : {}),
  });
}

async function ok(
  args: string[],
  options: {env?: Record<string, string>; timeoutMs?: number; input?: string} = {},
): Promise<RunResult> {
  const result = await berth(args, options);
  if (result.code !== 0)
    throw new Error(
      `berth ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

/** A project whose only dependency is a wheel in its own `wheels/` folder. */
async function project(
  entry = ENTRY,
  requirements = '--no-index\n--find-links wheels\nberthdemo==1.0.0\n',
): Promise<string> {
  const dir = tempDir('berth-publish-');
  mkdirSync(path.join(dir, 'wheels'));
  await writeWheel(path.join(dir, 'wheels'), {name: 'berthdemo', version: '1.0.0'});
  writeFileSync(path.join(dir, 'requirements.txt'), requirements);
  writeFileSync(path.join(dir, 'rotate.py'), entry);
  return dir;
}

async function modules(name = 'rotate-demo'): Promise<ModuleJson[]> {
  return (await ok(['module', 'list', name, '--json'])).json<ModuleJson[]>();
}

function publish(
  dir: string,
  extra: string[] = [],
  options: {env?: Record<string, string>} = {},
): Promise<RunResult> {
  return berth(['publish', dir, '--base-image', baseImage, '--plain', ...extra], {
    timeoutMs: 240_000,
    ...options,
  });
}

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry();
  home = tempDir('berth-publish-home-');
  configDir = path.join(home, 'config');
  await ok(['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
  await ok([
    'component',
    'register',
    'container_registry',
    'local',
    '--flavor',
    'oci',
    '--option',
    `uri=${registry.address}/team`,
  ]);
  await ok(['component', 'register', 'orchestrator', 'containers', '--flavor', 'docker']);
  await ok([
    'stack',
    'register',
    'publishing',
    '-i',
    'engine',
    '-c',
    'local',
    '-o',
    'containers',
    '--set',
  ]);
});

afterAll(async () => {
  await registry?.stop();
  for (const image of images) {
    await dockerClient(host)
      .getImage(image)
      .remove({force: true})
      .catch(() => undefined);
  }
});

describe('berth publish', () => {
  let first: ModuleJson;
  let projectDir: string;

  test('--dry-run --json prints the contract shape and needs no Docker', async () => {
    const dir = await project();
    const result = await berth(['publish', dir, '--dry-run', '--json', '--base-image', baseImage], {
      env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'},
    });
    expect(result.code).toBe(0);
    const document = result.json<Record<string, unknown>>();
    expect(document).toMatchObject({
      name: 'Rotate demo',
      slug: 'rotate-demo',
      entryPoint: 'rotate.py',
    });
    expect(document.parameters).toEqual([
      {name: 'angle', type: 'float', required: false, defaultValue: 90, description: 'degrees'},
      {name: 'label', type: 'str', required: false, defaultValue: 'x', description: 'a label'},
    ]);
    expect(String(document.dockerfile)).toContain(`FROM ${baseImage}`);
    expect(await modules()).toEqual([]);
  });

  test('publishes a project with a local-wheel requirement: pushed, digest confirmed, listed with its schema, runnable without berth', async () => {
    projectDir = await project();
    const result = await publish(projectDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Step \d+\/\d+ RUN .*pip install/m);
    expect(result.stdout).toContain('==> pushing');
    expect(result.stdout).toMatch(/Published rotate-demo version 1/);

    const [listed] = await modules();
    first = listed!;
    expect(first).toMatchObject({
      name: 'rotate-demo',
      version: 1,
      status: 'published',
      visibility: 'private',
    });
    expect(first.parameters.map((p) => p.name)).toEqual(['angle', 'label']);
    expect(first.image).toMatch(
      new RegExp(`^${registry.address}/team/rotate-demo:1-[0-9a-f]{12}$`),
    );
    images.push(first.image!);
    const tag = first.image!.split(':').at(-1)!;
    expect(await registryTags(registry.address, 'team/rotate-demo')).toEqual([tag]);
    expect(first.digest).toBe(await registryDigest(registry.address, 'team/rotate-demo', tag));

    const run = await runContainer(host, first.image!, ['--angle', '45']);
    expect(run.stdout.trim()).toBe('angle=45.0 label=x value=42');
    const labels = (await dockerClient(host).getImage(first.image!).inspect()).Config.Labels ?? {};
    expect(JSON.parse(labels['dev.berth.schema'] ?? '{}')).toMatchObject({slug: 'rotate-demo'});

    const log = readFileSync(first.logFile, 'utf8');
    // Logs live in berth's state directory (here inside BERTH_CONFIG_DIR), never in the project.
    expect(first.logFile).toBe(path.join(configDir, 'state', 'logs', 'publish-rotate-demo-1.log'));
    expect(log).toMatch(/Step \d+\/\d+ : RUN .*pip install/);
    // The image the engine wrote, then the name it is pushed under (VERSION-IMAGEID12).
    const imageId = first.image!.split(':').at(-1)!.split('-')[1]!;
    expect(log).toMatch(new RegExp(`writing image sha256:${imageId}`));
    expect(log).toContain(`Pushing ${first.image}`);
    expect(log).toContain('==> published');

    const described = (await ok(['module', 'describe', 'rotate-demo', '--json'])).json<
      Record<string, unknown>
    >();
    expect(described).toMatchObject({
      name: 'rotate-demo',
      version: 1,
      digest: first.digest,
      logFile: first.logFile,
    });
    expect((described.labels as Record<string, string>)['dev.berth.entry-point']).toBe('rotate.py');
  });

  test('a changed entry point shows the version as outdated; a republish caches the dependency layer', async () => {
    writeFileSync(path.join(projectDir, 'rotate.py'), ENTRY.replace('angle=%s', 'ANGLE=%s'));
    expect((await modules())[0]).toMatchObject({version: 1, status: 'outdated'});
    const result = await publish(projectDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Step (\d+)\/\d+ RUN .*pip install[^\n]*\nStep \1\/\d+ CACHED/m);
    const listed = await modules();
    expect(listed.map((m) => [m.version, m.status])).toEqual([
      [1, 'outdated'],
      [2, 'published'],
    ]);
    images.push(listed[1]!.image!);
    const run = await runContainer(host, listed[1]!.image!, []);
    expect(run.stdout.trim()).toBe('ANGLE=90.0 label=x value=42');
  });

  test('a bad annotation fails before anything is built or recorded, with file:line:column', async () => {
    const dir = path.join(repoRoot, 'test/fixtures/projects/broken-annotations');
    const result = await publish(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/augment\.py:\d+:\d+/);
    expect(result.stdout).not.toContain('==> building');
    expect(
      (await ok(['module', 'list', '--json'])).json<ModuleJson[]>().map((m) => m.name),
    ).toEqual(['rotate-demo', 'rotate-demo']);
  });

  test('a broken requirements.txt fails before the build, naming the line', async () => {
    const dir = await project(ENTRY, '--no-index\n--find-links wheels\nberthdemo=== =1.0\n');
    const result = await publish(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/requirements\.txt.*3|line 3/);
    expect(result.stdout).not.toContain('==> building');
    expect((await modules()).length).toBe(2);
  });

  test('a failing RUN records failed with the engine error in the log; the previous version stays published', async () => {
    const dir = await project(
      ENTRY,
      '--no-index\n--find-links wheels\nberthdemo==1.0.0\nnotthere==2.0\n',
    );
    const result = await publish(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Publishing rotate-demo version 3 failed: Step \d+\/\d+ RUN .*pip install.* failed: .*exit code: 1/,
    );
    expect(result.stderr).toContain('publish-rotate-demo-3.log');
    const listed = await modules();
    expect(listed.map((m) => [m.version, m.status])).toEqual([
      [1, 'outdated'],
      [2, 'published'],
      [3, 'failed'],
    ]);
    const log = readFileSync(listed[2]!.logFile, 'utf8');
    expect(log).toMatch(/No matching distribution found for notthere==2.0/);
    expect(log).toMatch(/ERROR \(step \d+\): .*exit code: 1/);
  });

  test('an unreachable engine, a registry that is down, a base image that is nowhere: clear messages, no version taken', async () => {
    const before = await modules();
    const noEngine = await publish(projectDir, [], {
      env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'},
    });
    expect(noEngine.code).toBe(1);
    expect(noEngine.stderr).toContain(
      "Can't reach the Docker engine at unix:///nonexistent/docker.sock. Start it, or set DOCKER_HOST.",
    );
    expect(noEngine.stderr).toContain('Nothing was built and no version was recorded.');
    expect(noEngine.stdout).not.toContain('==> building');

    const other = await startRegistry();
    await ok([
      'component',
      'register',
      'container_registry',
      'flaky',
      '--flavor',
      'oci',
      '--option',
      `uri=${other.address}`,
    ]);
    await ok(['stack', 'register', 'flaky', '-i', 'engine', '-c', 'flaky', '-o', 'containers']);
    await other.stop();
    await ok(['stack', 'set', 'flaky']);
    const down = await publish(projectDir);
    await ok(['stack', 'set', 'publishing']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`Can't reach the registry ${other.address}: connection refused`);

    const missingBase = await berth(
      ['publish', projectDir, '--base-image', 'berth-test/nowhere:0', '--plain'],
      {timeoutMs: 240_000},
    );
    expect(missingBase.code).toBe(1);
    expect(missingBase.stderr).toContain(
      'The base image berth-test/nowhere:0 is not on the engine',
    );
    // The hint, through the preflight's wrapping, still names the flag on the CLI.
    expect(missingBase.stderr).toMatch(/[Ss]et --base-image to /);

    // Three failed preflights took no number: the next build is the next version.
    expect(await modules()).toEqual(before);
    const run = await berth(['run', 'rotate-demo', '--param', 'angle=1']);
    expect(run.code).toBe(0);
  });

  test('SIGINT during a build that would never end cancels it: exit 130, recorded cancelled', async () => {
    // pip asks this server for the package; it accepts and never answers, so the RUN step hangs.
    const sockets: Array<import('node:net').Socket> = [];
    const server: Server = createServer(() => undefined);
    server.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const dir = await project(ENTRY.replace('prints', `hangs ${Date.now()}`), 'berthdemo==1.0.0\n');
    const child = spawn(
      nodeBinary,
      [
        cliPath,
        'publish',
        dir,
        '--base-image',
        baseImage,
        '--plain',
        '--pip-no-index',
        '--pip-find-links',
        `http://127.0.0.1:${port}/`,
      ],
      {cwd: home, env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe']},
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    try {
      await waitFor(() => sockets.length > 0, {
        timeoutMs: 120_000,
        message: `pip to reach the find-links server\n${stdout}\n${stderr}`,
      });
      // pip waits on a server that never answers: only the cancel can end the command.
      child.kill('SIGINT');
      const code = await exited;
      expect(code, `${stdout}\n${stderr}`).toBe(130);
      expect(stdout).toContain('==> cancelled');
      const listed = await modules();
      expect(listed.at(-1)).toMatchObject({status: 'cancelled'});
      expect(listed[1]).toMatchObject({version: 2, status: 'published'});
    } finally {
      child.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test('checks that fail after the engine was asked for the build call it off: nothing built or recorded, and the fixed project publishes at once', async () => {
    const entry = ENTRY.replace('Rotate demo', 'Called off demo');
    const dir = await project(entry, '--no-index\n--find-links wheels\nberthdemo=== =1.0\n');
    const failed = await publish(dir);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/requirements\.txt.*3|line 3/);
    expect(failed.stdout).not.toContain('==> building');
    const labelled = {filters: {label: ['dev.berth.slug=called-off-demo']}};
    expect(await dockerClient(host).listImages({all: true, ...labelled})).toEqual([]);
    expect(await modules('called-off-demo')).toEqual([]);

    // The engine's copy of the project is not held by the build called off.
    writeFileSync(
      path.join(dir, 'requirements.txt'),
      '--no-index\n--find-links wheels\nberthdemo==1.0.0\n',
    );
    const fixed = await publish(dir);
    expect(fixed.code, fixed.stderr).toBe(0);
    const [published] = await modules('called-off-demo');
    expect(published).toMatchObject({version: 1, status: 'published'});
    images.push(published!.image!);
    expect(await dockerClient(host).listImages({all: true, ...labelled})).toHaveLength(1);
  });
});

describe('berth run', () => {
  test('runs the latest published module with typed parameters and records the run', async () => {
    const result = await ok([
      'run',
      'rotate-demo',
      '--param',
      'angle=45',
      '--param',
      'label=hello',
    ]);
    expect(result.stdout.trim()).toBe('ANGLE=45.0 label=hello value=42');
    const older = await ok(['run', 'rotate-demo@1', '--param', 'angle=3']);
    expect(older.stdout.trim()).toBe('angle=3.0 label=x value=42');
    const runs = (await ok(['runs', 'list', '--json'])).json<Array<Record<string, unknown>>>();
    const last = runs.at(-1)!;
    expect(last).toMatchObject({
      module: 'rotate-demo',
      version: 1,
      status: 'succeeded',
      codeReference: null,
    });
    expect(Object.keys(last)).toEqual(
      expect.arrayContaining([
        'id',
        'module',
        'version',
        'status',
        'startedAt',
        'finishedAt',
        'codeReference',
      ]),
    );
    const described = (await ok(['runs', 'describe', String(last.id), '--json'])).json<
      Record<string, unknown>
    >();
    expect(described).toMatchObject({parameters: {angle: 3}, exitCode: 0});
  });

  test('parameters are checked against the schema (exit 2) and nothing is recorded', async () => {
    const before = (await ok(['runs', 'list', '--json'])).json<unknown[]>().length;
    const wrongType = await berth(['run', 'rotate-demo', '--param', 'angle=steep']);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('Parameter "angle" takes a number, not "steep"');
    const unknown = await berth(['run', 'rotate-demo', '--param', 'speed=3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('The module has no parameter "speed"');
    const failedVersion = await berth(['run', 'rotate-demo@3']);
    expect(failedVersion.code).toBe(1);
    expect(failedVersion.stderr).toContain('is failed, not published');
    expect((await ok(['runs', 'list', '--json'])).json<unknown[]>().length).toBe(before);
  });
});

test('the log directory holds one file per publish attempt', () => {
  expect(existsSync(path.join(configDir, 'state', 'logs', 'publish-rotate-demo-1.log'))).toBe(true);
  expect(existsSync(path.join(configDir, 'state', 'logs', 'publish-rotate-demo-3.log'))).toBe(true);
});
