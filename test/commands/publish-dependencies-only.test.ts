// Dependencies-only publishing end to end: a project in a git checkout whose commit is pushed to
// a registered (private) GitHub repository — served by the forge server from a real bare repo —
// publishes an image without its code, tagged by the dependency checksum; a code-only commit
// reuses it without a build (also for a colleague with another config dir); `berth run` has the
// container download the code at the recorded commit with the token on stdin, never in
// `docker inspect`. Real engine, real registry, real keychain.
import {execFileSync} from 'node:child_process';
import {appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cleanEnv, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {startForgeServer, type ForgeServer} from '../support/forge-server.js';
import {
  baseImage,
  dockerClient,
  ensureBaseImage,
  registryDigest,
  registryTags,
  startDocker,
  startKeychain,
  startRegistry,
  type Keychain,
  type Registry,
} from '../support/services.js';
import {spawnBerth} from '../support/pty.js';
import {filesContaining, processArgumentsContaining} from '../support/token-leaks.js';
import {writeWheel} from '../support/wheels.js';

const TOKEN = 'ghp_depsOnlyPublishTest000000000000abcd';
const GITLAB_TOKEN = 'glpat-depsOnlyPublishTest00gl01';
const SUBDIRECTORY = 'ml/rotate';

/** Prints the code's own marker; with `--label http://...` it waits for that URL (the test's hold). */
function entry(marker: string): string {
  return `import argparse
import sys
import urllib.request

from berthdemo import VALUE

MARKER = "${marker}"


def data_processor(*args, **kwargs):
    return lambda function: function


def parameter(*args, **kwargs):
    return lambda function: function


@data_processor(name="Rotate demo", description="prints its parameters")
@parameter("angle", "float", False, 90, "degrees")
@parameter(name="label", type="str", required=False, defaultValue="x", description="a label")
def main(angle, label):
    if label.startswith("http://"):
        urllib.request.urlopen(label, timeout=60).read()
        label = "held"
    print("angle=%s label=%s value=%s code=%s stdin=%r" % (angle, label, VALUE, MARKER, sys.stdin.read()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--angle", type=float, default=90.0)
    parser.add_argument("--label", default="x")
    arguments = parser.parse_args()
    main(arguments.angle, arguments.label)
`;
}

type ModuleJson = {
  name: string;
  version: number;
  status: string;
  image: string | null;
  digest: string | null;
  commit: string | null;
  mode: string;
  reused: boolean;
};

type PublishJson = ModuleJson & {
  codeReference: {
    repositoryId: string;
    commit: string;
    subdirectory: string;
    snapshot?: string | null;
  } | null;
  dependencyChecksum: string | null;
};

let host: string;
let registry: Registry;
let forge: ForgeServer;
let keychain: Keychain;
let home: string;
let work: string;
let projectDir: string;
let bare: string;
const configDirs: string[] = [];
const outputs: string[] = [];
const inspected: string[] = [];

function git(...args: string[]): string {
  return execFileSync('git', args, {cwd: work, env: cleanEnv(), encoding: 'utf8'}).trim();
}

async function berth(
  configDir: string,
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

async function ok(
  configDir: string,
  args: string[],
  options: {input?: string; timeoutMs?: number} = {},
) {
  const result = await berth(configDir, args, options);
  if (result.code !== 0)
    throw new Error(
      `berth ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

/** A berth user: config dir, the repository token in the keychain, the repository, a stack. */
async function newUser(name: string): Promise<string> {
  const configDir = path.join(home, name);
  configDirs.push(configDir);
  await ok(
    configDir,
    ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--name', `gh-${name}`, '--stdin'],
    {
      input: `${TOKEN}\n`,
    },
  );
  await ok(configDir, [
    'repo',
    'register',
    'rotate',
    '--type',
    'github',
    '--owner',
    'acme',
    '--repository',
    'rotate',
    '--host',
    'github.com',
    '--api-url',
    forge.githubApiUrl,
    '--token',
    `gh-${name}`,
  ]);
  await ok(configDir, ['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
  await ok(configDir, [
    'component',
    'register',
    'container_registry',
    'team',
    '--flavor',
    'oci',
    '--option',
    `uri=${registry.address}/team`,
  ]);
  await ok(configDir, [
    'component',
    'register',
    'orchestrator',
    'containers',
    '--flavor',
    'docker',
  ]);
  await ok(configDir, [
    'stack',
    'register',
    'shared',
    '-i',
    'engine',
    '-c',
    'team',
    '-o',
    'containers',
    '--set',
  ]);
  return configDir;
}

function publish(configDir: string, extra: string[] = []): Promise<RunResult> {
  return berth(configDir, ['publish', projectDir, '--base-image', baseImage, '--plain', ...extra], {
    timeoutMs: 240_000,
  });
}

async function published(
  configDir: string,
  extra: string[] = [],
): Promise<{result: RunResult; record: PublishJson}> {
  const result = await publish(configDir, [...extra, '--json']);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return {result, record: result.json<PublishJson>()};
}

function commitAndPush(message: string): string {
  git('add', '--all');
  git('commit', '-qm', message);
  git('push', '-q', 'origin', 'main');
  return git('rev-parse', 'HEAD');
}

/** Files at /berth/module in an image, listed with its entry point replaced. */
async function moduleFiles(image: string): Promise<string[]> {
  const docker = dockerClient(host);
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['ls', '-A', '/berth/module'],
    HostConfig: {NetworkMode: 'none'},
  });
  try {
    await container.start();
    await container.wait();
    const logs = await container.logs({stdout: true, stderr: false, follow: false});
    // Non-TTY logs carry an 8-byte frame header per chunk.
    const text: string[] = [];
    for (let at = 0; at + 8 <= logs.length; ) {
      const size = logs.readUInt32BE(at + 4);
      text.push(logs.subarray(at + 8, at + 8 + size).toString());
      at += 8 + size;
    }
    return text.join('').split('\n').filter(Boolean).sort();
  } finally {
    await container.remove({force: true});
  }
}

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry();
  forge = await startForgeServer({
    tokens: [
      {token: TOKEN, login: 'octocat', scopes: ['repo']},
      {token: GITLAB_TOKEN, login: 'tanuki', gitlab: {scopes: ['api'], expiresAt: null}},
    ],
  });
  keychain = await startKeychain();
  home = tempDir('berth-deps-home-');

  // The project lives in a subfolder of the repository, with its dependency as a committed wheel.
  work = tempDir('berth-deps-work-');
  projectDir = path.join(work, SUBDIRECTORY);
  mkdirSync(path.join(projectDir, 'wheels'), {recursive: true});
  await writeWheel(path.join(projectDir, 'wheels'), {name: 'berthdemo', version: '1.0.0'});
  writeFileSync(
    path.join(projectDir, 'requirements.txt'),
    '--no-index\n--find-links wheels\nberthdemo==1.0.0\n',
  );
  writeFileSync(path.join(projectDir, 'rotate.py'), entry('v1'));
  writeFileSync(path.join(work, 'README.md'), '# rotate\n');
  git('init', '-q', '-b', 'main');
  git('add', '--all');
  git('commit', '-qm', 'first');
  bare = path.join(tempDir('berth-deps-bare-'), 'rotate.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], {env: cleanEnv()});
  // Fetched from "GitHub" (what detection matches), pushed to the bare repository the forge serves.
  git('remote', 'add', 'origin', 'https://github.com/acme/rotate.git');
  git('remote', 'set-url', '--push', 'origin', bare);
  git('push', '-q', 'origin', 'main');
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  forge.addRepository({provider: 'github', path: 'acme/rotate', gitDir: bare, private: true});
});

afterAll(async () => {
  await registry?.stop();
  await keychain?.stop();
  await forge?.close();
});

describe('publish: dependencies only for a clean, pushed checkout of a registered repository', () => {
  let alice: string;
  let first: PublishJson;
  let commit1: string;
  let latestDigest = '';

  test('the first publish builds an image without the code, tagged deps-CHECKSUM, and says where the code comes from', async () => {
    alice = await newUser('alice');
    commit1 = git('rev-parse', 'HEAD');
    const plan = await ok(alice, [
      'publish',
      projectDir,
      '--dry-run',
      '--json',
      '--base-image',
      baseImage,
    ]);
    expect(plan.json()).toMatchObject({
      mode: 'dependencies-only',
      modeReason: `code from acme/rotate@${commit1.slice(0, 7)} (${SUBDIRECTORY}/), image has dependencies only`,
    });
    expect(plan.json<{dockerfile: string}>().dockerfile).not.toContain('COPY ["code/","./"]');
    const {result, record} = await published(alice);
    first = record;
    expect(result.stderr).toContain(
      `code from acme/rotate@${commit1.slice(0, 7)} (${SUBDIRECTORY}/), image has dependencies only`,
    );
    expect(result.stderr).toMatch(/^Step \d+\/\d+ RUN .*pip install/m);
    expect(record).toMatchObject({
      name: 'rotate-demo',
      version: 1,
      status: 'published',
      mode: 'dependencies-only',
      reused: false,
      commit: commit1,
    });
    expect(record.codeReference).toMatchObject({commit: commit1, subdirectory: SUBDIRECTORY});
    expect(record.image).toBe(
      `${registry.address}/team/rotate-demo:deps-${record.dependencyChecksum}`,
    );
    expect(record.dependencyChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await registryTags(registry.address, 'team/rotate-demo')).toEqual([
      `deps-${record.dependencyChecksum}`,
    ]);
    expect(record.digest).toBe(
      await registryDigest(
        registry.address,
        'team/rotate-demo',
        `deps-${record.dependencyChecksum}`,
      ),
    );

    // No project file in the image: only what pip needed.
    expect(await moduleFiles(record.image!)).toEqual(['requirements.txt', 'wheels']);
    const image = await dockerClient(host).getImage(record.image!).inspect();
    inspected.push(JSON.stringify(image));
    expect(image.Config.Labels?.['dev.berth.mode']).toBe('dependencies-only');
    expect(image.Config.Labels?.['dev.berth.dependencies']).toBe(record.dependencyChecksum);
  }, 300000);

  test('berth run downloads the code at the recorded commit (token on stdin, never in docker inspect) and records the code reference', async () => {
    // The entry point holds on a request to this server; while it does, the test inspects the container.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server: Server = createServer((_request, response) => {
      void (async () => {
        const docker = dockerClient(host);
        for (const info of await docker.listContainers()) {
          if (info.Image === first.image)
            inspected.push(JSON.stringify(await docker.getContainer(info.Id).inspect()));
        }
        inspected.push(processArgumentsContaining(TOKEN).join('\n'));
        response.end('ok');
        release();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hold`;
    try {
      const run = await ok(
        alice,
        ['run', 'rotate-demo', '--param', 'angle=45', '--param', `label=${url}`],
        {timeoutMs: 120_000},
      );
      await held;
      expect(run.stdout.trim()).toBe("angle=45.0 label=held value=42 code=v1 stdin=''");
      expect(run.stderr).toContain(`downloading the code at ${commit1.slice(0, 12)}`);
    } finally {
      server.close();
    }
    const containers = inspected.filter((text) => text.includes('"Args"'));
    expect(containers).toHaveLength(1);
    expect(containers[0]).toContain(
      `BERTH_CODE_ARCHIVE_URL=${forge.githubApiUrl}/repos/acme/rotate/tarball/${commit1}`,
    );
    expect(containers[0]).toContain(`BERTH_CODE_SUBDIRECTORY=${SUBDIRECTORY}`);
    expect(containers[0]).toContain('BERTH_CODE_TOKEN_STDIN=1');
    expect(containers[0]).toContain('"NetworkMode":"host"');

    const runs = (await ok(alice, ['runs', 'list', '--json'])).json<
      Array<Record<string, unknown>>
    >();
    expect(runs.at(-1)).toMatchObject({
      module: 'rotate-demo',
      status: 'succeeded',
      digest: first.digest,
      codeReference: {
        repositoryId: first.codeReference!.repositoryId,
        commit: commit1,
        subdirectory: SUBDIRECTORY,
        clean: true,
        pushed: true,
      },
    });
  });

  test('a commit that changes only code publishes without a build: the image is reused, the run gets the new code', async () => {
    // `berth init` in the clean checkout leaves `git status` as it was: still clean, still
    // dependencies-only below.
    const status = git('status', '--porcelain');
    await ok(alice, ['init', '--path', work]);
    expect(existsSync(path.join(work, '.berth', 'config.yaml'))).toBe(true);
    expect(git('status', '--porcelain')).toBe(status);
    expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
    writeFileSync(path.join(projectDir, 'rotate.py'), entry('v2'));
    const commit2 = commitAndPush('code only');
    // Reused, not rebuilt: no build step ran (how much faster that is, bench/ measures).
    const {result, record} = await published(alice);
    expect(result.stderr).toContain(`code from acme/rotate@${commit2.slice(0, 7)}`);
    expect(result.stderr).toMatch(/reused .*rotate-demo:deps-[0-9a-f]{64}/);
    expect(result.stderr).not.toMatch(/^Step /m);
    expect(result.stderr).not.toContain('==> building');
    expect(record).toMatchObject({
      version: 2,
      status: 'published',
      reused: true,
      digest: first.digest,
      image: first.image,
      commit: commit2,
    });
    expect(record.codeReference).toMatchObject({commit: commit2});
    expect(await registryTags(registry.address, 'team/rotate-demo')).toHaveLength(1);

    const run = await ok(alice, ['run', 'rotate-demo', '--param', 'angle=1'], {timeoutMs: 120_000});
    expect(run.stdout.trim()).toBe("angle=1.0 label=x value=42 code=v2 stdin=''");
    const older = await ok(alice, ['run', 'rotate-demo@1'], {timeoutMs: 120_000});
    expect(older.stdout.trim()).toBe("angle=90.0 label=x value=42 code=v1 stdin=''");
  }, 300000);

  test('a colleague with another config dir reuses the same image from the shared registry', async () => {
    const bob = await newUser('bob');
    const {result, record} = await published(bob);
    expect(result.stderr).toMatch(/reused /);
    expect(result.stderr).not.toMatch(/^Step /m);
    expect(record).toMatchObject({
      version: 1,
      reused: true,
      digest: first.digest,
      mode: 'dependencies-only',
    });
    const run = await ok(bob, ['run', 'rotate-demo'], {timeoutMs: 120_000});
    expect(run.stdout.trim()).toBe("angle=90.0 label=x value=42 code=v2 stdin=''");
  });

  test('a requirements change builds a new dependencies image', async () => {
    await writeWheel(path.join(projectDir, 'wheels'), {name: 'berthextra', version: '1.0.0'});
    appendFileSync(path.join(projectDir, 'requirements.txt'), 'berthextra==1.0.0\n');
    commitAndPush('more requirements');
    const {result, record} = await published(alice);
    expect(result.stderr).toMatch(/^Step \d+\/\d+ RUN .*pip install/m);
    expect(result.stderr).not.toMatch(/reused /);
    expect(record).toMatchObject({version: 3, reused: false, mode: 'dependencies-only'});
    expect(record.dependencyChecksum).not.toBe(first.dependencyChecksum);
    expect(record.digest).not.toBe(first.digest);
    latestDigest = record.digest!;
    expect(await registryTags(registry.address, 'team/rotate-demo')).toHaveLength(2);
    inspected.push(JSON.stringify(await dockerClient(host).getImage(record.image!).inspect()));
    const run = await ok(alice, ['run', 'rotate-demo'], {timeoutMs: 120_000});
    expect(run.stdout.trim()).toBe("angle=90.0 label=x value=42 code=v2 stdin=''");
  }, 300000);

  test('a dirty checkout publishes a snapshot: the dependencies image is reused, nothing is built, the run prints the uncommitted change', async () => {
    const base = git('rev-parse', 'HEAD');
    writeFileSync(path.join(projectDir, 'rotate.py'), entry('dirty'));
    writeFileSync(path.join(projectDir, 'extra.txt'), 'untracked\n');
    const versionsBefore = (await ok(alice, ['module', 'list', '--json'])).json<unknown[]>().length;

    // A secret-looking file is never snapshotted: the publish stops, naming it, and records nothing.
    writeFileSync(path.join(projectDir, '.env'), 'API_KEY=snapshot-secret-value\n');
    const refused = await publish(alice);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `files that usually hold secrets: ${SUBDIRECTORY}/.env. berth never puts them in a code snapshot.`,
    );
    expect((await ok(alice, ['module', 'list', '--json'])).json<unknown[]>()).toHaveLength(
      versionsBefore,
    );
    writeFileSync(path.join(work, '.gitignore'), '.env\n');

    const {result, record} = await published(alice);
    expect(result.stderr).toMatch(
      new RegExp(
        `snapshot sha256:[0-9a-f]{12}: 3 files changed against ${base.slice(0, 7)} \\(\\d+ bytes\\), kept in ${registry.address}/team/berth-snapshots`,
      ),
    );
    expect(result.stderr).toMatch(/reused .*rotate-demo:deps-/);
    expect(result.stderr).not.toMatch(/^Step /m);
    expect(record).toMatchObject({
      version: versionsBefore + 1,
      mode: 'dependencies-only',
      reused: true,
      digest: latestDigest,
    });
    const snapshot = record.codeReference!.snapshot!;
    // The image holds the dependencies only: neither the change nor the .env beside it.
    expect(await moduleFiles(record.image!)).toEqual(['requirements.txt', 'wheels']);
    expect(record.codeReference).toMatchObject({commit: base, clean: false, pushed: true});
    expect(snapshot).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryTags(registry.address, 'team/berth-snapshots')).toEqual([
      snapshot.replace(':', '-'),
    ]);

    const run = await ok(alice, ['run', 'rotate-demo'], {timeoutMs: 120_000});
    expect(run.stdout.trim()).toBe("angle=90.0 label=x value=42 code=dirty stdin=''");
    expect(run.stderr).toContain(`applied the code snapshot ${snapshot.slice(0, 19)}`);
    const runs = (await ok(alice, ['runs', 'list', '--json'])).json<Array<{id: string}>>();
    const runId = runs.at(-1)!.id;
    const described = await ok(alice, ['runs', 'describe', runId]);
    expect(described.stdout).toContain(`Snapshot    ${snapshot}`);

    // The exact diff, byte for byte what git would apply, for the run and the version alike.
    const shown = await ok(alice, ['code', 'show', runId]);
    expect(shown.stdout).toContain('-MARKER = "v2"');
    expect(shown.stdout).toContain('+MARKER = "dirty"');
    expect(shown.stdout).toContain(`+++ b/${SUBDIRECTORY}/extra.txt`);
    expect(shown.stdout).not.toContain('snapshot-secret-value');
    expect((await ok(alice, ['code', 'show', `rotate-demo@${record.version}`])).stdout).toBe(
      shown.stdout,
    );

    // Both logs are in the store, whole.
    const publishLog = await ok(alice, [
      'logs',
      `rotate-demo@${record.version}`,
      '--grep',
      'reused',
    ]);
    expect(publishLog.stdout).toMatch(/^reused .*rotate-demo:deps-/m);
    const runLog = await ok(alice, ['logs', runId]);
    expect(runLog.stdout).toContain("angle=90.0 label=x value=42 code=dirty stdin=''");
    expect(runLog.stdout).toContain(`applied the code snapshot ${snapshot.slice(0, 19)}`);
    expect((await ok(alice, ['logs', runId, '--tail', '1'])).stdout.trim()).toBe(
      'berth: run succeeded (exit code 0)',
    );

    // A colleague with their own config, sharing only the registry, rebuilds the exact tree.
    const bob = configDirs.find((dir) => dir.endsWith('bob'))!;
    const target = path.join(tempDir('berth-snapshot-download-'), 'tree');
    const download = await ok(bob, [
      'repo',
      'download',
      'rotate',
      '--commit',
      base,
      '--snapshot',
      snapshot,
      '--dir',
      target,
      '--subdirectory',
      SUBDIRECTORY,
    ]);
    expect(download.stdout).toContain(`with snapshot ${snapshot.slice(0, 19)}… applied`);
    expect(readFileSync(path.join(target, 'rotate.py'), 'utf8')).toBe(entry('dirty'));
    expect(readFileSync(path.join(target, 'extra.txt'), 'utf8')).toBe('untracked\n');
    expect(existsSync(path.join(target, '.env'))).toBe(false);
    const wrongBase = await berth(bob, [
      'repo',
      'download',
      'rotate',
      '--commit',
      commit1,
      '--snapshot',
      snapshot,
      '--dir',
      path.join(tempDir('berth-snapshot-download-'), 'x'),
    ]);
    expect(wrongBase.code).toBe(1);
    expect(wrongBase.stderr).toContain(`applies to commit ${base}, not ${commit1}`);

    // Unpushed commits are a snapshot too, against the newest pushed commit.
    git('add', '--all');
    git('commit', '-qm', 'local only');
    const local = await published(alice);
    expect(local.result.stderr).toContain('unpushed commits included');
    expect(local.record).toMatchObject({mode: 'dependencies-only', reused: true});
    expect(local.record.codeReference).toMatchObject({commit: base, clean: true, pushed: true});

    git('push', '-q', 'origin', 'main');
    const forced = await published(alice, ['--full']);
    expect(forced.result.stderr).toContain('full image (--full)');
    expect(forced.record).toMatchObject({mode: 'full', reused: false});

    const both = await publish(alice, ['--full', '--dependencies-only']);
    expect(both.code).toBe(2);
  }, 600000);

  test('a GitLab repository: the container downloads the archive by project id with PRIVATE-TOKEN', async () => {
    const id = forge.addRepository({
      provider: 'gitlab',
      path: 'ml/rotate',
      gitDir: bare,
      private: true,
    }).id;
    git('remote', 'add', 'gitlab', 'https://gitlab.example.com/ml/rotate.git');
    git('remote', 'set-url', '--push', 'gitlab', bare);
    git('push', '-q', 'gitlab', 'main');
    const commit = git('rev-parse', 'HEAD');
    const carol = path.join(home, 'carol');
    configDirs.push(carol);
    await ok(
      carol,
      ['token', 'add', 'gitlab', '--api-url', forge.gitlabUrl, '--name', 'gl', '--stdin'],
      {
        input: `${GITLAB_TOKEN}\n`,
      },
    );
    await ok(carol, [
      'repo',
      'register',
      'rotate-gl',
      '--type',
      'gitlab',
      '--group',
      'ml',
      '--project',
      'rotate',
      '--host',
      'gitlab.example.com',
      '--instance-url',
      forge.gitlabUrl,
      '--token',
      'gl',
    ]);
    await ok(carol, ['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
    await ok(carol, [
      'component',
      'register',
      'container_registry',
      'team',
      '--flavor',
      'oci',
      '--option',
      `uri=${registry.address}/team`,
    ]);
    await ok(carol, ['component', 'register', 'orchestrator', 'containers', '--flavor', 'docker']);
    await ok(carol, [
      'stack',
      'register',
      'shared',
      '-i',
      'engine',
      '-c',
      'team',
      '-o',
      'containers',
      '--set',
    ]);

    const {result, record} = await published(carol);
    expect(result.stderr).toContain(`code from ml/rotate@${commit.slice(0, 7)} (${SUBDIRECTORY}/)`);
    expect(record).toMatchObject({mode: 'dependencies-only', reused: true});
    forge.reset();
    const run = await ok(carol, ['run', 'rotate-demo', '--param', 'angle=2'], {timeoutMs: 120_000});
    expect(run.stdout.trim()).toBe("angle=2.0 label=x value=42 code=dirty stdin=''");
    expect(forge.requests.map((r) => `${r.path}${r.query}`)).toEqual([
      `/api/v4/projects/${id}/repository/archive.tar.gz?sha=${commit}`,
    ]);
  });

  test("on a fresh config's default stack (the engine's image store): a dirty checkout's snapshot is kept in the profile store, code show prints it and the run applies it", async () => {
    const base = git('rev-parse', 'HEAD');
    expect(git('status', '--porcelain')).toBe('');
    const dave = path.join(home, 'dave');
    configDirs.push(dave);
    await ok(
      dave,
      ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--name', 'gh', '--stdin'],
      {input: `${TOKEN}\n`},
    );
    await ok(dave, [
      'repo',
      'register',
      'rotate',
      '--type',
      'github',
      '--owner',
      'acme',
      '--repository',
      'rotate',
      '--host',
      'github.com',
      '--api-url',
      forge.githubApiUrl,
      '--token',
      'gh',
    ]);
    writeFileSync(path.join(projectDir, 'rotate.py'), entry('local-store'));
    // A changed file whose text would clear the screen and write the clipboard if obeyed.
    const notes = path.join(projectDir, 'NOTES.md');
    writeFileSync(notes, 'seen \u001b]52;c;aGk=\u0007 \u001b[2J\n');
    try {
      // No stack registered: the first run's default stack publishes.
      const {result, record} = await published(dave);
      expect(result.stderr).toMatch(
        new RegExp(
          `snapshot sha256:[0-9a-f]{12}: 2 files changed against ${base.slice(0, 7)} \\(\\d+ bytes\\), kept in the profile store`,
        ),
      );
      expect(record).toMatchObject({version: 1, mode: 'dependencies-only'});
      expect(record.codeReference).toMatchObject({commit: base, clean: false, pushed: true});
      const snapshot = record.codeReference!.snapshot!;
      expect(snapshot).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await moduleFiles(record.image!)).toEqual(['requirements.txt', 'wheels']);
      inspected.push(JSON.stringify(await dockerClient(host).getImage(record.image!).inspect()));

      const shown = await ok(dave, ['code', 'show', 'rotate-demo@1']);
      expect(shown.stdout).toContain(`+++ b/${SUBDIRECTORY}/rotate.py`);
      expect(shown.stdout).toContain('+MARKER = "local-store"');
      // A pipe gets the patch as written (`git apply` takes it); a terminal sees the controls
      // shown, never obeyed.
      expect(shown.stdout).toContain('+seen \u001b]52;c;aGk=\u0007 \u001b[2J');
      const terminal = spawnBerth(['code', 'show', 'rotate-demo@1'], {
        cwd: home,
        env: {BERTH_CONFIG_DIR: dave, DOCKER_HOST: host, ...keychain.env},
      });
      expect(await terminal.exit).toBe(0);
      expect(terminal.text()).toContain('+seen ␛]52;c;aGk=␇ ␛[2J');
      expect(terminal.output).not.toContain('\u001b]52');
      expect(terminal.output).not.toContain('\u001b[2J');

      const run = await ok(dave, ['run', 'rotate-demo'], {timeoutMs: 120_000});
      expect(run.stdout.trim()).toBe("angle=90.0 label=x value=42 code=local-store stdin=''");
      expect(run.stderr).toContain(`applied the code snapshot ${snapshot.slice(0, 19)}`);
    } finally {
      git('checkout', '--', '.');
      rmSync(notes);
    }
  }, 600000);

  test('the token appears in no docker inspect, no file under the config dirs or the project, no output, no process arguments', () => {
    expect(inspected.length).toBeGreaterThanOrEqual(4);
    for (const text of [...inspected, ...outputs])
      expect(text.includes('snapshot-secret-value')).toBe(false);
    for (const secret of [TOKEN, GITLAB_TOKEN]) {
      for (const text of inspected) expect(text.includes(secret)).toBe(false);
      for (const text of outputs) expect(text.includes(secret)).toBe(false);
      expect(filesContaining(secret, [...configDirs, work, bare])).toEqual([]);
    }
  });
});
