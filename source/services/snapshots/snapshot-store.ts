// Where snapshots live: in the stack's container registry as an OCI artifact (one manifest per
// snapshot, tagged `sha256-HEX`, in the registry repository `NAMESPACE/berth-snapshots`, pushed
// with the registry's own credentials), or, for a `local` registry (the engine's own image
// store, nothing pushed), in the profile's store. Either way the profile's `snapshots`
// collection remembers where each one went, and anyone sharing the registry (or the team
// store) can fetch it by digest alone.
import type {Deps} from '../../deps.js';
import {UserError} from '../../lib/errors.js';
import type {ProfileStore} from '../../store/profile-store.js';
import {getComponent} from '../components.js';
import {now, type ActiveContext} from '../context.js';
import {getStack} from '../stacks.js';
import {
  DEFAULT_SNAPSHOT_MAX_BYTES,
  parseSize,
  sha256Digest,
  type Snapshot,
  type SnapshotMeta,
} from './snapshot.js';

export const SNAPSHOT_REPOSITORY = 'berth-snapshots';
export const SNAPSHOT_ARTIFACT_TYPE = 'application/vnd.berth.snapshot.v1';
export const SNAPSHOT_LAYER_TYPE = 'application/vnd.berth.snapshot.v1.tar+gzip';
export const SNAPSHOT_CONFIG_TYPE = 'application/vnd.berth.snapshot.config.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export type SnapshotLocation =
  | {kind: 'registry'; registry: string; repository: string}
  | {kind: 'store'};

export type SnapshotRecord = {
  digest: string;
  repositoryId: string;
  base: string;
  head: string;
  files: number;
  deleted: number;
  bytes: number;
  location: SnapshotLocation;
  createdAt: string;
};

export type SnapshotTarget =
  | {
      kind: 'registry';
      /** `host[:port][/namespace]` */
      uri: string;
      host: string;
      repository: string;
      credentials: {username: string; password: string} | undefined;
      maxBytes: number;
    }
  | {kind: 'store'; maxBytes: number};

/** The active stack's container registry as a place for snapshots. */
export async function resolveSnapshotTarget(
  deps: Deps,
  context: ActiveContext,
  store: ProfileStore,
): Promise<SnapshotTarget> {
  const stack = await getStack(store, context.stackName, context.profile.name);
  const name = stack.components.container_registry;
  if (!name) {
    throw new UserError(
      `Stack '${stack.name}' has no container registry to keep code snapshots in.`,
      {
        hint: (_f, act) =>
          `Add a container registry to the stack (see its components: ${act({kind: 'stack.describe'})}).`,
      },
    );
  }
  const registry = await getComponent(deps, context, 'container_registry', name);
  const limit = registry.options.snapshot_max_size;
  const maxBytes = limit === undefined ? DEFAULT_SNAPSHOT_MAX_BYTES : parseSize(limit);
  if (maxBytes === undefined) {
    throw new UserError(
      `The snapshot_max_size "${limit}" of container registry '${name}' is not a size.`,
      {
        hint: 'Write it as bytes or with a unit: 10MiB, 500KiB, 1GiB.',
      },
    );
  }
  if (registry.flavor === 'local') return {kind: 'store', maxBytes};
  const {resolvePublishTarget} = await import('../publish/publish.js');
  const target = await resolvePublishTarget(deps, context, store);
  return {
    kind: 'registry',
    uri: target.registryUri,
    host: target.registryHost,
    repository: target.repositoryOf(SNAPSHOT_REPOSITORY),
    credentials: target.credentials,
    maxBytes,
  };
}

async function registryClient(target: Extract<SnapshotTarget, {kind: 'registry'}>) {
  const {createRegistryClient} = await import('../../clients/registry.js');
  return createRegistryClient({
    host: target.host,
    timeoutMs: 60_000,
    ...(target.credentials ? {credentials: target.credentials} : {}),
  });
}

/** Pushes (or keeps) the snapshot and remembers where it went. Idempotent. */
export async function saveSnapshot(
  store: ProfileStore,
  target: SnapshotTarget,
  snapshot: Snapshot,
  repositoryId: string,
): Promise<SnapshotRecord> {
  let location: SnapshotLocation;
  if (target.kind === 'store') {
    await store.blobs.put(snapshot.digest, snapshot.data);
    location = {kind: 'store'};
  } else {
    const registry = await registryClient(target);
    const config = Buffer.from(JSON.stringify(snapshot.meta));
    const configDigest = sha256Digest(config);
    await registry.pushBlob(target.repository, configDigest, config);
    await registry.pushBlob(target.repository, snapshot.digest, snapshot.data);
    await registry.putManifest(
      target.repository,
      snapshot.digest.replace(':', '-'),
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: SNAPSHOT_ARTIFACT_TYPE,
        config: {mediaType: SNAPSHOT_CONFIG_TYPE, digest: configDigest, size: config.length},
        layers: [
          {
            mediaType: SNAPSHOT_LAYER_TYPE,
            digest: snapshot.digest,
            size: snapshot.data.length,
            annotations: {'org.opencontainers.image.title': 'snapshot.tar.gz'},
          },
        ],
        annotations: {'dev.berth.snapshot.base': snapshot.meta.base},
      },
      OCI_MANIFEST,
    );
    location = {kind: 'registry', registry: target.uri, repository: target.repository};
  }
  const record: SnapshotRecord = {
    digest: snapshot.digest,
    repositoryId,
    base: snapshot.meta.base,
    head: snapshot.head,
    files: snapshot.meta.files.length,
    deleted: snapshot.meta.deleted.length,
    bytes: snapshot.data.length,
    location,
    createdAt: now(),
  };
  await store.collection<SnapshotRecord>('snapshots').put(snapshot.digest, record);
  return record;
}

export function checkDigest(digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new UserError(`"${digest}" is not a snapshot digest.`, {
      hint: (_f, act) =>
        `A snapshot digest is sha256: and 64 hex digits (a run shows it: ${act({kind: 'runs.describe'})}).`,
    });
  }
  return digest;
}

/**
 * The bytes of a snapshot, checked against its digest: from where the profile's record says it
 * went, else from the active stack's registry (a colleague's snapshot), else the store.
 */
export async function loadSnapshot(
  deps: Deps,
  context: ActiveContext,
  store: ProfileStore,
  digest: string,
): Promise<{data: Buffer; record: SnapshotRecord | undefined; from: string}> {
  checkDigest(digest);
  const record = await store.collection<SnapshotRecord>('snapshots').get(digest);
  const tried: string[] = [];
  const verify = (data: Buffer | undefined, from: string) => {
    if (!data) return undefined;
    if (sha256Digest(data) !== digest) {
      throw new UserError(
        `The snapshot ${digest.slice(0, 19)}… from ${from} does not match its digest.`,
        {
          hint: 'It was altered or damaged there; nothing was applied.',
        },
      );
    }
    return {data, record, from};
  };
  const fromStore = verify(await store.blobs.get(digest), 'the profile store');
  if (fromStore) return fromStore;
  tried.push('the profile store');
  const target = await resolveSnapshotTarget(deps, context, store).catch(() => undefined);
  if (target?.kind === 'registry') {
    const repository =
      record?.location.kind === 'registry' && record.location.registry === target.uri
        ? record.location.repository
        : target.repository;
    const registry = await registryClient(target);
    const found = verify(
      await registry.getBlob(repository, digest),
      `${target.host}/${repository}`,
    );
    if (found) return found;
    tried.push(`${target.host}/${repository}`);
  }
  throw new UserError(`No snapshot ${digest} in ${tried.join(' or ')}.`, {
    hint: (_f, act) =>
      record?.location.kind === 'registry'
        ? `It was pushed to ${record.location.registry}: use a stack with that container registry (${act({kind: 'stack.set'})}).`
        : 'Use the stack (or the team profile) whose registry holds it.',
  });
}

export type {SnapshotMeta};
