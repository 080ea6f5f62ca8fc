// `berth repo download NAME --commit SHA --snapshot DIGEST`: the exact tree of a publish or run
// with uncommitted work, anywhere — the commit from the forge, then the snapshot (from the
// profile store or the shared registry, checked against its digest) on top. The snapshot is
// fetched and checked before anything is downloaded, and a failure to apply it removes the
// directory the download created, so no half-built tree is left behind.
import {rm} from 'node:fs/promises';
import path from 'node:path';
import type {Deps} from '../../deps.js';
import {ExitCode, FieldError} from '../../lib/errors.js';
import type {DownloadInput, DownloadResult} from '../code-repositories/download.js';
import {resolveContext, type ActiveContext} from '../context.js';
import {applySnapshot} from './apply.js';
import {unpackSnapshotInfo} from './snapshot.js';
import {checkDigest, loadSnapshot} from './snapshot-store.js';

export type SnapshotDownloadResult = DownloadResult & {
  context: ActiveContext;
  snapshot: {digest: string; base: string; written: number; deleted: number; from: string} | null;
};

export async function downloadWithSnapshot(
  deps: Deps,
  input: DownloadInput & {snapshot?: string},
): Promise<SnapshotDownloadResult> {
  const {downloadRepository} = await import('../code-repositories/download.js');
  if (!input.snapshot) return {...(await downloadRepository(deps, input)), snapshot: null};
  const digest = checkDigest(input.snapshot.trim().toLowerCase());
  // The target is checked before the snapshot or the archive is requested.
  const {checkExtractTarget} = await import('../../lib/safe-extract.js');
  await checkExtractTarget(path.resolve(deps.cwd, input.dir));
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const {data, from} = await loadSnapshot(deps, context, store, digest);
  const {meta} = await unpackSnapshotInfo(data);
  const commit = input.commit.trim().toLowerCase();
  if (!meta.base.startsWith(commit)) {
    throw new FieldError(
      'commit',
      `Snapshot ${digest.slice(0, 19)}… applies to commit ${meta.base}, not ${input.commit}.`,
      {hint: (f) => `Download it with ${f('commit')} ${meta.base}.`, exitCode: ExitCode.failure},
    );
  }
  const result = await downloadRepository(deps, input);
  try {
    const applied = await applySnapshot(result.directory, data, meta, result.subdirectory ?? '');
    return {...result, snapshot: {digest, base: meta.base, ...applied, from}};
  } catch (error) {
    await rm(result.directory, {recursive: true, force: true});
    throw error;
  }
}
