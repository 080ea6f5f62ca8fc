// `publish --full` of a git checkout holding a git-ignored `.env`, other ignored files and
// secret-looking files: a real build on the real engine, then the image's files listed from a
// container. None of them may be in the image, its history or `docker inspect`; `--include`
// is the one way to send such a file.
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {cleanEnv, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {publishStackCommands} from '../support/publish-stack.js';
import {
  baseImage,
  dockerClient,
  ensureBaseImage,
  startDocker,
  startRegistry,
  type Registry,
} from '../support/services.js';

const SECRET = 'sk-live-berth-full-image-test-0451';
const ENTRY = `def data_processor(*args, **kwargs):
    return lambda function: function


@data_processor(name="Secrets demo", description="prints hello")
def main():
    print("hello")


if __name__ == "__main__":
    main()
`;

let host: string;
let registry: Registry;
let configDir: string;
const images: string[] = [];

function berth(args: string[], cwd: string): Promise<RunResult> {
  return runBerth(args, {
    cwd,
    env: {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host},
    timeoutMs: 240_000,
  });
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {cwd, env: cleanEnv(), stdio: 'ignore'});
}

/** Every path under /berth/module in `image`, from a container (`find`). */
async function imageFiles(image: string): Promise<string[]> {
  const docker = dockerClient(host);
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['find', '/berth/module', '-mindepth', '1'],
    HostConfig: {NetworkMode: 'none'},
  });
  try {
    await container.start();
    await container.wait();
    const logs = await container.logs({stdout: true, stderr: false, follow: false});
    const text: string[] = [];
    // Non-TTY logs carry an 8-byte frame header per chunk.
    for (let at = 0; at + 8 <= logs.length; ) {
      const size = logs.readUInt32BE(at + 4);
      text.push(logs.subarray(at + 8, at + 8 + size).toString());
      at += 8 + size;
    }
    return text
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace('/berth/module/', ''))
      .sort();
  } finally {
    await container.remove({force: true});
  }
}

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry();
  configDir = path.join(tempDir('berth-full-secrets-'), 'config');
  for (const command of publishStackCommands(`${registry.address}/team`)) {
    const result = await berth(command, tempDir());
    expect(result.code, result.stderr).toBe(0);
  }
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  for (const image of images) {
    await dockerClient(host)
      .getImage(image)
      .remove({force: true})
      .catch(() => undefined);
  }
});

test('a --full image holds neither the git-ignored .env nor secret-looking files; --include sends one', async () => {
  // The module is a subdirectory of the checkout: the root's .gitignore ignores .env, the
  // module's own ignores local/.
  const work = tempDir('berth-full-secrets-work-');
  const project = path.join(work, 'demo');
  mkdirSync(path.join(project, 'local'), {recursive: true});
  writeFileSync(path.join(work, '.gitignore'), '.env\n');
  writeFileSync(path.join(project, '.gitignore'), 'local/\n');
  writeFileSync(path.join(project, 'demo.py'), ENTRY);
  writeFileSync(path.join(project, '.env'), `OPENAI_API_KEY=${SECRET}\n`);
  writeFileSync(path.join(project, 'local/settings.yaml'), `token: ${SECRET}\n`);
  writeFileSync(path.join(project, 'kaggle.json'), `{"key": "${SECRET}"}\n`);
  writeFileSync(path.join(project, 'notes.txt'), 'committed\n');
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '--all');
  git(work, 'commit', '-qm', 'first');

  const result = await berth(
    ['publish', '.', '--full', '--base-image', baseImage, '--plain', '--json'],
    project,
  );
  expect(result.code, result.stderr).toBe(0);
  const record = result.json<{image: string}>();
  images.push(record.image);

  expect(await imageFiles(record.image)).toEqual(['.gitignore', 'demo.py', 'notes.txt']);
  const inspected = JSON.stringify(await dockerClient(host).getImage(record.image).inspect());
  const history = JSON.stringify(await dockerClient(host).getImage(record.image).history());
  expect(inspected).not.toContain(SECRET);
  expect(history).not.toContain(SECRET);
  expect(result.stdout + result.stderr).not.toContain(SECRET);

  // --include is the explicit way to send one of them.
  const included = await berth(
    [
      'publish',
      '.',
      '--full',
      '--include',
      'kaggle.json',
      '--base-image',
      baseImage,
      '--plain',
      '--json',
    ],
    project,
  );
  expect(included.code, included.stderr).toBe(0);
  const second = included.json<{image: string}>();
  images.push(second.image);
  expect(await imageFiles(second.image)).toEqual([
    '.gitignore',
    'demo.py',
    'kaggle.json',
    'notes.txt',
  ]);
}, 600_000);
