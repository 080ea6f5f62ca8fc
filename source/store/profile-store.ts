// The profile store: stacks, components, code repositories, modules and runs of one profile.
// Records are JSON documents in named collections, keyed by a string. The local store is a
// SQLite file (node:sqlite); a PostgreSQL store implements the same interface for teams.

export type CollectionName = 'components' | 'stacks' | 'repositories' | 'modules' | 'runs';

export interface Collection<T> {
  list(): Promise<T[]>;
  get(key: string): Promise<T | undefined>;
  /** Inserts a new record; throws DuplicateKeyError when the key exists. */
  insert(key: string, value: T): Promise<void>;
  /** Inserts or replaces. */
  put(key: string, value: T): Promise<void>;
  /** Returns false when there was nothing to delete. */
  delete(key: string): Promise<boolean>;
}

export interface ProfileStore {
  readonly location: string;
  collection<T>(name: CollectionName): Collection<T>;
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
