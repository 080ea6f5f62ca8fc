// `berth logs` against logs kept in the profile store: a 1,000,000-line run log printed whole,
// cut to its tail, filtered, followed while a writer is still adding lines, and opened in the
// terminal viewer (a real pty) that scrolls and searches it by paging from the store; a
// colleague on the same PostgreSQL team store reads the same log.
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {RunRecord} from '../../source/models/run.js';
import {LogVaultWriter, runLogKey} from '../../source/services/log-vault.js';
import {openPostgresStore} from '../../source/store/postgres-store.js';
import type {ProfileStore} from '../../source/store/profile-store.js';
import {openSqliteStore} from '../../source/store/sqlite-store.js';
import {runBerth, tempDir} from '../support/cli.js';
import {startPostgres, type Postgres} from '../support/postgres.js';
import {keys, spawnBerth} from '../support/pty.js';

const LINES = 1_000_000;
const NEEDLE_AT = 876_543;
const lineOf = (i: number) =>
  i === NEEDLE_AT ? `step ${i} NEEDLE in the haystack` : `step ${i} ${i % 2 ? 'odd' : 'even'}`;

function runRecord(id: string, status: RunRecord['status']): RunRecord {
  return {
    id,
    module: 'demo',
    version: 1,
    status,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    parameters: {},
    image: null,
    digest: null,
    codeReference: null,
    orchestrator: {name: 'local', flavor: 'local'},
    stack: 'default',
    exitCode: null,
    error: null,
  } as RunRecord;
}

let configDir: string;
let store: ProfileStore;
const as = (args: string[], dir = configDir) =>
  runBerth(args, {cwd: dir, env: {BERTH_CONFIG_DIR: dir}, timeoutMs: 120_000});

beforeAll(async () => {
  configDir = tempDir('berth-logs-');
  expect((await as(['stack', 'list'])).code).toBe(0);
  store = await openSqliteStore(path.join(configDir, 'profiles', 'default.db'));
  await store.collection<RunRecord>('runs').insert('big-run', runRecord('big-run', 'succeeded'));
  const writer = new LogVaultWriter(store, runLogKey('big-run'), {kind: 'run', subject: 'big-run'});
  for (let i = 0; i < LINES; i++) writer.line(lineOf(i));
  await writer.close();
}, 300_000);

afterAll(async () => {
  await store?.close();
});

describe('berth logs (plain)', () => {
  it('prints a 1,000,000-line log whole, its tail, and the lines matching a pattern', async () => {
    const all = await as(['logs', 'big-run']);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.split('\n');
    expect(lines).toHaveLength(LINES + 1);
    expect(lines[0]).toBe(lineOf(0));
    expect(lines[LINES - 1]).toBe(lineOf(LINES - 1));

    const tail = await as(['logs', 'big-run', '--tail', '2']);
    expect(tail.stdout).toBe(`${lineOf(LINES - 2)}\n${lineOf(LINES - 1)}\n`);
    const grep = await as(['logs', 'big-run', '--grep', 'NEEDLE|step 99999[0-9] odd']);
    expect(grep.stdout.split('\n').filter(Boolean)).toEqual([
      lineOf(NEEDLE_AT),
      ...[999_991, 999_993, 999_995, 999_997, 999_999].map(lineOf),
    ]);
    const lastOdd = await as(['logs', 'big-run', '--grep', 'odd$', '--tail', '1']);
    expect(lastOdd.stdout).toBe(`${lineOf(999_999)}\n`);
  });

  it('names what is wrong: a bad pattern, a bad count, an unknown run, a version without a log', async () => {
    const pattern = await as(['logs', 'big-run', '--grep', '(']);
    expect(pattern.code).toBe(2);
    expect(pattern.stderr).toContain('--grep "(" is not a regular expression');
    expect((await as(['logs', 'big-run', '--tail', 'ten'])).code).toBe(2);
    const unknown = await as(['logs', 'no-such-run']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No run with id "no-such-run"');
    const module = await as(['logs', 'demo@1']);
    expect(module.code).toBe(1);
    expect(module.stderr).toContain('No module named "demo"');
  });

  it('follows a run while it writes, and stops when the run ends', async () => {
    await store.collection<RunRecord>('runs').insert('live', runRecord('live', 'running'));
    const writer = new LogVaultWriter(
      store,
      runLogKey('live'),
      {kind: 'run', subject: 'live'},
      {flushMs: 50},
    );
    writer.line('first');
    await writer.flush();
    const following = as(['logs', 'live', '--follow', '--grep', '^(first|later|last)']);
    for (let i = 0; i < 50; i++) writer.line(`noise ${i}`);
    writer.line('later');
    await writer.flush();
    writer.line('last');
    await writer.close();
    await store.collection<RunRecord>('runs').put('live', runRecord('live', 'succeeded'));
    const result = await following;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('first\nlater\nlast\n');
  });
});

describe('berth logs (terminal viewer)', () => {
  it('opens the 1,000,000-line log, pages, jumps to the end and searches it', async () => {
    const session = spawnBerth(['logs', 'big-run'], {
      cwd: configDir,
      env: {BERTH_CONFIG_DIR: configDir},
      cols: 100,
      rows: 30,
    });
    try {
      await session.waitFor(/big-run · lines 1–25 of 1,000,000/, 120_000);
      await session.waitFor('step 24 even', 120_000);
      await session.waitFor(/search.*quit/, 120_000);
      session.mark();
      await session.write(keys.pageDown);
      await session.waitFor('lines 26–50 of 1,000,000', 120_000);
      session.mark();
      await session.write('G');
      await session.waitFor('lines 999976–1000000 of 1,000,000', 120_000);
      await session.waitFor('step 999999 odd', 120_000);
      session.mark();
      await session.write('g');
      await session.waitFor('lines 1–25', 120_000);
      session.mark();
      await session.type('/NEEDLE');
      await session.write(keys.enter);
      await session.waitFor(`lines ${NEEDLE_AT - 8 + 1}–`, 120_000);
      await session.waitFor('in the haystack', 120_000);
      session.mark();
      await session.type('/nowhere');
      await session.write(keys.enter);
      await session.waitFor('"nowhere" is not in the log', 120_000);
      await session.write('q');
      expect(await session.exit).toBe(0);
    } finally {
      session.kill();
    }
  }, 600_000);
});

describe('berth logs on a team store', () => {
  let postgres: Postgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
  });

  it("shows a colleague's run log from the shared PostgreSQL store", async () => {
    const alice = tempDir('berth-logs-alice-');
    const bob = tempDir('berth-logs-bob-');
    for (const user of [alice, bob]) {
      expect(
        (await as(['profile', 'create', 'team', '--store-url', postgres.url], user)).code,
      ).toBe(0);
      expect((await as(['profile', 'set', 'team', '--global'], user)).code).toBe(0);
    }
    const team = await openPostgresStore(postgres.url, 'team');
    try {
      await team
        .collection<RunRecord>('runs')
        .insert('alice-run', runRecord('alice-run', 'succeeded'));
      const writer = new LogVaultWriter(team, runLogKey('alice-run'), {
        kind: 'run',
        subject: 'alice-run',
      });
      for (let i = 0; i < 10_000; i++) writer.line(lineOf(i));
      await writer.close();
    } finally {
      await team.close();
    }
    const seen = await as(['logs', 'alice-run', '--tail', '1'], bob);
    expect(seen.code, seen.stderr).toBe(0);
    expect(seen.stdout).toBe(`${lineOf(9_999)}\n`);
    expect(seen.stderr).toContain("Running with active profile: 'team'");
  });
});
