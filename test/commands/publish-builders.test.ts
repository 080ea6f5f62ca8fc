// Which builder `berth publish` uses, on an engine of this test's own whose operator turned
// BuildKit off (`"features": {"buildkit": false}`, so `/_ping` says `Builder-Version: 1`): the
// classic builder, said once, and a Dockerfile it understands. On the same engine, with
// DOCKER_BUILDKIT=1, BuildKit runs and a step printing 5 MiB arrives whole in the saved log (the
// engine runs with BuildKit's per-step log limits raised, see test/support/services/docker.ts),
// also when printed at once, which stalls the BuildKit of Docker Engine 20.10 (berth then builds
// again with the classic builder).
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {runBerth, tempDir, type RunResult} from '../support/cli.js';
import {
  baseImage,
  buildImage,
  dockerClient,
  engineWithoutSessions,
  ensureBaseImage,
  runContainer,
  startPrivateDocker,
  startRegistry,
  type PrivateDocker,
  type Registry,
} from '../support/services.js';
import {publishStackCommands} from '../support/publish-stack.js';
import {writeWheel} from '../support/wheels.js';

const ENTRY = (marker: string) => `from berthdemo import VALUE


def data_processor(*args, **kwargs):
    return lambda function: function


def parameter(*args, **kwargs):
    return lambda function: function


@data_processor(name="Builders demo", description="prints")
@parameter("angle", "float", False, 90)
def main(angle):
    print("${marker}", angle, VALUE)

if __name__ == "__main__":
    main(90)
`;

let engine: PrivateDocker;
let registry: Registry;
let configDir: string;

function berth(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runBerth(args, {
    cwd: configDir,
    env: {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: engine.host, ...env},
    timeoutMs: 180_000,
  });
}

async function ok(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const result = await berth(args, env);
  if (result.code !== 0)
    throw new Error(
      `berth ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

async function project(marker: string, requirementsHead = ''): Promise<string> {
  const dir = tempDir('berth-builders-');
  mkdirSync(path.join(dir, 'wheels'));
  await writeWheel(path.join(dir, 'wheels'), {name: 'berthdemo', version: '1.0.0'});
  writeFileSync(
    path.join(dir, 'requirements.txt'),
    `${requirementsHead}--no-index\n--find-links wheels\nberthdemo==1.0.0\n`,
  );
  writeFileSync(path.join(dir, 'job.py'), ENTRY(marker));
  return dir;
}

beforeAll(async () => {
  engine = await startPrivateDocker({daemonConfig: {features: {buildkit: false}}});
  await ensureBaseImage(engine.host);
  registry = await startRegistry();
  configDir = tempDir('berth-builders-config-');
  for (const args of publishStackCommands(registry.address)) await ok(args);
});

afterAll(async () => {
  await registry?.stop();
  await engine?.stop();
});

const note =
  'has BuildKit turned off ("features": {"buildkit": false}): building with the classic builder';

describe('an engine with BuildKit turned off', () => {
  test('publishes with the classic builder, says why once, and caches the pip step', async () => {
    const dir = await project('classic one');
    const first = await ok(['publish', dir, '--base-image', baseImage, '--plain']);
    expect(first.stdout.split(note)).toHaveLength(2);
    const run = first.stdout.match(/^Step (\d+)\/\d+ RUN (.*)$/m)!;
    // No cache mount (the classic builder would refuse the flag), and no cache in a layer.
    expect(run[2]).toContain('pip install --no-cache-dir');
    expect(first.stdout).not.toContain('--mount');
    expect(first.stdout).toContain('Successfully installed berthdemo-1.0.0');

    const image = first.stdout.match(/^ {2}image +(\S+)$/m)![1]!;
    const started = await runContainer(engine.host, image, ['--angle', '3']);
    expect(started.stdout.trim()).toBe('classic one 90 42');
    const labels = (await dockerClient(engine.host).getImage(image).inspect()).Config.Labels ?? {};
    expect(JSON.parse(labels['dev.berth.schema'] ?? '{}')).toMatchObject({slug: 'builders-demo'});

    writeFileSync(path.join(dir, 'job.py'), ENTRY('classic two'));
    const second = await ok(['publish', dir, '--base-image', baseImage, '--plain']);
    expect(second.stdout).toMatch(new RegExp(`^Step ${run[1]}/\\d+ CACHED$`, 'm'));
    expect(second.stdout.split(note)).toHaveLength(2);
  }, 240_000);
});

describe('BuildKit asked for with DOCKER_BUILDKIT=1', () => {
  /**
   * A base image whose Python prints 51,000 numbered lines (5.1 MiB) once when it starts, so the
   * pip step of the generated Dockerfile is that loud: in 64 KiB writes a few milliseconds
   * apart, or all at once.
   */
  async function loudImage(tag: string, paced: boolean): Promise<string> {
    await buildImage(
      engine.host,
      {
        Dockerfile: `FROM ${baseImage}\nCOPY sitecustomize.py /berth-loud/sitecustomize.py\nENV PYTHONPATH=/berth-loud\n`,
        'sitecustomize.py': [
          'import os, sys, time',
          'if not os.environ.get("BERTH_LOUD_DONE"):',
          '    os.environ["BERTH_LOUD_DONE"] = "1"',
          '    data = "".join("loud %07d %s\\n" % (i, "x" * 92) for i in range(51000)).encode()',
          `    size = ${paced ? 65536 : 'len(data)'}`,
          '    for start in range(0, len(data), size):',
          '        view = memoryview(data)[start:start + size]',
          '        while view:',
          '            view = view[os.write(sys.stdout.fileno(), view):]',
          `        time.sleep(${paced ? 0.05 : 0})`,
          '',
        ].join('\n'),
      },
      tag,
    );
    return tag;
  }

  /** The step's 51,000 lines, each once and in order, among the log's lines from `from` on. */
  function expectWholeOutput(log: string, from = 0): void {
    const lines = log
      .slice(from)
      .split('\n')
      .filter((line) => line.startsWith('loud '));
    expect(lines).toHaveLength(51000);
    const expected = `loud %07d ${'x'.repeat(92)}`;
    lines.forEach((line, i) => {
      if (line !== expected.replace('%07d', String(i).padStart(7, '0')))
        throw new Error(`line ${i} of the step's output is ${JSON.stringify(line)}`);
    });
  }

  const stalled = 'stopped sending BuildKit progress';

  test('a step printing 5 MiB arrives whole in the saved log', async () => {
    const loud = await loudImage('berth-test/loud-python:paced', true);
    const dir = await project('loud', `# ${Date.now()}\n`);
    const published = await ok(['publish', dir, '--base-image', loud, '--plain', '--json'], {
      DOCKER_BUILDKIT: '1',
    });
    const {logFile} = published.json<{logFile: string}>();
    expect(published.stderr).not.toContain(note);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/^Step \d+\/\d+ : RUN --mount=type=cache/m);
    expect(log).not.toContain('output clipped');
    expect(log).not.toContain(stalled);
    expectWholeOutput(log);
  }, 240_000);

  test('5 MiB printed at once: whole in the saved log, by the classic builder where BuildKit stalls', async () => {
    // Docker Engine 20.10's BuildKit sends only empty progress messages, forever, once a step
    // prints over 1 MiB between two of its progress reads. berth notices, closes the request and
    // builds again with the classic builder; an engine without that bug builds once.
    const loud = await loudImage('berth-test/loud-python:burst', false);
    const dir = await project('burst', `# ${Date.now()}\n`);
    const published = await ok(['publish', dir, '--base-image', loud, '--plain', '--json'], {
      DOCKER_BUILDKIT: '1',
    });
    const log = readFileSync(published.json<{logFile: string}>().logFile, 'utf8');
    expect(log).not.toContain('output clipped');
    const restart = log.indexOf(stalled);
    if (restart < 0) {
      expect(log).toMatch(/^Step \d+\/\d+ : RUN --mount=type=cache/m);
      expectWholeOutput(log);
      return;
    }
    expect(log.split(stalled)).toHaveLength(2);
    expect(log).toContain('Building again with the classic builder for the whole log');
    const second = log.slice(restart);
    expect(second).toMatch(/^Step \d+\/\d+ : RUN .*pip install --no-cache-dir/m);
    expectWholeOutput(second);
  }, 300_000);
});

describe('an engine that opens no BuildKit session (an older engine, or a proxy without upgrades)', () => {
  test('BuildKit gets the context as a tar, said once, and the image runs the code', async () => {
    const proxy = await engineWithoutSessions(engine.host);
    try {
      const dir = await project('tar upload', `# ${Date.now()}\n`);
      const published = await ok(['publish', dir, '--base-image', baseImage, '--plain'], {
        DOCKER_BUILDKIT: '1',
        DOCKER_HOST: proxy.host,
      });
      const said =
        'could not read the build context through a BuildKit session (the engine opened no session: page not found): sending it as a tar.';
      expect(published.stdout.split(said)).toHaveLength(2);
      expect(published.stdout).not.toContain(note);
      expect(published.stdout).toMatch(/^Step \d+\/\d+ RUN --mount=type=cache/m);
      const image = published.stdout.match(/^ {2}image +(\S+)$/m)![1]!;
      const started = await runContainer(engine.host, image, ['--angle', '3']);
      expect(started.stdout.trim()).toBe('tar upload 90 42');
    } finally {
      await proxy.close();
    }
  }, 240_000);
});
