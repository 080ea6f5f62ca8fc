// The team store: the same collections as the local SQLite store, in one PostgreSQL table.
// One connection per berth process; transactions run on it.
import type {Client} from 'pg';
import {UserError} from '../lib/errors.js';
import {redactUrl} from '../lib/git-url.js';
import {
  DuplicateKeyError,
  checkFieldName,
  indexedFields,
  type BlobStore,
  type Collection,
  type CollectionName,
  type ProfileStore,
} from './profile-store.js';

const schema = `
CREATE TABLE IF NOT EXISTS berth_records (
  collection text NOT NULL,
  key text NOT NULL,
  data jsonb NOT NULL,
  seq bigserial,
  PRIMARY KEY (collection, key)
);
CREATE TABLE IF NOT EXISTS berth_blobs (
  digest text PRIMARY KEY,
  data bytea NOT NULL
);
${indexedFields
  .map(
    (field) =>
      `CREATE INDEX IF NOT EXISTS berth_records_${field.toLowerCase()} ON berth_records (collection, ${fieldExpression(field)});`,
  )
  .join('\n')}`;

// The field is written into the statement, not passed as a parameter: the planner matches an
// expression index only against the identical expression.
function fieldExpression(field: string): string {
  return `(data->>'${checkFieldName(field)}')`;
}

export async function openPostgresStore(url: string, profileName: string): Promise<ProfileStore> {
  const pg = await import('pg');
  const ClientClass = (pg.default ?? pg).Client;
  const client: Client = new ClientClass({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 30_000,
  });
  const target = redactUrl(url);
  try {
    await client.connect();
    // Concurrent first connections would race on CREATE TABLE IF NOT EXISTS.
    await client.query('SELECT pg_advisory_lock(731245)');
    try {
      await client.query(schema);
    } finally {
      await client.query('SELECT pg_advisory_unlock(731245)');
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new UserError(
      `Can't use the PostgreSQL store of profile '${profileName}' at ${target}: ${(error as Error).message}.`,
      {
        hint: 'Start the database or fix the URL (`berth profile describe`); passwords go in PGPASSWORD or ~/.pgpass.',
        cause: error,
      },
    );
  }
  return new PostgresStore(target, client);
}

/** `findBy`'s statement ($1 collection, $2 the string values); exported for the plan test. */
export function findBySql(field: string, orMissing: boolean): string {
  const expression = fieldExpression(field);
  const missing = orMissing ? ` OR ${expression} IS NULL` : '';
  return `SELECT data FROM berth_records WHERE collection = $1 AND (${expression} = ANY($2::text[])${missing}) ORDER BY seq`;
}

class PostgresStore implements ProfileStore {
  private depth = 0;
  readonly blobs: BlobStore;

  constructor(
    readonly location: string,
    private readonly client: Client,
  ) {
    this.blobs = {
      put: async (digest, data) => {
        await client.query(
          'INSERT INTO berth_blobs (digest, data) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING',
          [digest, Buffer.from(data)],
        );
      },
      get: async (digest) =>
        (
          await client.query<{data: Buffer}>('SELECT data FROM berth_blobs WHERE digest = $1', [
            digest,
          ])
        ).rows[0]?.data,
    };
  }

  collection<T>(name: CollectionName): Collection<T> {
    const client = this.client;
    return {
      list: async () =>
        (
          await client.query<{data: T}>(
            'SELECT data FROM berth_records WHERE collection = $1 ORDER BY seq',
            [name],
          )
        ).rows.map((row) => row.data),
      findBy: async (field, values) => {
        if (values.length === 0) return [];
        const strings = values.filter((value) => value !== null);
        const sql = findBySql(field, values.includes(null));
        return (await client.query<{data: T}>(sql, [name, strings])).rows.map((row) => row.data);
      },
      get: async (key) =>
        (
          await client.query<{data: T}>(
            'SELECT data FROM berth_records WHERE collection = $1 AND key = $2',
            [name, key],
          )
        ).rows[0]?.data,
      insert: async (key, value) => {
        try {
          await client.query(
            'INSERT INTO berth_records (collection, key, data) VALUES ($1, $2, $3)',
            [name, key, JSON.stringify(value)],
          );
        } catch (error) {
          if ((error as {code?: string}).code === '23505') throw new DuplicateKeyError(name, key);
          throw error;
        }
      },
      put: async (key, value) => {
        await client.query(
          'INSERT INTO berth_records (collection, key, data) VALUES ($1, $2, $3) ON CONFLICT (collection, key) DO UPDATE SET data = excluded.data',
          [name, key, JSON.stringify(value)],
        );
      },
      delete: async (key) =>
        ((
          await client.query('DELETE FROM berth_records WHERE collection = $1 AND key = $2', [
            name,
            key,
          ])
        ).rowCount ?? 0) > 0,
    };
  }

  async transaction<R>(work: () => Promise<R>): Promise<R> {
    if (this.depth > 0) return work();
    await this.client.query('BEGIN');
    this.depth++;
    // Transactions that check and then write (a stack's components exist, no stack uses a
    // component) run one at a time, as SQLite's BEGIN IMMEDIATE makes them: under READ
    // COMMITTED two of them could each pass their check before either writes.
    await this.client.query('SELECT pg_advisory_xact_lock(731246)');
    try {
      const result = await work();
      await this.client.query('COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.depth--;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
