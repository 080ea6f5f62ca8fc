// The profile store: stacks, components, code repositories, modules and runs of one profile.
// Records are JSON documents in named collections, keyed by a string. The local store is a
// SQLite file (node:sqlite); a PostgreSQL store implements the same interface for teams.

export type CollectionName =
  | 'components'
  | 'stacks'
  | 'repositories'
  | 'modules'
  | 'runs'
  | 'logs'
  | 'snapshots';

/**
 * Top-level document fields the stores index, so `findBy` on them reads only the matching
 * records. `findBy` works on any other top-level field too, by scanning the collection.
 */
export const indexedFields = ['locationKey'] as const;

const fieldPattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Field names are written into SQL (an index only matches the identical expression). */
export function checkFieldName(field: string): string {
  if (!fieldPattern.test(field)) throw new Error(`"${field}" is not a record field name`);
  return field;
}

export interface Collection<T> {
  list(): Promise<T[]>;
  /**
   * Records whose top-level string `field` is one of `values`, in insertion order (as `list`).
   * A null in `values` also matches records without the field (or with null).
   */
  findBy(field: string, values: ReadonlyArray<string | null>): Promise<T[]>;
  /** The keys that start with `prefix`, sorted: without reading a record (a module's versions). */
  keys(prefix: string): Promise<string[]>;
  get(key: string): Promise<T | undefined>;
  /** Inserts a new record; throws DuplicateKeyError when the key exists. */
  insert(key: string, value: T): Promise<void>;
  /** Inserts or replaces. */
  put(key: string, value: T): Promise<void>;
  /** Returns false when there was nothing to delete. */
  delete(key: string): Promise<boolean>;
}

/**
 * Immutable byte strings keyed by their content digest (`sha256:HEX`): log chunks and code
 * snapshots. Writing a digest that exists is a no-op, so writers never coordinate.
 */
export interface BlobStore {
  put(digest: string, data: Uint8Array): Promise<void>;
  get(digest: string): Promise<Buffer | undefined>;
}

export interface ProfileStore {
  readonly location: string;
  collection<T>(name: CollectionName): Collection<T>;
  readonly blobs: BlobStore;
  /** Runs `work` atomically: all of its writes land, or none. */
  transaction<R>(work: () => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

export class DuplicateKeyError extends Error {
  constructor(
    readonly collection: CollectionName,
    readonly key: string,
  ) {
    super(`${collection}/${key} exists`);
  }
}
