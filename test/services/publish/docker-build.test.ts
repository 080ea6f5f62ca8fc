// The generated Dockerfile and build context, built and run by a real Docker Engine (offline:
// the dependencies come from a wheel folder in the project).
import {mkdirSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {pack as tarPack} from 'tar-stream';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createDockerClient} from '../../../source/clients/docker.js';
import type {StepRecord} from '../../../source/models/module-version.js';
import {BuildEventParser} from '../../../source/services/publish/build-events.js';
import {
  buildContextOf,
  prepareProject,
  type PreparedProject,
} from '../../../source/services/publish/project.js';
import {tempDir} from '../../support/cli.js';
import {
  baseImage,
  dockerClient,
  ensureBaseImage,
  runContainer,
  startDocker,
} from '../../support/services.js';
import {writeWheel} from '../../support/wheels.js';

const ENTRY = `import argparse

from berthdemo import VALUE


def data_processor(*args, **kwargs):
    return lambda function: function


def parameter(*args, **kwargs):
    return lambda function: function


@data_processor(name="Rotate demo", description="prints its parameters")
@parameter("angle", "float", False, 90)
def main(angle):
    print("angle=%s value=%s" % (angle, VALUE))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--angle", type=float, default=90.0)
    main(parser.parse_args().angle)
`;

async function project(): Promise<string> {
  const dir = tempDir('berth-build-');
  mkdirSync(path.join(dir, 'wheels'));
  await writeWheel(path.join(dir, 'wheels'), {name: 'berthdemo', version: '1.0.0'});
  writeFileSync(
    path.join(dir, 'requirements.txt'),
    '--no-index\n--find-links wheels\nberthdemo==1.0.0\n',
  );
  writeFileSync(path.join(dir, 'rotate.py'), ENTRY);
  return dir;
}

/** Builds as `berth publish` does (BuildKit, the context through a session); returns the steps it saw. */
async function build(prepared: PreparedProject, tag: string): Promise<StepRecord[]> {
  const parser = new BuildEventParser(() => {});
  await createDockerClient(host).build(buildContextOf(prepared), {
    tag,
    builder: 'buildkit',
    onEvent: (event) => parser.push(event),
  });
  parser.finish();
  return parser.steps;
}

let host: string;
const servers: Server[] = [];
const tags: string[] = [];

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  // The engine is shared and long-lived: leave no images behind (cached layers stay useful).
  for (const tag of tags)
    await dockerClient(host)
      .getImage(tag)
      .remove({force: true})
      .catch(() => undefined);
});

describe('generated Dockerfile on a real engine', () => {
  test('full image: builds offline, runs with --name value flags, and a code change reuses the pip layer', async () => {
    const dir = await project();
    const options = {berthVersion: '0.1.0', baseImage, commit: 'c'.repeat(40)};
    const tag = `berth-test/publish-full:${Date.now()}`;
    tags.push(tag, `${tag}-2`);
    await build(await prepareProject(dir, options), tag);

    const run = await runContainer(host, tag, ['--angle', '45']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('angle=45.0 value=42');
    const labels = (await dockerClient(host).getImage(tag).inspect()).Config.Labels ?? {};
    expect(JSON.parse(labels['dev.berth.schema'] ?? '{}')).toMatchObject({
      name: 'Rotate demo',
      slug: 'rotate-demo',
    });
    expect(labels['dev.berth.commit']).toBe('c'.repeat(40));

    // Unique per run, so an earlier run's cache cannot hold this code layer.
    writeFileSync(
      path.join(dir, 'rotate.py'),
      `${ENTRY.replace('angle=%s', 'ANGLE=%s')}# ${tag}\n`,
    );
    const steps = await build(await prepareProject(dir, options), `${tag}-2`);
    const pipStep = steps.find(
      (s) => s.instruction.startsWith('RUN ') && s.instruction.includes('pip install'),
    );
    const codeStep = steps.find((s) => s.instruction === 'COPY [code/,./]');
    expect(pipStep?.cached).toBe(true);
    expect(codeStep?.cached).toBe(false);
    expect(steps.at(-1)).toBe(codeStep);
    const second = await runContainer(host, `${tag}-2`, []);
    expect(second.stdout.trim()).toBe('ANGLE=90.0 value=42');
  });

  test('dependencies-only image: no code inside; the bootstrap downloads it at start and runs it', async () => {
    const dir = await project();
    const prepared = await prepareProject(dir, {
      berthVersion: '0.1.0',
      baseImage,
      mode: 'dependencies-only',
    });
    const tag = `berth-test/publish-deps:${prepared.dependencyChecksum}`;
    tags.push(tag);
    await build(prepared, tag);

    const pack = tarPack();
    pack.entry(
      {name: 'repo-abc123/ml/rotate.py'},
      ENTRY.replace('angle=%s', 'downloaded angle=%s'),
    );
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    const archive = gzipSync(Buffer.concat(chunks));
    let authorization: string | undefined;
    const server = createServer((request, response) => {
      authorization = request.headers.authorization;
      response.writeHead(200, {'Content-Type': 'application/gzip'});
      response.end(archive);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address() as AddressInfo;

    // As `berth run` does it: the token on the container's stdin, never in its environment.
    const run = {stdout: '', stderr: ''};
    const {exitCode} = await createDockerClient(host).runContainer({
      image: tag,
      args: ['--angle', '7'],
      networkMode: 'host',
      env: [
        `BERTH_CODE_ARCHIVE_URL=http://127.0.0.1:${port}/repos/o/r/tarball/abc123`,
        'BERTH_CODE_SUBDIRECTORY=ml',
        'BERTH_ENTRY_POINT=rotate.py',
        'BERTH_CODE_TOKEN_STDIN=1',
      ],
      stdin: 'ghp_test_token\n',
      onStdout: (chunk) => (run.stdout += chunk.toString()),
      onStderr: (chunk) => (run.stderr += chunk.toString()),
    });
    expect(exitCode, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('downloaded angle=7.0 value=42');
    expect(run.stderr).not.toContain('ghp_test_token');
    expect(authorization).toBe('Bearer ghp_test_token');
  });
});
