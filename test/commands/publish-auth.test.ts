// Publishing to a registry behind htpasswd basic auth, with the password in the OS keychain; and
// the password never leaks: not in the config dir, the publish log, the image, or any output.
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {runBerth, tempDir, type RunResult} from '../support/cli.js';
import {
  baseImage,
  dockerClient,
  ensureBaseImage,
  registryDigest,
  startDocker,
  startKeychain,
  startRegistry,
  type Keychain,
  type Registry,
} from '../support/services.js';
import {writeWheel} from '../support/wheels.js';

const user = 'publisher';
const password = `pw-${Math.random().toString(36).slice(2)}-secret`;

let host: string;
let registry: Registry;
let keychain: Keychain;
let home: string;
let configDir: string;
const outputs: string[] = [];
let image: string | undefined;

async function berth(
  args: string[],
  options: {input?: string; timeoutMs?: number} = {},
): Promise<RunResult> {
  const result = await runBerth(args, {
    cwd: home,
    env: {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host, ...keychain.env},
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.input ? {input: options.input} : {}),
  });
  outputs.push(result.stdout, result.stderr);
  return result;
}

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry({htpasswd: {user, password}});
  keychain = await startKeychain();
  home = tempDir('berth-publish-auth-');
  configDir = path.join(home, 'config');
});

afterAll(async () => {
  await registry?.stop();
  await keychain?.stop();
  if (image)
    await dockerClient(host)
      .getImage(image)
      .remove({force: true})
      .catch(() => undefined);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

test('publishes to an htpasswd registry with keychain credentials; the password appears nowhere', async () => {
  const add = await berth(
    [
      'token',
      'add',
      'registry',
      '--name',
      'team-registry',
      '--api-url',
      registry.address,
      '--username',
      user,
      '--stdin',
    ],
    {input: password},
  );
  expect(add.code, add.stderr).toBe(0);
  for (const args of [
    ['component', 'register', 'image_builder', 'engine', '--flavor', 'docker'],
    [
      'component',
      'register',
      'container_registry',
      'private',
      '--flavor',
      'oci',
      '--option',
      `uri=${registry.address}`,
      '--option',
      'credentials=team-registry',
    ],
    ['stack', 'register', 'secure', '-i', 'engine', '-c', 'private', '--set'],
  ]) {
    const result = await berth(args);
    expect(result.code, result.stderr).toBe(0);
  }
  const dir = tempDir('berth-publish-auth-project-');
  mkdirSync(path.join(dir, 'wheels'));
  await writeWheel(path.join(dir, 'wheels'), {name: 'berthdemo', version: '1.0.0'});
  writeFileSync(
    path.join(dir, 'requirements.txt'),
    '--no-index\n--find-links wheels\nberthdemo==1.0.0\n',
  );
  writeFileSync(
    path.join(dir, 'job.py'),
    '@data_processor(name="Secure job", description="d")\n@parameter("n", "int", False, 1)\ndef main(n):\n    print(n)\n\nif __name__ == "__main__":\n    main(1)\n',
  );

  const published = await berth(['publish', dir, '--base-image', baseImage, '--plain'], {
    timeoutMs: 240_000,
  });
  expect(published.code, published.stderr).toBe(0);
  const [listed] = (await berth(['module', 'list', '--json'])).json<
    Array<{image: string; digest: string; status: string}>
  >();
  expect(listed).toMatchObject({status: 'published'});
  image = listed!.image;
  const tag = image.split(':').at(-1)!;
  expect(await registryDigest(registry.address, 'secure-job', tag, {user, password})).toBe(
    listed!.digest,
  );

  const inspect = JSON.stringify(await dockerClient(host).getImage(image).inspect());
  const history = JSON.stringify(await dockerClient(host).getImage(image).history());
  expect(inspect).not.toContain(password);
  expect(history).not.toContain(password);
  const files = filesUnder(configDir);
  expect(files.some((file) => file.endsWith('publish-secure-job-1.log'))).toBe(true);
  for (const file of files) {
    if (statSync(file).size > 50_000_000) continue;
    expect(readFileSync(file).includes(password), file).toBe(false);
  }
  for (const text of outputs) expect(text).not.toContain(password);
});
