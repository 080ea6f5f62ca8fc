// Snapshots of a real git checkout: tracked edits, untracked files, binary content, deletions,
// modes and links are all captured against the newest pushed commit, never the user's index;
// ignored files stay out; secret-looking files and oversized work are refused by name; the same
// work gives the same digest; the patch applies with `git apply` and the snapshot rebuilds the
// exact tree on top of a download of the base commit.
import {execFileSync} from 'node:child_process';
import {chmodSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync} from 'node:fs';
import {readdir, readFile, readlink, lstat} from 'node:fs/promises';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {applySnapshot} from '../../../source/services/snapshots/apply.js';
import {
  takeSnapshot,
  unpackSnapshotInfo,
  sha256Digest,
} from '../../../source/services/snapshots/snapshot.js';
import {tempDir} from '../../support/cli.js';
import {gitEnv, runGit, writeTree} from '../../support/git.js';

let work: string;
let bare: string;
const binary = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0x1b, 0x89]);

async function treeOf(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    if (entry.name === '.git') continue;
    const full = path.join(dir, entry.name);
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) Object.assign(out, await treeOf(full, `${name}/`));
    else if (entry.isSymbolicLink()) out[name] = `-> ${await readlink(full)}`;
    else {
      const mode = (await lstat(full)).mode & 0o111 ? 'x ' : '';
      out[name] = mode + (await readFile(full)).toString('base64');
    }
  }
  return out;
}

beforeEach(() => {
  work = tempDir('berth-snap-work-');
  bare = path.join(tempDir('berth-snap-bare-'), 'r.git');
  runGit(work, 'init', '-q');
  writeTree(path.join(work, 'app/train.py'), 'print("v1")\n');
  writeTree(path.join(work, 'app/old.py'), 'old\n');
  writeTree(path.join(work, 'README.md'), '# r\n');
  writeTree(path.join(work, '.gitignore'), 'data/\n*.log\n');
  runGit(work, 'add', '--all');
  runGit(work, 'commit', '-qm', 'first');
  runGit(tempDir('berth-snap-x-'), 'init', '-q', '--bare', bare);
  runGit(work, 'remote', 'add', 'origin', bare);
  runGit(work, 'push', '-q', 'origin', 'main');
});

describe('takeSnapshot', () => {
  it('returns nothing for a clean, pushed checkout', async () => {
    expect(await takeSnapshot(work, {remotes: ['origin'], env: gitEnv})).toBeNull();
  });

  it('captures edits, untracked and binary files, deletions, modes and links — not ignored files, not the index', async () => {
    const base = runGit(work, 'rev-parse', 'HEAD');
    writeTree(path.join(work, 'app/train.py'), 'print("v2, uncommitted")\n');
    writeFileSync(path.join(work, 'app/weights.bin'), binary);
    writeTree(path.join(work, 'app/run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(path.join(work, 'app/run.sh'), 0o755);
    symlinkSync('train.py', path.join(work, 'app/link.py'));
    unlinkSync(path.join(work, 'app/old.py'));
    writeTree(path.join(work, 'data/big.csv'), 'ignored\n');
    writeTree(path.join(work, 'debug.log'), 'ignored\n');
    // Something staged, then changed again: the snapshot has the work tree, the index is untouched.
    writeTree(path.join(work, 'README.md'), '# staged\n');
    runGit(work, 'add', 'README.md');
    writeTree(path.join(work, 'README.md'), '# work tree\n');
    const indexBefore = readFileSync(path.join(work, '.git/index'));

    const snapshot = (await takeSnapshot(work, {remotes: ['origin'], env: gitEnv}))!;
    expect(readFileSync(path.join(work, '.git/index')).equals(indexBefore)).toBe(true);
    expect(snapshot.digest).toBe(sha256Digest(snapshot.data));
    expect(snapshot.meta.base).toBe(base);
    expect(snapshot.meta.files).toEqual([
      {path: 'README.md', mode: '100644'},
      {path: 'app/link.py', mode: '120000'},
      {path: 'app/run.sh', mode: '100755'},
      {path: 'app/train.py', mode: '100644'},
      {path: 'app/weights.bin', mode: '100644'},
    ]);
    expect(snapshot.meta.deleted).toEqual(['app/old.py']);

    // The same work tree, the same bytes.
    const again = (await takeSnapshot(work, {remotes: ['origin'], env: gitEnv}))!;
    expect(again.digest).toBe(snapshot.digest);

    // The patch is what git applies to the base commit…
    const {patch} = await unpackSnapshotInfo(snapshot.data);
    expect(patch.toString('utf8')).toContain('+print("v2, uncommitted")');
    expect(patch.toString('utf8')).toContain('GIT binary patch');
    const clone = tempDir('berth-snap-clone-');
    runGit(clone, 'clone', '-q', bare, '.');
    execFileSync('git', ['apply', '--binary', '-'], {cwd: clone, env: gitEnv, input: patch});
    // …and the snapshot rebuilds the same tree on a plain download of the base commit.
    const plain = tempDir('berth-snap-plain-');
    const archive = path.join(tempDir('berth-snap-tar-'), 'base.tar');
    runGit(bare, 'archive', '--format=tar', '-o', archive, base);
    execFileSync('tar', ['-xf', archive, '-C', plain]);
    await applySnapshot(plain, snapshot.data, snapshot.meta, '');

    rmSync(path.join(work, 'data'), {recursive: true});
    rmSync(path.join(work, 'debug.log'));
    const expected = await treeOf(work);
    expect(await treeOf(clone)).toEqual(expected);
    expect(await treeOf(plain)).toEqual(expected);
    expect(expected['app/weights.bin']).toBe(binary.toString('base64'));
  });

  it('applies only the subdirectory a project lives in', async () => {
    writeTree(path.join(work, 'app/train.py'), 'print("sub")\n');
    writeTree(path.join(work, 'README.md'), '# outside\n');
    const snapshot = (await takeSnapshot(work, {remotes: ['origin'], env: gitEnv}))!;
    const dir = tempDir('berth-snap-sub-');
    writeTree(path.join(dir, 'train.py'), 'print("v1")\n');
    writeTree(path.join(dir, 'old.py'), 'old\n');
    expect(await applySnapshot(dir, snapshot.data, snapshot.meta, 'app')).toEqual({
      written: 1,
      deleted: 0,
    });
    expect(await treeOf(dir)).toEqual({
      'old.py': Buffer.from('old\n').toString('base64'),
      'train.py': Buffer.from('print("sub")\n').toString('base64'),
    });
  });

  it('takes unpushed commits against the newest pushed one', async () => {
    const pushed = runGit(work, 'rev-parse', 'HEAD');
    writeTree(path.join(work, 'app/train.py'), 'print("local commit")\n');
    runGit(work, 'commit', '-qam', 'local');
    const snapshot = (await takeSnapshot(work, {remotes: ['origin'], env: gitEnv}))!;
    expect(snapshot.meta.base).toBe(pushed);
    expect(snapshot.head).toBe(runGit(work, 'rev-parse', 'HEAD'));
    expect(snapshot.meta.files).toEqual([{path: 'app/train.py', mode: '100644'}]);
  });

  it('refuses secret-looking files by name, and work over the size limit', async () => {
    writeTree(path.join(work, '.env'), 'API_KEY=supersecret\n');
    writeTree(path.join(work, 'keys/deploy.pem'), '-----BEGIN PRIVATE KEY-----\n');
    writeTree(path.join(work, '.env.example'), 'API_KEY=\n');
    await expect(takeSnapshot(work, {remotes: ['origin'], env: gitEnv})).rejects.toThrow(
      'The uncommitted work includes files that usually hold secrets: .env, keys/deploy.pem. berth never puts them in a code snapshot.',
    );
    writeTree(path.join(work, '.gitignore'), '.env\nkeys/\n');
    writeFileSync(path.join(work, 'app/model.bin'), Buffer.alloc(64 * 1024, 7));
    await expect(
      takeSnapshot(work, {remotes: ['origin'], env: gitEnv, maxBytes: 32 * 1024}),
    ).rejects.toThrow(
      /is 64\.\d KiB, over the snapshot limit of 32\.0 KiB\. Largest: app\/model\.bin/,
    );
    const snapshot = (await takeSnapshot(work, {remotes: ['origin'], env: gitEnv}))!;
    expect(snapshot.meta.files.map((f) => f.path)).toEqual([
      '.env.example',
      '.gitignore',
      'app/model.bin',
    ]);
    expect(snapshot.data.includes(Buffer.from('supersecret'))).toBe(false);
  });

  it('refuses when no commit is on the remote', async () => {
    const fresh = tempDir('berth-snap-fresh-');
    runGit(fresh, 'init', '-q');
    writeTree(path.join(fresh, 'a.py'), 'a\n');
    runGit(fresh, 'add', '--all');
    runGit(fresh, 'commit', '-qm', 'only local');
    runGit(fresh, 'remote', 'add', 'origin', bare);
    await expect(takeSnapshot(fresh, {remotes: ['origin'], env: gitEnv})).rejects.toThrow(
      /No commit of this checkout is on a remote/,
    );
  });
});
