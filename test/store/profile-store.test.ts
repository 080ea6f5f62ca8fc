// `findBy` on both profile stores: the same answers from SQLite and a real PostgreSQL server, in
// registration order, and the location key looked up through an index rather than a scan.
import path from 'node:path';
import {DatabaseSync} from 'node:sqlite';
import pg from 'pg';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
  openPostgresStore,
  findBySql as postgresFindBySql,
} from '../../source/store/postgres-store.js';
import type {ProfileStore} from '../../source/store/profile-store.js';
import {findBySql as sqliteFindBySql, openSqliteStore} from '../../source/store/sqlite-store.js';
import {tempDir} from '../support/cli.js';
import {startPostgres, type Postgres} from '../support/postgres.js';

type Doc = {name: string; type: string; locationKey?: string | null};

const docs: Doc[] = [
  {name: 'a', type: 'github', locationKey: 'github.com\nacme/a'},
  {name: 'b', type: 'gitlab', locationKey: 'gitlab.com\ng/b'},
  {name: 'legacy', type: 'github'},
  {name: 'custom', type: 'custom', locationKey: null},
  {name: 'a-again', type: 'github', locationKey: 'github.com\nacme/a'},
];

/** The behaviour both stores must share. */
async function checkFindBy(store: ProfileStore): Promise<void> {
  const repositories = store.collection<Doc>('repositories');
  for (const doc of docs) await repositories.insert(doc.name, doc);
  // Another collection with the same key must not leak in.
  await store
    .collection<Doc>('modules')
    .insert('m', {name: 'm', type: 'x', locationKey: 'github.com\nacme/a'});
  const names = (found: Doc[]) => found.map((doc) => doc.name);

  expect(names(await repositories.findBy('locationKey', ['github.com\nacme/a']))).toEqual([
    'a',
    'a-again',
  ]);
  expect(names(await repositories.findBy('locationKey', ['gitlab.com\ng/b', 'nowhere']))).toEqual([
    'b',
  ]);
  // null: records without the field, or with null.
  expect(names(await repositories.findBy('locationKey', [null]))).toEqual(['legacy', 'custom']);
  expect(names(await repositories.findBy('locationKey', ['gitlab.com\ng/b', null]))).toEqual([
    'b',
    'legacy',
    'custom',
  ]);
  expect(await repositories.findBy('locationKey', [])).toEqual([]);
  expect(await repositories.findBy('locationKey', ['GITHUB.COM\nacme/a'])).toEqual([]);
  // Fields without an index work too.
  expect(names(await repositories.findBy('type', ['custom', 'gitlab']))).toEqual(['b', 'custom']);
  // Whole documents come back.
  expect(await repositories.findBy('locationKey', ['gitlab.com\ng/b'])).toEqual([docs[1]]);

  // An update keeps the record's place: the first registration still comes first.
  await repositories.put('a', {...docs[0]!, type: 'gitlab'});
  expect(names(await repositories.findBy('locationKey', ['github.com\nacme/a']))).toEqual([
    'a',
    'a-again',
  ]);

  for (const field of ["locationKey') OR 1=1 --", 'data.x', '', '$.type', 'a b']) {
    await expect(repositories.findBy(field, ['x'])).rejects.toThrow('is not a record field name');
  }

  // keys: those of one collection that start with the prefix (no pattern characters), sorted.
  const modules = store.collection<Doc>('modules');
  for (const key of ['rotate@2', 'rotate@10', 'rotate-demo@1', 'rotate@1', 'other@1'])
    await modules.insert(key, {name: key, type: 'module'});
  expect(await modules.keys('rotate@')).toEqual(['rotate@1', 'rotate@10', 'rotate@2']);
  expect(await modules.keys('rotate_')).toEqual([]);
  expect(await modules.keys('%')).toEqual([]);
  expect(await modules.keys('nothing@')).toEqual([]);
  expect(await repositories.keys('a')).toEqual(['a', 'a-again']);
  expect(await modules.keys('')).toEqual([
    'm',
    'other@1',
    'rotate-demo@1',
    'rotate@1',
    'rotate@10',
    'rotate@2',
  ]);
}

describe('SQLite profile store findBy', () => {
  it('finds records by a top-level field, in registration order', async () => {
    const store = await openSqliteStore(path.join(tempDir('berth-store-'), 'p.db'));
    try {
      await checkFindBy(store);
    } finally {
      await store.close();
    }
  });

  it('looks the location key up through an index, also in a store made before the index', async () => {
    const file = path.join(tempDir('berth-store-'), 'old.db');
    // A store file as berth wrote it before locationKey existed: the table alone.
    const old = new DatabaseSync(file);
    old.exec(
      'CREATE TABLE records (collection TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (collection, key))',
    );
    old.close();
    await (await openSqliteStore(file)).close();

    const db = new DatabaseSync(file);
    try {
      for (const values of [['k1', 'k2'], ['k1', null], [null]]) {
        const plan = db
          .prepare(`EXPLAIN QUERY PLAN ${sqliteFindBySql('locationKey', values)}`)
          .all('repositories', ...values.filter((value) => value !== null))
          .map((row) => String((row as {detail: string}).detail));
        expect(plan.join('\n')).toContain('USING INDEX records_locationKey');
        expect(plan.some((detail) => /^SCAN records\b/.test(detail))).toBe(false);
      }
    } finally {
      db.close();
    }
  });
});

describe('PostgreSQL profile store findBy', () => {
  let postgres: Postgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('finds records by a top-level field, in registration order', async () => {
    const store = await openPostgresStore(postgres.url, 'team');
    try {
      await checkFindBy(store);
    } finally {
      await store.close();
    }
  });

  it('can look the location key up through its index', async () => {
    // The index comes with the table; opening a store a second time must not fail on it.
    const store = await openPostgresStore(postgres.url, 'team');
    try {
      // Enough rows, analyzed, for the planner to choose between a scan and the indexes.
      const repositories = store.collection<unknown>('repositories');
      await store.transaction(async () => {
        for (let i = 0; i < 1000; i++)
          await repositories.put(`r${i}`, {id: `id${i}`, locationKey: `github.com\nacme/r${i}`});
      });
    } finally {
      await store.close();
    }
    const client = new pg.Client({connectionString: postgres.url});
    await client.connect();
    try {
      await client.query('ANALYZE berth_records');
      for (const orMissing of [false, true]) {
        const sql = postgresFindBySql('locationKey', orMissing);
        const {rows} = await client.query<{'QUERY PLAN': string}>(`EXPLAIN ${sql}`, [
          'repositories',
          ['github.com\nacme/a'],
        ]);
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        expect(plan).toContain('berth_records_by_locationkey');
        expect(plan).not.toMatch(/Seq Scan/);
      }
    } finally {
      await client.end();
    }
  });
});
