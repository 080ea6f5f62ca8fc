// The local profile store: one SQLite file per profile (node:sqlite, no native addon).
// WAL mode and a busy timeout let many berth processes write at once without losing records.
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
  statfsSync,
} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import type {DatabaseSync as Database, SQLInputValue} from 'node:sqlite';
import {BerthError, UserError} from '../lib/errors.js';
import {fileError, isFileSystemError} from '../lib/file-errors.js';
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
  try {
    mkdirSync(path.dirname(file), {recursive: true});
  } catch (error) {
    throw fileError(error, path.dirname(file), 'create');
  }
  keepPrivate(file);
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
    // A store on a read-only file system can still be read (SQLite reads a WAL database
    // without creating its -shm file when the connection is read-only); writes then fail with
    // the reason.
    const blocker = existsSync(file) ? writeBlocker(path.dirname(file)) : undefined;
    if (blocker) {
      // On a read-only file system nobody can be writing it, so it is read as immutable (no
      // -shm file needed); elsewhere (a permission) the owner may be writing: read-only only.
      const location = pathToFileURL(file);
      if (blocker.code === 'EROFS') location.searchParams.set('immutable', '1');
      try {
        return new SqliteStore(file, new DatabaseSync(location, {readOnly: true, timeout: 15_000}));
      } catch {
        // fall through to the first error
      }
    }
    throw storeError(error, file);
  }
  return new SqliteStore(file, db);
}

/**
 * A profile store is its owner's alone, like config.json (0600): a new one is created with that
 * mode before SQLite opens it (SQLite gives its -wal and -shm files the database's mode), and
 * one an older berth made readable by others is narrowed. Failures (a read-only file system, a
 * file of another user) are left to the open, which names them.
 */
function keepPrivate(file: string): void {
  try {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
    return;
  } catch {
    // it exists (or can't be made: the open says why)
  }
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      const {mode} = statSync(`${file}${suffix}`);
      if ((mode & 0o077) !== 0) chmodSync(`${file}${suffix}`, mode & 0o700);
    } catch {
      // missing, or not ours to change
    }
  }
}

/** SQLite's primary result codes that berth explains (extended codes carry them in the low byte). */
const sqlite = {
  constraint: 19,
  perm: 3,
  busy: 5,
  locked: 6,
  readOnly: 8,
  ioErr: 10,
  corrupt: 11,
  full: 13,
  cantOpen: 14,
  notADb: 26,
};

/** The errno that stops writing in `directory` or `file`, if any (EROFS, EACCES, EPERM). */
function writeBlocker(target: string): NodeJS.ErrnoException | undefined {
  try {
    accessSync(target, constants.W_OK);
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

function noSpaceLeft(directory: string): boolean {
  try {
    const stats = statfsSync(directory);
    return stats.bavail === 0;
  } catch {
    return false;
  }
}

/** What went wrong with the store file, in words that name the real cause and the file. */
export function storeError(error: unknown, file: string): Error {
  if (error instanceof BerthError) return error;
  const errcode = (error as {errcode?: unknown}).errcode;
  if (typeof errcode !== 'number')
    return isFileSystemError(error) ? fileError(error, file) : (error as Error);
  const primary = errcode & 0xff;
  const directory = path.dirname(file);
  const message = (error as Error).message;
  // A constraint (a duplicate key) is the caller's business, not a fault of the file.
  if (primary === sqlite.constraint) return error as Error;
  if (primary === sqlite.full || noSpaceLeft(directory))
    return fileError(Object.assign(new Error(message), {code: 'ENOSPC'}), file);
  if (primary === sqlite.readOnly || primary === sqlite.cantOpen || primary === sqlite.perm) {
    const blocker = writeBlocker(directory) ?? (existsSync(file) ? writeBlocker(file) : undefined);
    if (blocker) return fileError(blocker, file);
  }
  if (primary === sqlite.busy || primary === sqlite.locked) {
    return new UserError(`${file} is busy: another berth process kept it locked for 15 s.`, {
      hint: 'Try again when the other berth command has finished.',
      cause: error,
    });
  }
  if (primary === sqlite.notADb || primary === sqlite.corrupt) {
    return new UserError(`${file} is not a readable profile store: ${message}.`, {
      hint: 'Restore it from a backup, or delete the profile and create it again.',
      cause: error,
    });
  }
  return new UserError(`Can't use the profile store ${file}: ${message}.`, {
    hint: 'Check the disk and the file (free space, permissions, attributes); berth changed nothing.',
    cause: error,
  });
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

type Statement = ReturnType<Database['prepare']>;
/** The part of a database the store uses, with every failure explained (see the constructor). */
type Statements = {
  prepare(sql: string): {
    run(...args: SQLInputValue[]): ReturnType<Statement['run']>;
    get(...args: SQLInputValue[]): ReturnType<Statement['get']>;
    all(...args: SQLInputValue[]): ReturnType<Statement['all']>;
  };
  exec(sql: string): void;
  close(): void;
};

class SqliteStore implements ProfileStore {
  private depth = 0;
  readonly blobs: BlobStore;
  private readonly db: Statements;

  constructor(
    readonly location: string,
    raw: Database,
  ) {
    // Every statement's failure (a full disk, a read-only file) is explained with the file.
    const explain = <R>(run: () => R): R => {
      try {
        return run();
      } catch (error) {
        throw storeError(error, location);
      }
    };
    this.db = {
      prepare: (sql) => {
        const statement = explain(() => raw.prepare(sql));
        return {
          run: (...args: SQLInputValue[]) => explain(() => statement.run(...args)),
          get: (...args: SQLInputValue[]) => explain(() => statement.get(...args)),
          all: (...args: SQLInputValue[]) => explain(() => statement.all(...args)),
        };
      },
      exec: (sql) => explain(() => raw.exec(sql)),
      close: () => raw.close(),
    };
    const db = this.db;
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
      keys: async (prefix) =>
        db
          .prepare(
            "SELECT key FROM records WHERE collection = ? AND (? = '' OR instr(key, ?) = 1) ORDER BY key",
          )
          .all(name, prefix, prefix)
          .map((row) => (row as {key: string}).key),
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
      // SQLite may have rolled back already (a full disk): the first error is the one to tell.
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // nothing left to roll back
      }
      throw error;
    } finally {
      this.depth--;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
