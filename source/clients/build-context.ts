// A build context as the engine receives it: one tar (the classic builder, and BuildKit when no
// session can be opened), or the tree BuildKit's file sync walks (clients/buildkit-session.ts).
// Both come from the same list of entries, in the same order, with the same names and modes.
import {lstatSync, readFileSync, readlinkSync} from 'node:fs';
import type {Readable} from 'node:stream';
import {breather} from '../lib/breather.js';
import {fnv1a32} from '../lib/fnv.js';
import {packTar} from '../lib/tar-pack.js';

/** One file of a build context: text berth generated, or a file on disk (a link stays a link). */
export type BuildContextEntry =
  | {name: string; mode: number; content: string | Buffer}
  | {name: string; sourcePath: string};

/** The context as one tar, entries in order, every time stamp the epoch (reproducible layers). */
export async function contextTar(entries: BuildContextEntry[]): Promise<Readable> {
  const epoch = new Date(0);
  const tar = await packTar(async (add) => {
    for (const entry of entries) {
      if ('content' in entry) {
        await add({name: entry.name, mode: entry.mode, mtime: epoch}, Buffer.from(entry.content));
        continue;
      }
      const info = lstatSync(entry.sourcePath);
      if (info.isSymbolicLink()) {
        const linkname = readlinkSync(entry.sourcePath);
        await add({name: entry.name, type: 'symlink', linkname, mode: 0o777, mtime: epoch});
      } else {
        const body = readFileSync(entry.sourcePath);
        await add({name: entry.name, mode: info.mode & 0o777, mtime: epoch}, body);
      }
    }
  });
  const {Readable} = await import('node:stream');
  return Readable.from([tar]);
}

/** Go's os.FileMode bits, which BuildKit's file sync (fsutil) sends as a file's mode. */
const goModeDir = 0x80000000;
const goModeSymlink = 0x08000000;

/** One entry of the tree BuildKit's file sync walks: fsutil's `Stat`, and how to read a file. */
export type SyncEntry = {
  /** POSIX, relative, no leading `./`. */
  path: string;
  /** Go's os.FileMode: permission bits, plus the directory or symlink bit. */
  mode: number;
  size: number;
  /**
   * Nanoseconds since the epoch, under half a second: the engine keeps the last synced copy and
   * asks again only for files whose size or time changed, and images keep it (a tar rounds it to
   * 0, as the tar context's epoch). It is derived from what would change with the content: the
   * text for generated files, the file's change time (which no tool can set back), modification
   * time, inode and size for files on disk.
   */
  modTime: number;
  linkname?: string;
  kind: 'dir' | 'file' | 'symlink';
  /** A file's bytes, read when the engine asks for them. */
  source?: {content: Buffer} | {path: string};
};

const halfSecondNs = 500_000_000;

function stampOf(...parts: Array<string | Buffer | bigint | number>): number {
  return (
    fnv1a32(parts.map((part) => (typeof part === 'object' ? part : `${part}\0`))) % halfSecondNs
  );
}

/** Byte order of UTF-8, as Go compares names: fsutil wants each folder's names in that order. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

type Folder = {children: Map<string, Folder | SyncEntry>};

/** One entry as the file sync sends it: its stat, and where its bytes come from. */
function syncEntryOf(entry: BuildContextEntry): SyncEntry {
  if ('content' in entry) {
    const content = Buffer.from(entry.content);
    return {
      path: entry.name,
      kind: 'file',
      mode: entry.mode & 0o777,
      size: content.length,
      modTime: stampOf(content),
      source: {content},
    };
  }
  const info = lstatSync(entry.sourcePath, {bigint: true});
  const stamp = stampOf(info.ctimeNs, info.mtimeNs, info.ino, info.size, info.mode);
  if (info.isSymbolicLink()) {
    const linkname = readlinkSync(entry.sourcePath);
    return {
      path: entry.name,
      kind: 'symlink',
      mode: goModeSymlink | 0o777,
      size: Buffer.byteLength(linkname),
      modTime: stamp,
      linkname,
    };
  }
  return {
    path: entry.name,
    kind: 'file',
    mode: Number(info.mode & 0o777n),
    size: Number(info.size),
    modTime: stamp,
    source: {path: entry.sourcePath},
  };
}

/**
 * The entries as the tree fsutil's receiver accepts: depth first, each folder before what it
 * holds, names in byte order, every parent folder present.
 */
export async function syncTree(entries: BuildContextEntry[]): Promise<SyncEntry[]> {
  const breathe = breather();
  const files: SyncEntry[] = [];
  for (const entry of entries) {
    await breathe();
    files.push(syncEntryOf(entry));
  }
  const root: Folder = {children: new Map()};
  for (const file of files) {
    const parts = file.path.split('/');
    let folder = root;
    for (const [index, part] of parts.entries()) {
      const existing = folder.children.get(part);
      if (index === parts.length - 1) {
        if (existing) throw new Error(`The build context names ${file.path} twice.`);
        folder.children.set(part, file);
      } else if (!existing) {
        const child: Folder = {children: new Map()};
        folder.children.set(part, child);
        folder = child;
      } else if ('children' in existing) folder = existing;
      else
        throw new Error(
          `The build context has ${parts.slice(0, index + 1).join('/')} as a file and a folder.`,
        );
    }
  }
  const tree: SyncEntry[] = [];
  const visit = (folder: Folder, prefix: string) => {
    for (const name of [...folder.children.keys()].sort(compareNames)) {
      const child = folder.children.get(name)!;
      if ('children' in child) {
        const path = `${prefix}${name}`;
        tree.push({path, kind: 'dir', mode: goModeDir | 0o755, size: 0, modTime: 0});
        visit(child, `${path}/`);
      } else tree.push(child);
    }
  };
  visit(root, '');
  return tree;
}

/** A file's bytes, for the engine's request. */
export async function syncEntryBytes(entry: SyncEntry): Promise<Buffer> {
  if (!entry.source) return Buffer.alloc(0);
  return 'content' in entry.source ? entry.source.content : readFileSync(entry.source.path);
}
