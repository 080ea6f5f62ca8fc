// The local profile store: one SQLite file per profile (node:sqlite, no native addon).
// WAL mode and a busy timeout let many berth processes write at once without losing records.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import type {DatabaseSync as Database} from 'node:sqlite';
import {UserError} from '../lib/errors.js';
import {
  DuplicateKeyError,
  checkFieldName,
  indexedFields,
  type BlobStore,
  type Collection,
  type CollectionName,
  type ProfileStore,
} from './profile-store.js';

export async function openSqliteStore(file: string): Promise<ProfileStore> {
  const {DatabaseSync} = await import('node:sqlite');
  mkdirSync(path.dirname(file), {recursive: true});
  let db: Database;
  try {
    db = new DatabaseSync(file, {timeout: 15_000});
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(
      'CREATE TABLE IF NOT EXISTS records (collection TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (collection, key))',
    );
    db.exec(
      'CREATE TABLE IF NOT EXISTS blobs (digest TEXT NOT NULL PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID',
    );
    // SQLite uses an expression index only for the identical expression: see fieldExpression.
    for (const field of indexedFields) {
      db.exec(
        `CREATE INDEX IF NOT EXISTS records_${field} ON records (collection, ${fieldExpression(field)})`,
      );
    }
  } catch (error) {
    throw new UserError(
      `${file} is not a readable berth profile store: ${(error as Error).message}.`,
      {
        hint: 'Restore it from a backup, or delete the profile and create it again.',
        cause: error,
      },
    );
  }
  return new SqliteStore(file, db);
}

function fieldExpression(field: string): string {
  return `json_extract(data, '$.${checkFieldName(field)}')`;
}

/** `findBy`'s statement; exported for the query-plan test. */
export function findBySql(field: string, values: ReadonlyArray<string | null>): string {
  const expression = fieldExpression(field);
  const strings = values.filter((value) => value !== null);
  const conditions = [
    ...(strings.length > 0 ? [`${expression} IN (${strings.map(() => '?').join(', ')})`] : []),
    ...(values.includes(null) ? [`${expression} IS NULL`] : []),
  ];
  return `SELECT data FROM records WHERE collection = ? AND (${conditions.join(' OR ')}) ORDER BY rowid`;
}

class SqliteStore implements ProfileStore {
  private depth = 0;
  readonly blobs: BlobStore;

  constructor(
    readonly location: string,
    private readonly db: Database,
  ) {
    this.blobs = {
      put: async (digest, data) => {
        db.prepare('INSERT OR IGNORE INTO blobs (digest, data) VALUES (?, ?)').run(digest, data);
      },
      get: async (digest) => {
        const row = db.prepare('SELECT data FROM blobs WHERE digest = ?').get(digest) as
          | {data: Uint8Array}
          | undefined;
        return row
          ? Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength)
          : undefined;
      },
    };
  }

  collection<T>(name: CollectionName): Collection<T> {
    const db = this.db;
    const decode = (row: unknown) => JSON.parse((row as {data: string}).data) as T;
    return {
      list: async () =>
        db
          .prepare('SELECT data FROM records WHERE collection = ? ORDER BY rowid')
          .all(name)
          .map(decode),
      findBy: async (field, values) => {
        if (values.length === 0) return [];
        const strings = values.filter((value) => value !== null);
        return db
          .prepare(findBySql(field, values))
          .all(name, ...strings)
          .map(decode);
      },
      get: async (key) => {
        const row = db
          .prepare('SELECT data FROM records WHERE collection = ? AND key = ?')
          .get(name, key);
        return row ? decode(row) : undefined;
      },
      insert: async (key, value) => {
        try {
          db.prepare('INSERT INTO records (collection, key, data) VALUES (?, ?, ?)').run(
            name,
            key,
            JSON.stringify(value),
          );
        } catch (error) {
          if (/UNIQUE constraint/.test((error as Error).message))
            throw new DuplicateKeyError(name, key);
          throw error;
        }
      },
      put: async (key, value) => {
        db.prepare(
          'INSERT INTO records (collection, key, data) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET data = excluded.data',
        ).run(name, key, JSON.stringify(value));
      },
      delete: async (key) =>
        Number(
          db.prepare('DELETE FROM records WHERE collection = ? AND key = ?').run(name, key).changes,
        ) > 0,
    };
  }

  async transaction<R>(work: () => Promise<R>): Promise<R> {
    if (this.depth > 0) return work();
    this.db.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = await work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.depth--;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
