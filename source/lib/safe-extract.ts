// Extracts a downloaded .tar.gz (a GitHub tarball, a GitLab archive) so that nothing can land
// outside the target directory, whatever the archive says, and so that a failed or partial
// download leaves nothing behind: entries go into a fresh directory beside the target, which
// is renamed into place only once the whole archive has been read and checked.
//
// Why not a general tar library: archives from a server are hostile input. Every entry is
// checked before anything is written (`..`, absolute paths, devices), nothing is ever written
// through a symlink (an entry below a symlink is refused), and every symlink is resolved at the
// end against the extracted tree itself, so chains of in-tree links cannot point out either.
import {randomBytes} from 'node:crypto';
import {chmodSync, linkSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {constants} from 'node:fs';
import {access, chmod, mkdir, readdir, rename, rm, rmdir, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {Transform, type Readable, type TransformCallback} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import {createGunzip} from 'node:zlib';
import tar, {type Header} from 'tar-stream';
import {BerthError, CancelledError, UserError, errorMessage} from './errors.js';
import {errnoCode, fileError} from './file-errors.js';

export type ExtractOptions = {
  /** Leading path segments to drop (GitHub and GitLab put everything under one top folder). */
  stripComponents?: number;
  /** Extract only this folder of the archive (after stripping), re-rooted at the target. */
  subdirectory?: string;
  signal?: AbortSignal;
};

export type ExtractResult = {
  /** Regular files written (hard links included). */
  files: number;
  /** Bytes of regular file content written. */
  bytes: number;
  symlinks: number;
  directories: number;
};

const syncWriteLimit = 256 * 1024;
const unsafeHint = 'The archive is unsafe; nothing was extracted.';
const corruptHint = 'Download it again; nothing was extracted.';

/**
 * Streams a gzip-compressed tar into `targetDir`, which must not exist or be empty. Throws a
 * UserError for an unsafe, truncated or corrupt archive (and a CancelledError when `signal`
 * aborts); in every failure the target is left as it was.
 */
export async function extractTarGz(
  stream: Readable,
  targetDir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const target = path.resolve(targetDir);
  const targetExists = await checkExtractTarget(target);
  const strip = options.stripComponents ?? 0;
  if (!Number.isInteger(strip) || strip < 0) {
    throw new UserError(`stripComponents must be a whole number, not ${strip}.`);
  }
  const subdirectory = parseSubdirectory(options.subdirectory);

  await mkdir(path.dirname(target), {recursive: true});
  const staging = `${path.join(path.dirname(target), `.${path.basename(target)}.partial-`)}${randomBytes(6).toString('hex')}`;
  await mkdir(staging, {mode: 0o700});

  try {
    const tree = new ExtractedTree(staging);
    await readArchive(stream, tree, {strip, subdirectory, signal: options.signal});
    if (subdirectory.length > 0 && !tree.sawSubdirectory) {
      throw new UserError(`The archive has no folder ${subdirectory.join('/')}.`, {
        hint: 'Check the subdirectory: it is relative to the repository root.',
      });
    }
    tree.checkSymlinks();
    options.signal?.throwIfAborted();

    await chmod(staging, 0o755);
    await moveIntoPlace(staging, target, targetExists);
    return tree.result();
  } catch (error) {
    await rm(staging, {recursive: true, force: true});
    throw toExtractError(error, target, options.signal);
  }
}

/** POSIX renames over an empty directory atomically; elsewhere remove it first. */
async function moveIntoPlace(staging: string, target: string, targetExists: boolean) {
  try {
    await rename(staging, target);
  } catch (error) {
    if (!targetExists) throw error;
    await rmdir(target);
    await rename(staging, target);
  }
}

/**
 * Refuses a target that can't receive a tree — a file, a directory with files in it, a place
 * that can't be written (read-only, no permission, under a file) — so that callers can check
 * before they request anything. Returns whether it exists (then it is an empty directory,
 * which is replaced).
 */
export async function checkExtractTarget(target: string): Promise<boolean> {
  const info = await stat(target).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw fileError(error, target, 'use');
  });
  if (!info) {
    // The nearest existing ancestor is where the directory will be made.
    let parent = path.dirname(target);
    for (;;) {
      const parentInfo = await stat(parent).catch(() => undefined);
      if (parentInfo) {
        if (!parentInfo.isDirectory()) {
          throw new UserError(`Can't create ${target}: ${parent} is a file.`, {
            hint: 'Choose another directory.',
          });
        }
        await access(parent, constants.W_OK).catch((error: unknown) => {
          throw fileError(error, parent, 'create a directory in');
        });
        return false;
      }
      if (path.dirname(parent) === parent) return false;
      parent = path.dirname(parent);
    }
  }
  if (!info.isDirectory()) {
    throw new UserError(`${target} exists and is not a directory.`, {
      hint: 'Choose another directory.',
    });
  }
  if ((await readdir(target)).length > 0) {
    throw new UserError(`${target} is not empty.`, {
      hint: 'Choose a new or empty directory: files are never mixed into existing ones.',
    });
  }
  // The tree is built beside it and renamed into place: its parent must be writable.
  await access(path.dirname(target), constants.W_OK).catch((error: unknown) => {
    throw fileError(error, path.dirname(target), 'write to');
  });
  return true;
}

function parseSubdirectory(subdirectory: string | undefined): string[] {
  if (subdirectory === undefined) return [];
  const segments = subdirectory
    .split(/[\\/]/)
    .filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..') || path.isAbsolute(subdirectory)) {
    throw new UserError(`The subdirectory ${subdirectory} is not inside the repository.`, {
      hint: 'Give a path relative to the repository root, without `..`.',
    });
  }
  return segments;
}

type ReadOptions = {strip: number; subdirectory: string[]; signal: AbortSignal | undefined};

async function readArchive(stream: Readable, tree: ExtractedTree, options: ReadOptions) {
  const extract = tar.extract();
  const feeding = pipeline(stream, createGunzip(), new TarEndCheck(), extract, {
    signal: options.signal,
  });
  // Its failure is reported through the entry loop or awaited below; never left unhandled.
  feeding.catch(() => undefined);

  try {
    for await (const entry of extract) {
      await tree.add(entry, options);
    }
  } catch (error) {
    if (error instanceof BerthError) throw error;
    // An entry cut short reports only "Stream was destroyed": the pipeline knows why, unless
    // it merely saw the loop stop (then the loop's own error is the real one).
    const cause = await feeding.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    const stoppedByLoop =
      (cause as {code?: unknown} | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    throw cause !== undefined && !stoppedByLoop ? cause : error;
  }
  await feeding;
}

/** tar-stream's entry: a streamx Readable of the entry's data. */
type ArchiveEntry = AsyncIterable<unknown> & {header: Header};

type EntryKind = 'directory' | 'file' | 'symlink';

class ExtractedTree {
  private readonly kinds = new Map<string, EntryKind>([['', 'directory']]);
  private readonly symlinks = new Map<string, string>();
  /** Lowercased, so a case-insensitive file system cannot be used to write through a link. */
  private readonly symlinkKeys = new Set<string>();
  private files = 0;
  private bytes = 0;
  sawSubdirectory = false;

  constructor(private readonly root: string) {}

  result(): ExtractResult {
    let directories = 0;
    for (const kind of this.kinds.values()) if (kind === 'directory') directories++;
    return {
      files: this.files,
      bytes: this.bytes,
      symlinks: this.symlinks.size,
      directories: directories - 1,
    };
  }

  async add(entry: ArchiveEntry, options: ReadOptions): Promise<void> {
    const {header} = entry;
    const name = header.name;
    const relative = mapEntryPath(name, options);
    if (relative === undefined) {
      await drain(entry);
      return;
    }
    this.sawSubdirectory = true;
    if (relative === '') {
      await drain(entry);
      return;
    }

    // Typed loosely: an archive can carry any type flag, whatever the typings promise.
    switch (header.type as string | null | undefined) {
      case 'directory':
        await drain(entry);
        await this.ensureDirectory(relative, name);
        return;
      case 'file':
      case 'contiguous-file':
      case null:
      case undefined: {
        await this.prepare(relative, name);
        const content = await readAll(entry);
        const executable = ((header.mode ?? 0) & 0o111) !== 0;
        const file = this.absolute(relative);
        const mode = executable ? 0o755 : 0o644;
        // `wx` refuses to follow or replace anything already at that path. Small files are
        // written synchronously: awaiting three thread-pool round trips per file made 10,000
        // files take 6 s instead of well under one.
        if (content.length <= syncWriteLimit) writeFileSync(file, content, {flag: 'wx', mode});
        else await writeFile(file, content, {flag: 'wx', mode});
        if (executable) chmodSync(file, 0o755);
        this.kinds.set(relative, 'file');
        this.files++;
        this.bytes += content.length;
        return;
      }
      case 'symlink': {
        await drain(entry);
        const linkname = header.linkname ?? '';
        if (linkname === '' || linkname.includes('\0'))
          unsafe(name, 'is a symlink without a target');
        if (linkname.startsWith('/') || /^[a-zA-Z]:/.test(linkname)) {
          unsafe(name, `is a symlink to the absolute path ${linkname}`);
        }
        if (!resolvesInside(parentOf(relative), linkname, new Map())) {
          unsafe(name, `is a symlink to ${linkname}, outside the target directory`);
        }
        await this.prepare(relative, name);
        symlinkSync(linkname, this.absolute(relative));
        this.kinds.set(relative, 'symlink');
        this.symlinks.set(relative, linkname);
        this.symlinkKeys.add(relative.toLowerCase());
        return;
      }
      case 'link': {
        await drain(entry);
        const linkname = header.linkname ?? '';
        if (linkname.startsWith('/') || linkname.split('/').includes('..')) {
          unsafe(name, `is a hard link to ${linkname}, outside the target directory`);
        }
        const linkTarget = mapEntryPath(linkname, options);
        if (linkTarget === undefined || this.kinds.get(linkTarget) !== 'file') {
          unsafe(name, `is a hard link to ${linkname}, which is not a file extracted before it`);
        }
        await this.prepare(relative, name);
        linkSync(this.absolute(linkTarget), this.absolute(relative));
        this.kinds.set(relative, 'file');
        this.files++;
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        return unsafe(name, `is a ${header.type}`);
      default:
        unsafe(name, `has the unsupported type ${String(header.type)}`);
    }
  }

  /** Every symlink, resolved through the other links of the tree, stays inside it. */
  checkSymlinks(): void {
    for (const [location, target] of this.symlinks) {
      if (!resolvesInside(parentOf(location), target, this.symlinks)) {
        unsafe(location, `is a symlink to ${target}, which resolves outside the target directory`);
      }
    }
  }

  private absolute(relative: string): string {
    return path.join(this.root, ...relative.split('/'));
  }

  /** Parents exist as real directories and nothing is at `relative` yet. */
  private async prepare(relative: string, name: string): Promise<void> {
    if (this.kinds.has(relative)) unsafe(name, 'appears twice in the archive');
    await this.ensureParents(relative, name);
  }

  private async ensureDirectory(relative: string, name: string): Promise<void> {
    const kind = this.kinds.get(relative);
    if (kind === 'directory') return;
    if (kind !== undefined) unsafe(name, `replaces a ${kind} of the same name`);
    await this.ensureParents(relative, name);
    mkdirSync(this.absolute(relative), {mode: 0o755});
    this.kinds.set(relative, 'directory');
  }

  private async ensureParents(relative: string, name: string): Promise<void> {
    const segments = relative.split('/');
    let prefix = '';
    for (const segment of segments.slice(0, -1)) {
      prefix = prefix === '' ? segment : `${prefix}/${segment}`;
      if (this.symlinkKeys.has(prefix.toLowerCase())) {
        unsafe(name, `would be written through the symlink ${prefix}`);
      }
      const kind = this.kinds.get(prefix);
      if (kind === 'directory') continue;
      if (kind === 'file') unsafe(name, `would be written below the file ${prefix}`);
      mkdirSync(this.absolute(prefix), {mode: 0o755});
      this.kinds.set(prefix, 'directory');
    }
  }
}

/**
 * The entry's path inside the target (POSIX, '' for the root), or undefined when it is not
 * extracted (the stripped top folder, outside the subdirectory). Throws for unsafe names.
 */
function mapEntryPath(name: string, options: ReadOptions): string | undefined {
  if (name.includes('\0')) unsafe(name, 'has a NUL byte in its name');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) unsafe(name, 'has an absolute path');
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) unsafe(name, 'has a `..` in its path');

  if (segments.length < options.strip) return undefined;
  const stripped = segments.slice(options.strip);
  const sub = options.subdirectory;
  if (sub.length > 0) {
    if (stripped.length < sub.length) return undefined;
    for (let index = 0; index < sub.length; index++) {
      if (stripped[index] !== sub[index]) return undefined;
    }
  }
  return stripped.slice(sub.length).join('/');
}

function parentOf(relative: string): string[] {
  return relative.split('/').slice(0, -1);
}

/**
 * Follows `target` from the directory `from` (segments below the root), expanding the tree's
 * own symlinks on the way as the kernel would; false as soon as a `..` leaves the root.
 */
function resolvesInside(
  from: string[],
  target: string,
  symlinks: ReadonlyMap<string, string>,
): boolean {
  if (target.startsWith('/')) return false;
  const stack = [...from];
  const pending = target.split('/').reverse();
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.pop()!;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (stack.length === 0) return false;
      stack.pop();
      continue;
    }
    stack.push(segment);
    const linked = symlinks.get(stack.join('/'));
    if (linked === undefined) continue;
    // A loop cannot be proven safe: refuse it like the kernel refuses it (ELOOP).
    if (++hops > 40 || linked.startsWith('/')) return false;
    stack.pop();
    pending.push(...linked.split('/').reverse());
  }
  return true;
}

function unsafe(name: string, problem: string): never {
  throw new UserError(`The archive entry ${JSON.stringify(name)} ${problem}.`, {hint: unsafeHint});
}

async function readAll(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of entry) {
    // Nothing to keep; the parser waits until the entry's data has been read.
  }
}

/**
 * tar-stream accepts an archive that simply stops between two entries. A complete tar ends
 * with two zero blocks (git archive, GNU tar and tar-stream all write them), so demand them.
 */
class TarEndCheck extends Transform {
  private total = 0;
  private tail = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.total += chunk.length;
    this.tail = Buffer.concat([this.tail, chunk.subarray(Math.max(0, chunk.length - 1024))]);
    if (this.tail.length > 1024) this.tail = this.tail.subarray(this.tail.length - 1024);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback) {
    const complete =
      this.total % 512 === 0 && this.tail.length === 1024 && this.tail.every((byte) => byte === 0);
    callback(complete ? null : new Error('the tar stream ends without its end-of-archive marker'));
  }
}

function toExtractError(error: unknown, target: string, signal: AbortSignal | undefined): Error {
  if (error instanceof BerthError) return error;
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) {
    return new CancelledError('The download was cancelled.', {cause: error});
  }
  const message = errorMessage(error);
  const {code, syscall} = error as {code?: unknown; syscall?: unknown};
  if (typeof syscall === 'string' && typeof code === 'string') {
    return new UserError(`The files could not be written: ${message}.`, {
      hint: `Check the free space and permissions of ${target}.`,
      cause: error,
    });
  }
  if (
    (typeof code === 'string' && code.startsWith('Z_')) ||
    /unexpected end|invalid tar header|end-of-archive|header exceeds|invalid header|premature close/i.test(
      message,
    )
  ) {
    return new UserError(`The archive is incomplete or corrupt: ${message}.`, {
      hint: corruptHint,
      cause: error,
    });
  }
  return new UserError(`The archive could not be extracted: ${message}.`, {
    hint: corruptHint,
    cause: error,
  });
}
