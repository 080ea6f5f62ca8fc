// Code snapshots: the uncommitted (or unpushed) work of a checkout, recorded so that a run can
// always be traced to its exact code. A snapshot is a patch against the newest commit of HEAD's
// history that a remote has, packed as one deterministic .tar.gz and addressed by its sha256:
//
//   berth-snapshot.json   {version, base, files: [{path, mode}], deleted: [path]}
//   snapshot.patch        `git diff --binary` base → work tree (what `berth code show` prints,
//                         what `git apply` takes)
//   files/PATH            the new content of every added or changed file (links as links), so
//                         a container with no git can apply it by copying
//
// The same changes always give the same bytes (fixed mtimes, sorted entries, gzip without a
// timestamp), so a second publish of the same work tree reuses the blob.
import {createHash} from 'node:crypto';
import {gunzipSync, gzipSync} from 'node:zlib';
import tarStream from 'tar-stream';
import {binaryPatch, readBlobs, readWorkTree, type TreeChange} from '../../clients/git-snapshot.js';
import {UserError} from '../../lib/errors.js';
import {isSecretFile} from '../../lib/secret-files.js';
import {formatBytes} from '../../lib/format.js';
import {packTar} from '../../lib/tar-pack.js';

export const SNAPSHOT_META = 'berth-snapshot.json';
export const SNAPSHOT_PATCH = 'snapshot.patch';
export const DEFAULT_SNAPSHOT_MAX_BYTES = 10 * 1024 * 1024;

export type SnapshotMeta = {
  version: 1;
  /** The commit the patch applies to (on a remote of the repository). */
  base: string;
  /** Added or changed files (POSIX paths from the git root) and their git modes. */
  files: Array<{path: string; mode: string}>;
  deleted: string[];
};

export type Snapshot = {
  /** `sha256:HEX` of `data`. */
  digest: string;
  /** The packed .tar.gz. */
  data: Buffer;
  meta: SnapshotMeta;
  /** HEAD when the snapshot was taken (differs from `base` when commits were not pushed). */
  head: string;
};

export type TakeSnapshotOptions = {
  /** Remote names of the registered repository: only their refs count as pushed. */
  remotes: readonly string[];
  ignoreUntracked?: boolean;
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
};

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Parses a size such as `10MiB`, `500k`, `2G` or a number of bytes; undefined when unreadable. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = {'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}[match[2]!.toLowerCase()]!;
  return Math.round(Number(match[1]) * unit);
}

/** No commit of the checkout is on a remote: a container could not download anything to patch. */
export class NoPushedBaseError extends UserError {
  constructor() {
    super(
      'No commit of this checkout is on a remote of the registered repository, so there is nothing a snapshot could apply to.',
      {hint: 'Push a commit (`git push`), then publish again.'},
    );
  }
}

/**
 * The snapshot of the work tree at `gitRoot`, or null when there is nothing to record (clean,
 * and HEAD is on a remote). Refuses, naming the files, when a secret-looking file would go in,
 * and when the packed snapshot is over the size cap.
 */
export async function takeSnapshot(
  gitRoot: string,
  options: TakeSnapshotOptions,
): Promise<Snapshot | null> {
  const state = await readWorkTree(gitRoot, {
    remotes: options.remotes,
    ...(options.ignoreUntracked ? {ignoreUntracked: true} : {}),
    ...(options.env ? {env: options.env} : {}),
  });
  if (state.base === null) throw new NoPushedBaseError();
  if (state.changes.length === 0 && state.base === state.head) return null;

  const secrets = state.changes
    .filter((change) => change.status !== 'D' && isSecretFile(change.path))
    .map((change) => change.path);
  if (secrets.length > 0) {
    throw new UserError(
      `The uncommitted work includes files that usually hold secrets: ${secrets.join(', ')}. berth never puts them in a code snapshot.`,
      {
        hint: 'Add them to .gitignore (they stay on this machine), or remove them, then publish again.',
      },
    );
  }
  const submodules = state.changes.filter((change) => change.mode === '160000');
  if (submodules.length > 0) {
    throw new UserError(
      `A snapshot cannot hold changed submodules: ${submodules.map((c) => c.path).join(', ')}.`,
      {hint: 'Commit and push the submodule change, then publish again.'},
    );
  }

  const written = state.changes.filter((change) => change.status !== 'D');
  const maxBytes = options.maxBytes ?? DEFAULT_SNAPSHOT_MAX_BYTES;
  const gitOptions = options.env ? {env: options.env} : {};
  const blobs = await readBlobs(
    gitRoot,
    [...new Set(written.map((change) => change.blob))],
    gitOptions,
  );
  const raw = written.reduce((sum, change) => sum + (blobs.get(change.blob)?.length ?? 0), 0);
  if (raw > maxBytes) throw tooLarge(raw, maxBytes, written, blobs);
  const patch = await binaryPatch(gitRoot, state.base, state.tree, gitOptions);
  const meta: SnapshotMeta = {
    version: 1,
    base: state.base,
    files: written.map((change) => ({path: change.path, mode: change.mode})),
    deleted: state.changes.filter((change) => change.status === 'D').map((change) => change.path),
  };
  const data = await pack(meta, patch, written, blobs);
  if (data.length > maxBytes) throw tooLarge(data.length, maxBytes, written, blobs);
  return {digest: sha256Digest(data), data, meta, head: state.head};
}

function tooLarge(
  bytes: number,
  maxBytes: number,
  changes: readonly TreeChange[],
  blobs: ReadonlyMap<string, Buffer>,
): UserError {
  const largest = [...changes]
    .sort((a, b) => (blobs.get(b.blob)?.length ?? 0) - (blobs.get(a.blob)?.length ?? 0))
    .slice(0, 3)
    .map((change) => `${change.path} (${formatBytes(blobs.get(change.blob)?.length ?? 0)})`);
  return new UserError(
    `The uncommitted work is ${formatBytes(bytes)}, over the snapshot limit of ${formatBytes(maxBytes)}. Largest: ${largest.join(', ')}.`,
    {
      hint: (_f, act) =>
        `Commit and push large files (or git-ignore data), or raise the limit: ${act({kind: 'component.register', type: 'container_registry', options: {snapshot_max_size: '50MiB'}})}.`,
    },
  );
}

async function pack(
  meta: SnapshotMeta,
  patch: Buffer,
  written: readonly TreeChange[],
  blobs: ReadonlyMap<string, Buffer>,
): Promise<Buffer> {
  const tar = await packTar(async (add) => {
    const mtime = new Date(0);
    await add({name: SNAPSHOT_META, mode: 0o644, mtime}, Buffer.from(JSON.stringify(meta)));
    await add({name: SNAPSHOT_PATCH, mode: 0o644, mtime}, patch);
    for (const change of [...written].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const content = blobs.get(change.blob) ?? Buffer.alloc(0);
      const name = `files/${change.path}`;
      if (change.mode === '120000') {
        await add({name, type: 'symlink', linkname: content.toString('utf8'), mode: 0o777, mtime});
      } else {
        await add({name, mode: change.mode === '100755' ? 0o755 : 0o644, mtime}, content);
      }
    }
  });
  return gzipSync(tar, {level: 9});
}

/** Reads the metadata and patch of a packed snapshot (after its digest was checked). */
export async function unpackSnapshotInfo(
  data: Buffer,
): Promise<{meta: SnapshotMeta; patch: Buffer}> {
  const extract = tarStream.extract();
  let meta: SnapshotMeta | undefined;
  let patch: Buffer | undefined;
  const reading = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      if (entry.header.name === SNAPSHOT_META)
        meta = JSON.parse(Buffer.concat(parts).toString('utf8')) as SnapshotMeta;
      else if (entry.header.name === SNAPSHOT_PATCH) patch = Buffer.concat(parts);
    }
  })();
  try {
    extract.end(gunzipSync(data));
    await reading;
  } catch (error) {
    throw new UserError(
      `The snapshot is not a berth snapshot archive: ${(error as Error).message}.`,
    );
  }
  if (!meta || !patch || meta.version !== 1) {
    throw new UserError('The snapshot is not a berth snapshot archive (no metadata or patch).');
  }
  return {meta, patch};
}
