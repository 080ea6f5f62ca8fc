// `berth runs list/describe` say when in local, short words (how long ago, how long it took);
// `--json` keeps the ISO 8601 times of the contract.
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {localTime} from '../../source/lib/format.js';
import type {RunRecord} from '../../source/models/run.js';
import type {ProfileStore} from '../../source/store/profile-store.js';
import {openSqliteStore} from '../../source/store/sqlite-store.js';
import {runBerth, tempDir} from '../support/cli.js';

const minute = 60_000;
const day = 24 * 60 * minute;

function runRecord(id: string, startedAt: number, finishedAt: number | null): RunRecord {
  return {
    id,
    module: 'add-noise',
    version: 1,
    status: finishedAt === null ? 'running' : 'succeeded',
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: finishedAt === null ? null : new Date(finishedAt).toISOString(),
    parameters: {},
    image: null,
    digest: null,
    codeReference: null,
    orchestrator: {name: 'default', flavor: 'docker'},
    stack: 'default',
    exitCode: finishedAt === null ? null : 0,
    error: null,
  } as RunRecord;
}

let configDir: string;
let store: ProfileStore;
const berth = (args: string[]) =>
  runBerth(args, {cwd: configDir, env: {BERTH_CONFIG_DIR: configDir}});
const now = Date.now();
const old = now - 10 * day;

beforeAll(async () => {
  configDir = tempDir('berth-runs-');
  expect((await berth(['stack', 'list'])).code).toBe(0);
  store = await openSqliteStore(path.join(configDir, 'profiles', 'default.db'));
  const runs = store.collection<RunRecord>('runs');
  await runs.insert('r-old', runRecord('r-old', old, old + 125_000));
  await runs.insert('r-recent', runRecord('r-recent', now - 3 * minute, now - 3 * minute + 3100));
  await runs.insert('r-running', runRecord('r-running', now - 30_000, null));
});
afterAll(async () => {
  await store?.close();
});

describe('berth runs', () => {
  it('list: how long ago it started and how long it took, no ISO timestamps', async () => {
    const result = await berth(['runs', 'list']);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+MODULE\s+VERSION\s+STATUS\s+STARTED\s+DURATION$/);
    const row = (id: string) => rows.find((line) => line.startsWith(id)) ?? '';
    expect(row('r-recent')).toMatch(/succeeded\s+3m ago\s+3\.1 s$/);
    expect(row('r-running')).toMatch(/running\s+\d+s ago\s+-$/);
    // Older than a week: the local day.
    expect(row('r-old')).toMatch(
      new RegExp(`succeeded\\s+${localTime(new Date(old).toISOString()).slice(0, 10)}\\s+2m 05s$`),
    );
    expect(result.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('--json keeps ISO 8601 times', async () => {
    const runs = (await berth(['runs', 'list', '--json'])).json<RunRecord[]>();
    expect(runs.find((run) => run.id === 'r-old')?.startedAt).toBe(new Date(old).toISOString());
  });

  it('describe: local start and end times, with how long ago and how long it took', async () => {
    const result = await berth(['runs', 'describe', 'r-recent']);
    expect(result.code, result.stderr).toBe(0);
    const started = new Date(now - 3 * minute).toISOString();
    const finished = new Date(now - 3 * minute + 3100).toISOString();
    expect(result.stdout).toContain(`Started     ${localTime(started)} (3m ago)`);
    expect(result.stdout).toContain(`Finished    ${localTime(finished)} (took 3.1 s)`);
    expect(result.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });
});
