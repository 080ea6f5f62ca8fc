// How a dependencies-only container gets a run's snapshot: from the registry that holds it (the
// blob URL in the environment, the registry's credentials on stdin), or, for snapshots kept in
// the profile store, the snapshot itself on stdin.
import type {Deps} from '../../deps.js';
import type {ProfileStore} from '../../store/profile-store.js';
import type {ActiveContext} from '../context.js';
import {loadSnapshot, resolveSnapshotTarget, type SnapshotRecord} from './snapshot-store.js';

export type SnapshotFetch = {env: string[]; stdin: string[]};

export async function snapshotFetchOf(
  deps: Deps,
  context: ActiveContext,
  store: ProfileStore,
  digest: string,
): Promise<SnapshotFetch> {
  const record = await store.collection<SnapshotRecord>('snapshots').get(digest);
  const target = await resolveSnapshotTarget(deps, context, store).catch(() => undefined);
  if (record?.location.kind !== 'store' && target?.kind === 'registry') {
    const {createRegistryClient} = await import('../../clients/registry.js');
    const registry = createRegistryClient({
      host: target.host,
      ...(target.credentials ? {credentials: target.credentials} : {}),
    });
    const repository =
      record?.location.kind === 'registry' && record.location.registry === target.uri
        ? record.location.repository
        : target.repository;
    // Checked here so a missing snapshot fails before the container starts, with berth's message.
    if (await registry.getBlob(repository, digest)) {
      const url = registry.blobUrl(repository, digest);
      return registry.authorization
        ? {
            env: [`BERTH_CODE_SNAPSHOT_URL=${url}`, 'BERTH_CODE_SNAPSHOT_AUTH_STDIN=1'],
            stdin: [registry.authorization],
          }
        : {env: [`BERTH_CODE_SNAPSHOT_URL=${url}`], stdin: []};
    }
  }
  const {data} = await loadSnapshot(deps, context, store, digest);
  return {env: ['BERTH_CODE_SNAPSHOT_URL=stdin'], stdin: [data.toString('base64')]};
}
