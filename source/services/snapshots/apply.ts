// Applying a snapshot to a tree downloaded at its base commit (`berth repo download
// --snapshot`): its files are extracted with the same checks as any downloaded archive (nothing
// outside the tree, links checked), then moved over the tree; its deletions are removed.
import {lstat, mkdir, readdir, rename, rm, unlink} from 'node:fs/promises';
import path from 'node:path';
import {Readable} from 'node:stream';
import {UserError} from '../../lib/errors.js';
import {extractTarGz} from '../../lib/safe-extract.js';
import type {SnapshotMeta} from './snapshot.js';

function under(file: string, subdirectory: string): string | undefined {
  const prefix = subdirectory ? `${subdirectory}/` : '';
  if (!file.startsWith(prefix)) return undefined;
  const rest = file.slice(prefix.length);
  const parts = rest.split('/');
  if (!rest || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new UserError(`The snapshot names a path outside its tree: ${file}.`);
  }
  return rest;
}

/** Applies a checked snapshot to `dir` (the tree of `subdirectory` at the base commit). */
export async function applySnapshot(
  dir: string,
  data: Buffer,
  meta: SnapshotMeta,
  subdirectory: string,
): Promise<{written: number; deleted: number}> {
  const sub = subdirectory.replace(/^\/+|\/+$/g, '');
  const files = meta.files.filter((file) => under(file.path, sub) !== undefined);
  let written = 0;
  if (files.length > 0) {
    const staging = path.join(path.dirname(dir), `.${path.basename(dir)}.snapshot-${process.pid}`);
    await rm(staging, {recursive: true, force: true});
    try {
      await extractTarGz(Readable.from([data]), staging, {
        subdirectory: sub ? `files/${sub}` : 'files',
      });
      written = await moveOver(staging, dir);
    } finally {
      await rm(staging, {recursive: true, force: true});
    }
  }
  let deleted = 0;
  for (const file of meta.deleted) {
    const relative = under(file, sub);
    if (relative === undefined) continue;
    const target = path.join(dir, ...relative.split('/'));
    const info = await lstat(target).catch(() => undefined);
    if (info && !info.isDirectory()) {
      await unlink(target);
      deleted++;
    }
  }
  return {written, deleted};
}

async function moveOver(from: string, to: string): Promise<number> {
  let moved = 0;
  await mkdir(to, {recursive: true});
  for (const entry of await readdir(from, {withFileTypes: true})) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      const existing = await lstat(target).catch(() => undefined);
      if (existing && !existing.isDirectory()) await unlink(target);
      moved += await moveOver(source, target);
    } else {
      const existing = await lstat(target).catch(() => undefined);
      if (existing?.isDirectory()) await rm(target, {recursive: true});
      await rename(source, target);
      moved++;
    }
  }
  return moved;
}
