// A publish from a checkout with uncommitted or unpushed work: take the snapshot (refusing
// secrets and oversized work before anything is recorded), and turn the detection into a code
// reference of commit + snapshot, so the dependencies-only image serves it as a clean checkout.
import type {Deps} from '../../deps.js';
import type {CodeReference} from '../../models/code-reference.js';
import type {ProfileStore} from '../../store/profile-store.js';
import type {ActiveContext} from '../context.js';
import {takeSnapshot, type Snapshot} from './snapshot.js';
import {wantsSnapshot, type CheckoutForSnapshot} from './wants-snapshot.js';
import {
  resolveSnapshotTarget,
  saveSnapshot,
  type SnapshotRecord,
  type SnapshotTarget,
} from './snapshot-store.js';

export type PendingSnapshot = {
  snapshot: Snapshot;
  target: SnapshotTarget;
  codeReference: CodeReference;
  /** For the log: `3 files changed, 1 deleted against a1b2c3d (sha256:…)`. */
  summary: string;
};

export async function prepareSnapshot(
  deps: Deps,
  context: ActiveContext,
  store: ProfileStore,
  code: CheckoutForSnapshot,
): Promise<PendingSnapshot | null> {
  if (!wantsSnapshot(code)) return null;
  const target = await resolveSnapshotTarget(deps, context, store);
  const {ignoreUntrackedFromEnv} = await import('../code-repositories/detect.js');
  const remoteName = code.remote!.slice(0, code.remote!.indexOf('='));
  const snapshot = await takeSnapshot(code.gitRoot!, {
    remotes: [remoteName],
    ignoreUntracked: ignoreUntrackedFromEnv(deps.env),
    maxBytes: target.maxBytes,
    env: deps.env,
  });
  if (!snapshot) return null;
  const {meta} = snapshot;
  const parts = [`${meta.files.length} file${meta.files.length === 1 ? '' : 's'} changed`];
  if (meta.deleted.length > 0) parts.push(`${meta.deleted.length} deleted`);
  if (snapshot.head !== meta.base) parts.push('unpushed commits included');
  return {
    snapshot,
    target,
    codeReference: {
      repositoryId: code.repository!.id,
      commit: meta.base,
      subdirectory: code.subdirectory ?? '',
      clean: code.clean,
      pushed: true,
      snapshot: snapshot.digest,
    },
    summary: `snapshot ${snapshot.digest.slice(0, 19)}: ${parts.join(', ')} against ${meta.base.slice(0, 7)} (${snapshot.data.length} bytes)`,
  };
}

export async function storeSnapshot(
  store: ProfileStore,
  pending: PendingSnapshot,
): Promise<{record: SnapshotRecord; where: string}> {
  const record = await saveSnapshot(
    store,
    pending.target,
    pending.snapshot,
    pending.codeReference.repositoryId,
  );
  const where =
    record.location.kind === 'registry'
      ? `${pending.target.kind === 'registry' ? pending.target.host : record.location.registry}/${record.location.repository}`
      : 'the profile store';
  return {record, where};
}
