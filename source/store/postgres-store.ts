// The team store: the same collections as the local SQLite store, in one PostgreSQL table
// whose rows belong to the role that wrote them, with row-level security deciding who sees
// what (store/postgres-schema.ts). One connection per berth process; transactions run on it.
import type {Client} from 'pg';
import {UserError, type FieldText} from '../lib/errors.js';
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
import {
  checkSql,
  fieldColumn,
  memberRole,
  schemaVersion,
  setupSql,
  versionSql,
} from './postgres-schema.js';

// The field is written into the statement, not passed as a parameter: an indexed field is its
// own column (postgres-schema.ts); any other is read from the document.
function fieldExpression(field: string): string {
  return (indexedFields as readonly string[]).includes(field)
    ? fieldColumn(field)
    : `(data->>'${checkFieldName(field)}')`;
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
    await prepareSchema(client, target);
  } catch (error) {
    await client.end().catch(() => undefined);
    if (error instanceof UserError) throw error;
    throw new UserError(
      `Can't use the PostgreSQL store of profile '${profileName}' at ${target}: ${(error as Error).message}.`,
      {
        hint: (_f, act) =>
          `Start the database or fix the URL (${act({kind: 'profile.describe'})}); passwords go in PGPASSWORD or ~/.pgpass.`,
        cause: error,
      },
    );
  }
  return new PostgresStore(target, client);
}

type SchemaState = {
  role: string;
  owner: string | null;
  has_records: boolean;
  has_meta: boolean;
  can_use: boolean;
};

async function schemaState(client: Client): Promise<SchemaState & {ready: boolean}> {
  const state = (await client.query<SchemaState>(checkSql)).rows[0]!;
  const version =
    state.has_meta && state.can_use
      ? Number((await client.query<{version: number}>(versionSql)).rows[0]?.version ?? 0)
      : 0;
  return {...state, ready: state.can_use && version >= schemaVersion};
}

/**
 * Uses the schema when it is set up at this version and the role may use it; otherwise sets it
 * up (or upgrades it), which only its owner can: anyone else is told what to ask for.
 */
async function prepareSchema(client: Client, target: string): Promise<void> {
  const state = await schemaState(client);
  if (state.ready) return;
  if (state.has_meta && !state.can_use) throw noAccess(state, target);
  try {
    // Concurrent first connections would race on CREATE … IF NOT EXISTS; whoever waited finds
    // the work done.
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(731245)');
    if (!(await schemaState(client)).ready) await client.query(setupSql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const code = (error as {code?: string}).code;
    // 42501: insufficient privilege (no CREATE on the schema, not the tables' owner).
    if (code === '42501' || /must be owner|permission denied/i.test((error as Error).message)) {
      throw cannotSetUp(state, target, (error as Error).message, error);
    }
    throw error;
  }
  const after = await schemaState(client);
  if (!after.can_use) throw noAccess(after, target);
}

function cannotSetUp(
  state: SchemaState,
  target: string,
  reason: string,
  cause: unknown,
): UserError {
  if (state.has_records) {
    return new UserError(
      `The team store at ${target} is from an older berth, and role ${state.role} cannot upgrade it (${reason}).`,
      {
        hint: (_f, act) =>
          `Its owner${state.owner ? `, role ${state.owner},` : ''} upgrades it by using it once with a profile on the store (${act({kind: 'stack.list'})}), then grants each member: GRANT ${memberRole} TO ${state.role};`,
        cause,
      },
    );
  }
  // A role that may create the tables but not the members' role: only that is missing.
  const hint: FieldText = /create role/i.test(reason)
    ? `A superuser creates the members' role once: CREATE ROLE ${memberRole} NOLOGIN; (or ALTER ROLE ${state.role} CREATEROLE;), then role ${state.role} runs this command again.`
    : (_f, act) =>
        `Its owner sets it up once: a role with CREATE on schema public and CREATEROLE runs ${act({kind: 'profile.create', storeUrl: 'postgres://THAT_ROLE@HOST/DB'})}, then grants you: GRANT ${memberRole} TO ${state.role};`;
  return new UserError(
    `The team store at ${target} is not set up, and role ${state.role} cannot set it up (${reason}).`,
    {hint, cause},
  );
}

function noAccess(state: SchemaState, target: string): UserError {
  return new UserError(`Role ${state.role} has no access to the team store at ${target}.`, {
    hint: `Ask its owner${state.owner ? ` (role ${state.owner})` : ''} to run: GRANT ${memberRole} TO ${state.role};`,
  });
}

/** `findBy`'s statement ($1 collection, $2 the string values); exported for the plan test. */
export function findBySql(field: string, orMissing: boolean): string {
  const expression = fieldExpression(field);
  const missing = orMissing ? ` OR ${expression} IS NULL` : '';
  return `SELECT data FROM berth_records WHERE collection = $1 AND (${expression} = ANY($2::text[])${missing}) ORDER BY seq`;
}

function takenByAnother(collection: CollectionName, key: string, cause?: unknown): UserError {
  return new UserError(
    `"${key}" is taken in the team store's ${collection} by a record private to another role.`,
    {hint: 'Choose another name.', cause},
  );
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
      keys: async (prefix) =>
        (
          await client.query<{key: string}>(
            'SELECT key FROM berth_records WHERE collection = $1 AND left(key, length($2)) = $2 ORDER BY key COLLATE "C"',
            [name, prefix],
          )
        ).rows.map((row) => row.key),
      get: async (key) =>
        (
          await client.query<{data: T}>(
            'SELECT data FROM berth_records WHERE collection = $1 AND key = $2',
            [name, key],
          )
        ).rows[0]?.data,
      insert: async (key, value) => {
        // DO NOTHING rather than a unique violation: an open transaction stays usable, and the
        // key's row can be looked for, which row-level security may hide.
        const inserted = await client.query(
          'INSERT INTO berth_records (collection, key, data) VALUES ($1, $2, $3) ON CONFLICT (collection, key) DO NOTHING',
          [name, key, JSON.stringify(value)],
        );
        if (inserted.rowCount) return;
        const visible = await client.query(
          'SELECT 1 FROM berth_records WHERE collection = $1 AND key = $2',
          [name, key],
        );
        throw visible.rowCount ? new DuplicateKeyError(name, key) : takenByAnother(name, key);
      },
      put: async (key, value) => {
        try {
          await client.query(
            'INSERT INTO berth_records (collection, key, data) VALUES ($1, $2, $3) ON CONFLICT (collection, key) DO UPDATE SET data = excluded.data',
            [name, key, JSON.stringify(value)],
          );
        } catch (error) {
          // The existing row is hidden from this role, or would become so.
          if (/row-level security/.test((error as Error).message))
            throw takenByAnother(name, key, error);
          throw error;
        }
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
