// The log vault on both profile stores: a log is kept whole (no line lost or clipped, however
// long), paged back in any order, searched both ways, cut to its tail, and followed while a
// writer is still adding lines — from SQLite and from a real PostgreSQL server alike.
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LogVaultReader, LogVaultWriter} from '../../source/services/log-vault.js';
import {openPostgresStore} from '../../source/store/postgres-store.js';
import type {ProfileStore} from '../../source/store/profile-store.js';
import {openSqliteStore} from '../../source/store/sqlite-store.js';
import {tempDir} from '../support/cli.js';
import {startPostgres, type Postgres} from '../support/postgres.js';

const lineOf = (i: number) => `line ${i} ${i % 1000 === 0 ? 'ERROR boom' : 'ok'}`;

async function checkVault(store: ProfileStore): Promise<void> {
  // Small chunks so 20,000 lines span many of them.
  const writer = new LogVaultWriter(
    store,
    'publish/demo@1',
    {kind: 'publish', subject: 'demo@1'},
    {
      chunkLines: 1000,
      flushMs: 0,
    },
  );
  for (let i = 0; i < 20_000; i++) writer.line(lineOf(i));
  // One line far longer than BuildKit's 1 MiB per step: kept whole.
  const long = 'x'.repeat(3 * 1024 * 1024);
  writer.line(long);
  writer.write('partial ');
  writer.write('line\r\nand its end');
  await writer.close();

  const reader = (await LogVaultReader.open(store, 'publish/demo@1', {cacheChunks: 2}))!;
  expect(reader.complete).toBe(true);
  expect(reader.lineCount).toBe(20_003);
  expect(await reader.lines(0, 3)).toEqual([lineOf(0), lineOf(1), lineOf(2)]);
  // Across a chunk boundary, then backwards, then the last lines.
  expect(await reader.lines(998, 4)).toEqual([998, 999, 1000, 1001].map(lineOf));
  expect(await reader.lines(15_500, 2)).toEqual([lineOf(15_500), lineOf(15_501)]);
  expect(await reader.lines(19_999, 10)).toEqual([
    lineOf(19_999),
    long,
    'partial line',
    'and its end',
  ]);
  const all: string[] = [];
  for await (const line of reader.stream()) all.push(line);
  expect(all).toHaveLength(20_003);
  expect(all[12_345]).toBe(lineOf(12_345));

  expect(await reader.find('error BOOM', 1)).toBe(1000);
  expect(await reader.find('error boom', 1000)).toBe(1000);
  expect(await reader.find('error boom', 19_001)).toBe(0); // wraps around
  expect(await reader.find('error boom', 4500, -1)).toBe(4000);
  expect(await reader.find('error boom', 0, -1)).toBe(0);
  expect(await reader.find('error boom', 999, -1)).toBe(0);
  expect(await reader.find('and its', 0)).toBe(20_002); // in the inline tail
  expect(await reader.find('line 19999 ', 20_002, -1)).toBe(19_999);
  expect(await reader.find('never there', 0)).toBeUndefined();
  let text = '';
  for await (const block of reader.texts()) text += block.toString('utf8');
  expect(text.split('\n')).toHaveLength(20_004);

  // The same chunk content is stored once.
  const again = new LogVaultWriter(
    store,
    'publish/demo@2',
    {kind: 'publish', subject: 'demo@2'},
    {
      chunkLines: 1000,
      flushMs: 0,
    },
  );
  for (let i = 0; i < 1000; i++) again.line(lineOf(i));
  await again.close();
  const first = await store
    .collection<{chunks: Array<{digest: string}>}>('logs')
    .get('publish/demo@1');
  const second = await store
    .collection<{chunks: Array<{digest: string}>}>('logs')
    .get('publish/demo@2');
  expect(second!.chunks[0]!.digest).toBe(first!.chunks[0]!.digest);
}

async function checkFollow(store: ProfileStore): Promise<void> {
  const writer = new LogVaultWriter(
    store,
    'run/r1',
    {kind: 'run', subject: 'r1'},
    {
      chunkLines: 10,
      flushMs: 0,
    },
  );
  const out = writer.channel();
  const err = writer.channel();
  out('stdout half');
  err('stderr line\n');
  out(' joined\n');
  await writer.flush();
  const reader = (await LogVaultReader.open(store, 'run/r1'))!;
  expect(reader.complete).toBe(false);
  expect(await reader.lines(0, 10)).toEqual(['stderr line', 'stdout half joined']);
  for (let i = 0; i < 25; i++) writer.line(`more ${i}`);
  await writer.flush();
  expect(await reader.refresh()).toBe(27);
  expect(await reader.lines(25, 5)).toEqual(['more 23', 'more 24']);
  await writer.close();
  await reader.refresh();
  expect(reader.complete).toBe(true);
}

/** A short log (a code change's publish) is complete and whole with its lines in the record. */
async function checkShort(store: ProfileStore): Promise<void> {
  const writer = new LogVaultWriter(store, 'publish/short@1', {kind: 'publish', subject: 's@1'});
  for (let i = 0; i < 40; i++) writer.line(lineOf(i));
  writer.write('no newline at the end');
  await writer.close();
  const record = await store.collection<{chunks: unknown[]}>('logs').get('publish/short@1');
  expect(record!.chunks).toEqual([]);
  const reader = (await LogVaultReader.open(store, 'publish/short@1'))!;
  expect(reader.complete).toBe(true);
  expect(reader.lineCount).toBe(41);
  expect(await reader.lines(38, 10)).toEqual([lineOf(38), lineOf(39), 'no newline at the end']);
}

describe('log vault on SQLite', () => {
  let store: ProfileStore;
  beforeAll(async () => {
    store = await openSqliteStore(path.join(tempDir('berth-vault-'), 'p.db'));
  });
  afterAll(async () => store?.close());
  it('keeps a log whole and pages, searches and dedupes it', () => checkVault(store));
  it('is readable while it is written', () => checkFollow(store));
  it('keeps a short log in its record, complete', () => checkShort(store));
});

describe('log vault on PostgreSQL', () => {
  let postgres: Postgres;
  let store: ProfileStore;
  beforeAll(async () => {
    postgres = await startPostgres();
    store = await openPostgresStore(postgres.url, 'team');
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await postgres?.stop();
  });
  it('keeps a log whole and pages, searches and dedupes it', () => checkVault(store));
  it('is readable while it is written', () => checkFollow(store));
  it('keeps a short log in its record, complete', () => checkShort(store));
});
