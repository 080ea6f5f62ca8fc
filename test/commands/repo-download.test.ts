// `berth repo download`: one archive request, streamed and extracted safely, for GitHub and
// GitLab, plus hostile archives served by the forge server.
import {existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync} from 'node:fs';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import tar from 'tar-stream';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {
  downloadRepo,
  makeSourceRepository,
  registerGithub,
  registerGitlab,
  startRepoWorld,
  tokens,
  type RepoWorld,
} from './repo-fixture.js';

let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;
let sha: string;
let binary: Buffer;
let outside: string;

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  const source = path.join(tempDir('berth-download-source-'), 'models');
  ({sha, binary} = makeSourceRepository(source));
  for (const [provider, repoPath] of [
    ['github', 'acme/models'],
    ['gitlab', 'ml/vision/models'],
  ] as const)
    world.forge.addRepository({provider, path: repoPath, gitDir: source, private: true});
});
afterAll(async () => stop?.());
afterEach(() => {
  world.forge.archiveOverride(undefined);
  world.expectNoLeaks([outside]);
});

beforeEach(async () => {
  fresh();
  outside = tempDir('berth-download-out-');
  await world.addToken('gh', 'github', tokens.github.token);
  await world.addToken('gl', 'gitlab', tokens.gitlab.token);
  const gh = await registerGithub(world, 'models', {
    owner: 'acme',
    repository: 'models',
    token: 'gh',
  });
  expect(gh.code, gh.stderr).toBe(0);
  const gl = await registerGitlab(world, 'vision', {
    group: 'ml/vision',
    project: 'models',
    token: 'gl',
  });
  expect(gl.code, gl.stderr).toBe(0);
  world.forge.reset();
});

function expectFullTree(dir: string) {
  expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('# widgets\n');
  expect(statSync(path.join(dir, 'run.sh')).mode & 0o111).not.toBe(0);
  expect(statSync(path.join(dir, 'README.md')).mode & 0o111).toBe(0);
  expect(lstatSync(path.join(dir, 'start')).isSymbolicLink()).toBe(true);
  expect(readlinkSync(path.join(dir, 'start'))).toBe('run.sh');
  expect(readFileSync(path.join(dir, 'model.bin')).equals(binary)).toBe(true);
  expect(readFileSync(path.join(dir, 'services/api/train.py'), 'utf8')).toBe('print("train")\n');
}

describe('repo download', () => {
  it('downloads a GitHub commit with one tarball request (plus its redirect), exec bits, symlinks and binaries intact', async () => {
    const target = path.join(outside, 'gh');
    const result = await downloadRepo(world, 'models', sha, target);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /Downloaded 4 files and 2 symlinks \([^)]+ compressed\) of models/,
    );
    expect(result.stderr).toMatch(/Downloaded [\d.]+ KiB/);
    expectFullTree(target);
    // The API request, then codeload's ticket URL; no listing, no per-file requests.
    expect(world.forge.requests.map((r) => r.path)).toEqual([
      `/repos/acme/models/tarball/${sha}`,
      expect.stringMatching(/^\/_codeload\/acme\/models\/legacy\.tar\.gz\//),
    ]);
  });

  it('downloads a GitLab commit with one archive request, by project id', async () => {
    const target = path.join(outside, 'gl');
    const result = await downloadRepo(world, 'vision', sha, target, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({
      repository: 'vision',
      commit: sha,
      files: 4,
      symlinks: 2,
      compressed: true,
      requests: 1,
    });
    expectFullTree(target);
    expect(world.forge.requests).toEqual([
      expect.objectContaining({
        path: expect.stringMatching(/^\/api\/v4\/projects\/\d+\/repository\/archive\.tar\.gz$/),
        query: `?sha=${sha}`,
      }),
    ]);
  });

  it('extracts only a subdirectory, re-rooted at --dir', async () => {
    const target = path.join(outside, 'sub');
    const result = await downloadRepo(
      world,
      'models',
      sha.slice(0, 12),
      target,
      '--subdirectory',
      'services/api',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Downloaded 1 file and 1 symlink (');
    expect(readdirSync(target).sort()).toEqual(['main.py', 'train.py']);
    expect(readlinkSync(path.join(target, 'main.py'))).toBe('train.py');
  });

  it('refuses a subdirectory whose symlink points out of it (it would point outside --dir)', async () => {
    world.forge.archiveOverride((request) =>
      tarGz([
        {name: `${request.prefix}README.md`, content: 'top'},
        {name: `${request.prefix}services/api/train.py`, content: 'x'},
        {
          name: `${request.prefix}services/api/README.md`,
          type: 'symlink',
          linkname: '../../README.md',
        },
      ]),
    );
    const result = await downloadRepo(
      world,
      'models',
      sha,
      path.join(outside, 's'),
      '--subdirectory',
      'services/api',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('outside the target directory');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('says which commit is missing and asks whether it was pushed', async () => {
    const missing = 'deadbeef'.repeat(5);
    const result = await downloadRepo(world, 'models', missing, path.join(outside, 'x'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`commit ${missing} is not in models`);
    expect(result.stderr).toContain('(pushed?)');
    expect(existsSync(path.join(outside, 'x'))).toBe(false);
  });

  it('refuses a non-empty target directory and a SHA that is not hex', async () => {
    const bad = await downloadRepo(world, 'models', 'main;rm', path.join(outside, 'y'));
    expect(bad.code).toBe(2);
    const used = await downloadRepo(world, 'models', sha, world.configDir);
    expect(used.code).toBe(1);
    expect(used.stderr).toContain('is not empty');
  });
});

type Entry = {
  name: string;
  type?: 'file' | 'symlink' | 'directory';
  content?: string;
  linkname?: string;
  mode?: number;
};

/** An uncompressed tar with its end-of-archive marker. */
async function tarBytes(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    if (entry.type === 'symlink')
      pack.entry({name: entry.name, type: 'symlink', linkname: entry.linkname});
    else if (entry.type === 'directory') pack.entry({name: entry.name, type: 'directory'});
    else pack.entry({name: entry.name, mode: entry.mode ?? 0o644}, entry.content ?? 'x');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function tarGz(entries: Entry[]): Promise<Buffer> {
  return gzipSync(await tarBytes(entries));
}

describe('hostile archives', () => {
  const base = (prefix: string): Entry[] => [
    {name: `${prefix}/`, type: 'directory'},
    {name: `${prefix}/ok.txt`, content: 'fine'},
  ];
  const cases: Array<[string, (prefix: string) => Entry[], RegExp]> = [
    [
      'a ../ entry',
      (p) => [...base(p), {name: `${p}/../../escaped.txt`, content: 'evil'}],
      /`\.\.`/,
    ],
    [
      'an absolute path',
      (p) => [...base(p), {name: '/tmp/berth-escaped.txt', content: 'evil'}],
      /absolute path/,
    ],
    [
      'a symlink out of the tree',
      (p) => [...base(p), {name: `${p}/link`, type: 'symlink', linkname: '../../../etc'}],
      /outside the target/,
    ],
    [
      'a file written through an in-tree symlink',
      (p) => [
        ...base(p),
        {name: `${p}/up`, type: 'symlink', linkname: '.'},
        {name: `${p}/up/../../x.txt`, content: 'evil'},
      ],
      /unsafe|`\.\.`|through the symlink/,
    ],
  ];

  const table = (['github', 'gitlab'] as const).flatMap((provider) =>
    cases.map(([label, entries, message]) => [provider, label, entries, message] as const),
  );
  it.each(table)(
    '%s: refuses %s, writes nothing anywhere, exit 1',
    async (provider, _label, entries, message) => {
      world.forge.archiveOverride((request) => tarGz(entries(request.prefix.replace(/\/$/, ''))));
      const target = path.join(outside, 'target');
      const result = await downloadRepo(
        world,
        provider === 'github' ? 'models' : 'vision',
        sha,
        target,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain(`at ${sha}`);
      expect(readdirSync(outside)).toEqual([]);
      expect(existsSync('/tmp/berth-escaped.txt')).toBe(false);
    },
  );

  it('refuses a truncated archive and leaves no half tree', async () => {
    let full: Buffer | undefined;
    world.forge.archiveOverride(async (request) => {
      const entries: Entry[] = [{name: `${request.prefix}`, type: 'directory'}];
      for (let i = 0; i < 200; i++)
        entries.push({name: `${request.prefix}f${i}.txt`, content: `file ${i} `.repeat(200)});
      full = await tarGz(entries);
      return full.subarray(0, Math.floor(full.length / 2));
    });
    const target = path.join(outside, 'target');
    const result = await downloadRepo(world, 'models', sha, target);
    expect(full).toBeDefined();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/incomplete or corrupt/);
    expect(result.stderr).toContain(`Downloading models at ${sha} failed`);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a tar without its end-of-archive marker (cut between entries)', async () => {
    world.forge.archiveOverride(async (request) => {
      const raw = await tarBytes([{name: `${request.prefix}a.txt`, content: 'a'}]);
      return gzipSync(raw.subarray(0, raw.length - 1024));
    });
    const result = await downloadRepo(world, 'models', sha, path.join(outside, 't'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/end-of-archive/);
    expect(readdirSync(outside)).toEqual([]);
  });
});
