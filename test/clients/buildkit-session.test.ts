// BuildKit's file sync, berth serving (clients/buildkit-session.ts), against the real test engine:
// what arrives in the image is the context, byte for byte, mode for mode; a second build of the
// same project sends what changed even when a file kept its size and modification time; an
// engine that opens no session says so, and the tar upload still builds.
import {createHash, randomBytes} from 'node:crypto';
import {chmodSync, mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {
  createDockerClient,
  SessionSyncError,
  type BuildContextEntry,
} from '../../source/clients/docker.js';
import {tempDir} from '../support/cli.js';
import {
  baseImage,
  dockerClient,
  engineWithoutSessions,
  ensureBaseImage,
  runContainer,
  startDocker,
} from '../support/services.js';

let host: string;
const tags: string[] = [];

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
});

afterAll(async () => {
  const docker = dockerClient(host);
  for (const tag of tags)
    await docker
      .getImage(tag)
      .remove({force: true})
      .catch(() => undefined);
});

/** Every entry under /ctx in the image: path, type, permission bits, mtime, sha256 or link. */
const listing = `
import hashlib, os, stat
for root, dirs, files in os.walk('/ctx'):
    dirs.sort()
    for name in sorted(dirs + files):
        full = os.path.join(root, name)
        info = os.lstat(full)
        rel = os.path.relpath(full, '/ctx')
        if stat.S_ISLNK(info.st_mode):
            print(rel, 'link', os.readlink(full))
        elif stat.S_ISDIR(info.st_mode):
            print(rel, 'dir', oct(info.st_mode & 0o777))
        else:
            print(rel, 'file', oct(info.st_mode & 0o777), int(info.st_mtime), hashlib.sha256(open(full, 'rb').read()).hexdigest())
`;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function buildAndList(
  entries: BuildContextEntry[],
  options: {cacheKey: string; host?: string; transfer?: 'session' | 'tar'},
): Promise<string[]> {
  const tag = `berth-test/session-${randomBytes(4).toString('hex')}:1`;
  tags.push(tag);
  await createDockerClient(options.host ?? host).build(entries, {
    tag,
    builder: 'buildkit',
    cacheKey: options.cacheKey,
    ...(options.transfer ? {transfer: options.transfer} : {}),
  });
  const result = await runContainer(host, tag, ['python3', '-c', listing]);
  expect(result.stderr).toBe('');
  return result.stdout.trim().split('\n').sort();
}

const dockerfile = (extra = '') => ({
  name: 'Dockerfile',
  mode: 0o644,
  content: `FROM ${baseImage}\nCOPY . /ctx\n${extra}`,
});

describe('the build context through a BuildKit session', () => {
  test('arrives whole: nested folders, modes, a link, an empty file, 200 KB of binary, names in any case and script', async () => {
    const project = tempDir('berth-session-');
    const binary = randomBytes(200 * 1024);
    mkdirSync(path.join(project, 'pkg', 'deep'), {recursive: true});
    writeFileSync(path.join(project, 'run.sh'), '#!/bin/sh\necho run\n');
    chmodSync(path.join(project, 'run.sh'), 0o755);
    writeFileSync(path.join(project, 'pkg', 'deep', 'model.bin'), binary);
    writeFileSync(path.join(project, 'pkg', 'empty.txt'), '');
    writeFileSync(path.join(project, 'pkg', 'Été.py'), 'print("é")\n');
    writeFileSync(path.join(project, 'pkg', 'B.py'), 'b = 1\n');
    writeFileSync(path.join(project, 'pkg', 'a.py'), 'a = 1\n');
    symlinkSync('deep/model.bin', path.join(project, 'pkg', 'model-link'));
    const onDisk = (name: string) => ({name: `code/${name}`, sourcePath: path.join(project, name)});
    const entries: BuildContextEntry[] = [
      dockerfile(),
      {name: 'deps/requirements.txt', mode: 0o644, content: 'numpy==2.1.0\n'},
      ...[
        'run.sh',
        'pkg/deep/model.bin',
        'pkg/empty.txt',
        'pkg/Été.py',
        'pkg/B.py',
        'pkg/a.py',
        'pkg/model-link',
      ].map(onDisk),
    ];
    const lines = await buildAndList(entries, {cacheKey: project});
    expect(lines).toEqual(
      [
        `Dockerfile file 0o644 0 ${sha256(dockerfile().content)}`,
        'code dir 0o755',
        'code/pkg dir 0o755',
        'code/pkg/deep dir 0o755',
        `code/pkg/deep/model.bin file 0o644 0 ${sha256(binary)}`,
        `code/pkg/empty.txt file 0o644 0 ${sha256('')}`,
        `code/pkg/Été.py file 0o644 0 ${sha256('print("é")\n')}`,
        `code/pkg/B.py file 0o644 0 ${sha256('b = 1\n')}`,
        `code/pkg/a.py file 0o644 0 ${sha256('a = 1\n')}`,
        'code/pkg/model-link link deep/model.bin',
        `code/run.sh file 0o755 0 ${sha256('#!/bin/sh\necho run\n')}`,
        'deps dir 0o755',
        `deps/requirements.txt file 0o644 0 ${sha256('numpy==2.1.0\n')}`,
      ].sort(),
    );
    // The same files as a tar upload give the same image contents.
    expect(await buildAndList(entries, {cacheKey: project, transfer: 'tar'})).toEqual(lines);
  });

  test('a second build sends what changed, even a file that kept its size and modification time', async () => {
    const project = tempDir('berth-session-');
    const file = path.join(project, 'main.py');
    const other = path.join(project, 'other.py');
    // A fixed modification time, whole seconds: set again exactly after the change below.
    const fixed = 1_700_000_000;
    writeFileSync(file, 'print("one")\n');
    utimesSync(file, fixed, fixed);
    writeFileSync(other, 'unchanged = True\n');
    const entries: BuildContextEntry[] = [
      dockerfile(),
      {name: 'code/main.py', sourcePath: file},
      {name: 'code/other.py', sourcePath: other},
    ];
    const first = await buildAndList(entries, {cacheKey: project});
    expect(first).toContain(`code/main.py file 0o644 0 ${sha256('print("one")\n')}`);

    // Same length, same modification time: what a copy that keeps times (cp -p, tar, rsync -t)
    // leaves. The engine's copy of the last build must not be taken for it.
    const before = statSync(file, {bigint: true});
    writeFileSync(file, 'print("two")\n');
    utimesSync(file, fixed, fixed);
    const after = statSync(file, {bigint: true});
    expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
    const second = await buildAndList(entries, {cacheKey: project});
    expect(second).toContain(`code/main.py file 0o644 0 ${sha256('print("two")\n')}`);
    expect(second).toContain(`code/other.py file 0o644 0 ${sha256('unchanged = True\n')}`);

    // A file gone from the list is gone from the image.
    const third = await buildAndList(entries.slice(0, 2), {cacheKey: project});
    expect(third.filter((line) => line.startsWith('code/'))).toEqual([
      `code/main.py file 0o644 0 ${sha256('print("two")\n')}`,
    ]);
  });

  test('files that come later: the engine starts the build, waits for them and builds them; files that never come stop it', async () => {
    const project = tempDir('berth-session-');
    const entries: BuildContextEntry[] = [
      dockerfile(),
      {name: 'late.txt', mode: 0o644, content: 'late\n'},
    ];
    const tag = `berth-test/session-${randomBytes(4).toString('hex')}:1`;
    tags.push(tag);
    // Given once the engine has said something of the build: it had begun without them.
    let give!: (files: BuildContextEntry[]) => void;
    const files = new Promise<BuildContextEntry[]>((resolve) => (give = resolve));
    let spokeFirst = false;
    let given = false;
    await createDockerClient(host).build(files, {
      tag,
      builder: 'buildkit',
      cacheKey: project,
      onEvent: () => {
        if (given) return;
        spokeFirst = true;
        given = true;
        give(entries);
      },
    });
    expect(spokeFirst).toBe(true);
    const listed = await runContainer(host, tag, ['cat', '/ctx/late.txt']);
    expect(listed.stdout).toBe('late\n');

    // Called off before the files come: the build stops with the reason, nothing is named, and
    // the next build of the same project (the engine's copy of it) is not held up.
    const offTag = `berth-test/session-${randomBytes(4).toString('hex')}:1`;
    let refuse!: (reason: Error) => void;
    const never = new Promise<BuildContextEntry[]>((_resolve, reject) => (refuse = reject));
    const stopped = createDockerClient(host).build(never, {
      tag: offTag,
      builder: 'buildkit',
      cacheKey: project,
      onEvent: () => refuse(new Error('the project did not pass its checks')),
    });
    await expect(stopped).rejects.toThrow('the project did not pass its checks');
    expect(await dockerClient(host).listImages({filters: {reference: [offTag]}})).toEqual([]);
    const after = await buildAndList(entries, {cacheKey: project});
    expect(after).toContain(`late.txt file 0o644 0 ${sha256('late\n')}`);
  });

  test('an engine that opens no session: the build says so, and the tar upload builds', async () => {
    const proxy = await engineWithoutSessions(host);
    try {
      const project = tempDir('berth-session-');
      const entries: BuildContextEntry[] = [
        dockerfile(),
        {name: 'hello.txt', mode: 0o644, content: 'hi\n'},
      ];
      const build = buildAndList(entries, {cacheKey: project, host: proxy.host});
      await expect(build).rejects.toBeInstanceOf(SessionSyncError);
      await expect(build).rejects.toThrow(/the engine opened no session: page not found/);
      const lines = await buildAndList(entries, {
        cacheKey: project,
        host: proxy.host,
        transfer: 'tar',
      });
      expect(lines).toContain(`hello.txt file 0o644 0 ${sha256('hi\n')}`);
    } finally {
      await proxy.close();
    }
  });
});
