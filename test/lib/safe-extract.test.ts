import {execFileSync, spawn} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import path from 'node:path';
import {PassThrough, Readable} from 'node:stream';
import {gzipSync} from 'node:zlib';
import tar, {type Header} from 'tar-stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CancelledError, UserError} from '../../source/lib/errors.js';
import {extractTarGz} from '../../source/lib/safe-extract.js';
import {tempDir} from '../support/cli.js';

type TestEntry = {header: Partial<Header> & {name: string}; content?: string | Buffer};

/** A tar built entry by entry with tar-stream, as a hostile server could build it. */
async function tarOf(entries: TestEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const {header, content} of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({mode: 0o644, ...header}, content ?? '', (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

async function tarGzOf(entries: TestEntry[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries));
}

/** Streams a buffer in small chunks, like a download. */
function streamOf(buffer: Buffer, chunkSize = 16 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += chunkSize) {
    chunks.push(buffer.subarray(offset, offset + chunkSize));
  }
  return Readable.from(chunks);
}

/** A workspace: `outside/` must never change; the target goes to `download/target`. */
const created: string[] = [];
afterAll(() => {
  for (const dir of created) rmSync(dir, {recursive: true, force: true});
});

/** A temp directory removed after the file's tests (some hold 10,000 files). */
function scratch(prefix: string): string {
  const dir = tempDir(prefix);
  created.push(dir);
  return dir;
}

function workspace() {
  const root = scratch('berth-extract-');
  const outside = path.join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'keep.txt'), 'untouched');
  const parent = path.join(root, 'download');
  return {root, outside, parent, target: path.join(parent, 'target')};
}

/** Nothing beside the target: no target, no half-extracted staging directory. */
function expectNothingLeft(space: ReturnType<typeof workspace>) {
  expect(existsSync(space.target)).toBe(false);
  expect(existsSync(space.parent) ? readdirSync(space.parent) : []).toEqual([]);
  expect(readdirSync(space.outside)).toEqual(['keep.txt']);
  expect(readdirSync(space.root).sort()).toEqual(
    existsSync(space.parent) ? ['download', 'outside'] : ['outside'],
  );
}

async function expectRefused(entries: TestEntry[], message: RegExp, options = {}) {
  const space = workspace();
  const archive = await tarGzOf(entries);
  const failure = extractTarGz(streamOf(archive), space.target, options);
  await expect(failure).rejects.toBeInstanceOf(UserError);
  await expect(extractTarGz(streamOf(archive), space.target, options)).rejects.toThrow(message);
  expectNothingLeft(space);
}

const file = (name: string, content = 'x', mode = 0o644): TestEntry => ({
  header: {name, mode},
  content,
});
const dir = (name: string): TestEntry => ({header: {name, type: 'directory', mode: 0o755}});
const symlink = (name: string, linkname: string): TestEntry => ({
  header: {name, type: 'symlink', linkname},
});
const hardlink = (name: string, linkname: string): TestEntry => ({
  header: {name, type: 'link', linkname},
});

describe('extractTarGz refuses hostile archives and writes nothing', () => {
  it('a `..` path', async () => {
    await expectRefused(
      [file('repo/ok.txt'), file('../evil')],
      /"\.\.\/evil" has a `\.\.` in its path/,
    );
  });

  it('a `..` in the middle of a path', async () => {
    await expectRefused([file('repo/a/../../../outside/evil')], /has a `\.\.` in its path/);
  });

  it('an absolute path', async () => {
    await expectRefused([file('/tmp/evil')], /"\/tmp\/evil" has an absolute path/);
  });

  it('a symlink out of the tree, then a file written through it', async () => {
    await expectRefused(
      [dir('repo/'), symlink('repo/escape', '../../outside'), file('repo/escape/pwned.txt')],
      /"repo\/escape" is a symlink to \.\.\/\.\.\/outside, outside the target directory/,
    );
  });

  it('an absolute symlink', async () => {
    await expectRefused(
      [symlink('repo/passwd', '/etc/passwd')],
      /symlink to the absolute path \/etc\/passwd/,
    );
  });

  it('a file written through an in-tree symlink', async () => {
    await expectRefused(
      [dir('repo/real/'), symlink('repo/alias', 'real'), file('repo/alias/x.txt')],
      /would be written through the symlink alias/,
      {stripComponents: 1},
    );
  });

  it('a chain of in-tree symlinks that climbs out', async () => {
    // `a/b/c -> .` makes `a/b/c/c/c` the same directory as `a/b`: five `..` from there leave.
    await expectRefused(
      [dir('a/b/'), symlink('a/b/c', '.'), symlink('s', 'a/b/c/c/c/../../../../..')],
      /"s" is a symlink to .*outside the target directory/,
    );
  });

  it('a symlink that a later symlink turns outward', async () => {
    await expectRefused(
      [symlink('s', 'x/y/../..'), symlink('x', '.')],
      /"s" is a symlink to x\/y\/\.\.\/\.\., which resolves outside the target directory/,
    );
  });

  it('a symlink that points out of the extracted subdirectory', async () => {
    await expectRefused(
      [
        file('repo/shared/lib.py'),
        dir('repo/app/'),
        symlink('repo/app/lib.py', '../shared/lib.py'),
      ],
      /outside the target directory/,
      {stripComponents: 1, subdirectory: 'app'},
    );
  });

  it('a hard link out of the tree', async () => {
    await expectRefused(
      [hardlink('repo/passwd', '../../etc/passwd')],
      /hard link to \.\.\/\.\.\/etc\/passwd, outside/,
    );
    await expectRefused(
      [hardlink('repo/passwd', '/etc/passwd')],
      /hard link to \/etc\/passwd, outside/,
    );
  });

  it('a hard link to a symlink or to nothing extracted', async () => {
    await expectRefused(
      [symlink('repo/l', 'x'), hardlink('repo/h', 'repo/l')],
      /hard link to repo\/l, which is not a file extracted before it/,
    );
    await expectRefused([hardlink('repo/h', 'repo/missing')], /not a file extracted before it/);
  });

  it('device and fifo entries', async () => {
    await expectRefused([{header: {name: 'repo/fifo', type: 'fifo'}}], /"repo\/fifo" is a fifo/);
    await expectRefused(
      [{header: {name: 'repo/null', type: 'character-device', devmajor: 1, devminor: 3}}],
      /is a character-device/,
    );
    await expectRefused([{header: {name: 'repo/sda', type: 'block-device'}}], /is a block-device/);
  });

  it('an entry that appears twice or replaces another kind', async () => {
    await expectRefused([file('repo/a.txt', 'one'), file('repo/a.txt', 'two')], /appears twice/);
    await expectRefused([file('repo/a'), dir('repo/a/')], /replaces a file of the same name/);
    await expectRefused(
      [file('repo/a'), file('repo/a/b')],
      /would be written below the file repo\/a/,
    );
  });
});

describe('extractTarGz refuses incomplete or corrupt downloads', () => {
  let archive: Buffer;
  beforeAll(async () => {
    const entries: TestEntry[] = [dir('repo/')];
    for (let i = 0; i < 50; i++)
      entries.push(file(`repo/f${i}.bin`, randomBytes(4096).toString('base64')));
    archive = await tarGzOf(entries);
  });

  it('a truncated gzip stream', async () => {
    const space = workspace();
    const truncated = archive.subarray(0, Math.floor(archive.length / 2));
    await expect(extractTarGz(streamOf(truncated), space.target)).rejects.toThrow(
      /The archive is incomplete or corrupt: unexpected end of file/,
    );
    expectNothingLeft(space);
  });

  it('a gzip stream missing only its last bytes', async () => {
    const space = workspace();
    await expect(
      extractTarGz(streamOf(archive.subarray(0, archive.length - 4)), space.target),
    ).rejects.toBeInstanceOf(UserError);
    expectNothingLeft(space);
  });

  it('a corrupt gzip stream', async () => {
    const space = workspace();
    const corrupt = Buffer.from(archive);
    for (let i = 100; i < 140; i++) corrupt[i] = corrupt[i]! ^ 0xff;
    await expect(extractTarGz(streamOf(corrupt), space.target)).rejects.toThrow(
      /incomplete or corrupt/,
    );
    expectNothingLeft(space);
  });

  it('a complete gzip of a tar cut between two entries', async () => {
    const space = workspace();
    const whole = await tarOf([file('repo/a.txt', 'a'), file('repo/b.txt', 'b')]);
    // Header + one data block per file: keep the first file only, drop the end-of-archive marker.
    const cut = gzipSync(whole.subarray(0, 1024));
    await expect(extractTarGz(streamOf(cut), space.target)).rejects.toThrow(
      /end-of-archive marker/,
    );
    expectNothingLeft(space);
  });

  it('a tar cut inside an entry', async () => {
    const space = workspace();
    const whole = await tarOf([file('repo/big.bin', randomBytes(10_000).toString('hex'))]);
    await expect(
      extractTarGz(streamOf(gzipSync(whole.subarray(0, 4096))), space.target),
    ).rejects.toThrow(/incomplete or corrupt/);
    expectNothingLeft(space);
  });

  it('something that is not a gzip at all', async () => {
    const space = workspace();
    const html = Buffer.from('<html><body>rate limited</body></html>');
    await expect(extractTarGz(streamOf(html), space.target)).rejects.toThrow(
      /incomplete or corrupt/,
    );
    expectNothingLeft(space);
  });

  it('a download that fails half-way', async () => {
    const space = workspace();
    const half = archive.subarray(0, Math.floor(archive.length / 2));
    const failing = Readable.from(
      (async function* () {
        yield half;
        throw new Error('socket hang up');
      })(),
    );
    await expect(extractTarGz(failing, space.target)).rejects.toThrow(/socket hang up/);
    expectNothingLeft(space);
  });

  it('a cancelled download', async () => {
    const space = workspace();
    const controller = new AbortController();
    const slow = Readable.from(
      (async function* () {
        yield archive.subarray(0, 2048);
        controller.abort();
        yield archive.subarray(2048);
      })(),
    );
    await expect(
      extractTarGz(slow, space.target, {signal: controller.signal}),
    ).rejects.toBeInstanceOf(CancelledError);
    expectNothingLeft(space);
  });

  it('a subdirectory the archive does not have', async () => {
    const space = workspace();
    await expect(
      extractTarGz(streamOf(archive), space.target, {stripComponents: 1, subdirectory: 'nope'}),
    ).rejects.toThrow(/The archive has no folder nope/);
    expectNothingLeft(space);
  });

  it('a subdirectory that climbs out', async () => {
    const space = workspace();
    await expect(
      extractTarGz(streamOf(archive), space.target, {subdirectory: '../x'}),
    ).rejects.toThrow(/not inside the repository/);
    expectNothingLeft(space);
  });

  it('a target that already has files', async () => {
    const space = workspace();
    mkdirSync(space.target, {recursive: true});
    writeFileSync(path.join(space.target, 'mine.txt'), 'mine');
    await expect(extractTarGz(streamOf(archive), space.target)).rejects.toThrow(/is not empty/);
    expect(readdirSync(space.target)).toEqual(['mine.txt']);
    expect(readdirSync(space.parent)).toEqual(['target']);
  });
});

describe('extractTarGz extracts', () => {
  it('into an existing empty directory, with long and non-ASCII names (pax)', async () => {
    const space = workspace();
    mkdirSync(space.target, {recursive: true});
    const longName = `repo/${'deep/'.repeat(40)}${'n'.repeat(150)}.txt`;
    const archive = await tarGzOf([
      file(longName, 'long'),
      file('repo/données/ünïcode €.txt', 'utf8'),
      symlink('repo/long-link', `${'deep/'.repeat(40)}${'n'.repeat(150)}.txt`),
    ]);
    const result = await extractTarGz(streamOf(archive), space.target, {stripComponents: 1});
    expect(result).toMatchObject({files: 2, symlinks: 1});
    expect(readFileSync(path.join(space.target, longName.slice('repo/'.length)), 'utf8')).toBe(
      'long',
    );
    expect(readFileSync(path.join(space.target, 'données/ünïcode €.txt'), 'utf8')).toBe('utf8');
    expect(readFileSync(path.join(space.target, 'long-link'), 'utf8')).toBe('long');
  });

  it('in-tree hard links as files', async () => {
    const space = workspace();
    const archive = await tarGzOf([
      file('repo/a.txt', 'same'),
      hardlink('repo/b.txt', 'repo/a.txt'),
    ]);
    expect(await extractTarGz(streamOf(archive), space.target, {stripComponents: 1})).toMatchObject(
      {files: 2},
    );
    expect(readFileSync(path.join(space.target, 'b.txt'), 'utf8')).toBe('same');
  });
});

describe('extractTarGz with a real `git archive`', () => {
  const gitEnv = {
    PATH: process.env.PATH ?? '',
    HOME: tempDir('berth-git-home-'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Berth Test',
    GIT_AUTHOR_EMAIL: 'test@berth.invalid',
    GIT_COMMITTER_NAME: 'Berth Test',
    GIT_COMMITTER_EMAIL: 'test@berth.invalid',
  };
  const fileCount = 10_000;
  let repo: string;
  let binary: Buffer;

  beforeAll(() => {
    repo = scratch('berth-archive-repo-');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], {
        cwd: repo,
        env: gitEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    git('init', '-q');
    writeFileSync(path.join(repo, 'README.md'), '# repo\n');
    writeFileSync(path.join(repo, 'run.sh'), '#!/bin/sh\necho run\n');
    chmodSync(path.join(repo, 'run.sh'), 0o755);
    symlinkSync('README.md', path.join(repo, 'readme-link'));
    mkdirSync(path.join(repo, 'pkg/tools'), {recursive: true});
    writeFileSync(path.join(repo, 'pkg/main.py'), 'print(1)\n');
    writeFileSync(path.join(repo, 'pkg/tools/fmt.sh'), '#!/bin/sh\n');
    chmodSync(path.join(repo, 'pkg/tools/fmt.sh'), 0o755);
    symlinkSync('tools', path.join(repo, 'pkg/tools-link'));
    // Every byte value, NULs and CR/LF included.
    binary = Buffer.concat([
      Buffer.from(Array.from({length: 256}, (_, i) => i)),
      randomBytes(256 * 1024),
    ]);
    writeFileSync(path.join(repo, 'model.bin'), binary);
    writeFileSync(path.join(repo, '.gitattributes'), '*.bin binary\n');
    for (let i = 0; i < fileCount; i++) {
      const folder = path.join(repo, 'many', `d${i % 100}`);
      if (i < 100) mkdirSync(folder, {recursive: true});
      writeFileSync(path.join(folder, `f${i}.txt`), `file ${i}\n`);
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'snapshot');
  }, 120_000);

  /** git's archive; it ends once git has exited, and a git that failed says so (CI once saw a
   *  stream cut short, "unexpected end of file", with no word of why). */
  function gitArchive(...paths: string[]): Readable {
    const args = ['archive', '--format=tar.gz', '--prefix=acme-models-0123abc/', 'HEAD', ...paths];
    const child = spawn('git', args, {
      cwd: repo,
      env: gitEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const archive = new PassThrough();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.pipe(archive, {end: false});
    child.on('close', (code, signal) => {
      if (code === 0) archive.end();
      else archive.destroy(new Error(`git archive exited ${code ?? signal}: ${stderr.trim()}`));
    });
    return archive;
  }

  it('streams 10,000 files, keeping executables, symlinks and binaries', async () => {
    const space = workspace();
    const result = await extractTarGz(gitArchive(), space.target, {stripComponents: 1});
    const tracked = fileCount + 6; // README, run.sh, model.bin, .gitattributes, main.py, fmt.sh
    expect(result).toMatchObject({files: tracked, symlinks: 2});

    const target = space.target;
    expect(statSync(path.join(target, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(target, 'pkg/tools/fmt.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(path.join(target, 'README.md')).mode & 0o111).toBe(0);
    expect(lstatSync(path.join(target, 'readme-link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(target, 'readme-link'))).toBe('README.md');
    expect(readFileSync(path.join(target, 'pkg/tools-link/fmt.sh'), 'utf8')).toBe('#!/bin/sh\n');
    const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(sha(readFileSync(path.join(target, 'model.bin')))).toBe(sha(binary));
    expect(readFileSync(path.join(target, 'many/d42/f9942.txt'), 'utf8')).toBe('file 9942\n');
    expect(readdirSync(path.join(target, 'many')).length).toBe(100);
    expect(readdirSync(space.parent)).toEqual(['target']);
    expect(statSync(target).mode & 0o777).toBe(0o755);
  });

  // How fast, against GNU tar: bench/hot-paths.mjs.
  it('extracts 10,000 files', async () => {
    const work = scratch('berth-tar-speed-');
    const archiveFile = path.join(work, 'archive.tar.gz');
    execFileSync('git', ['archive', '--format=tar.gz', '-o', archiveFile, 'HEAD'], {
      cwd: repo,
      env: gitEnv,
    });
    const result = await extractTarGz(createReadStream(archiveFile), path.join(work, 'out'));
    expect(result.files).toBe(fileCount + 6);
  });

  it('extracts only a subdirectory, re-rooted', async () => {
    const space = workspace();
    const result = await extractTarGz(gitArchive(), space.target, {
      stripComponents: 1,
      subdirectory: 'pkg/',
    });
    expect(result).toMatchObject({files: 2, symlinks: 1});
    expect(readdirSync(space.target).sort()).toEqual(['main.py', 'tools', 'tools-link']);
    expect(readFileSync(path.join(space.target, 'tools-link/fmt.sh'), 'utf8')).toBe('#!/bin/sh\n');
    expect(statSync(path.join(space.target, 'tools/fmt.sh')).mode & 0o111).not.toBe(0);
  });

  it('keeps the top folder without stripComponents', async () => {
    const space = workspace();
    await extractTarGz(gitArchive('README.md'), space.target);
    expect(readdirSync(space.target)).toEqual(['acme-models-0123abc']);
    expect(readFileSync(path.join(space.target, 'acme-models-0123abc/README.md'), 'utf8')).toBe(
      '# repo\n',
    );
  });
});
