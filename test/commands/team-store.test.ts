// A team profile on a real PostgreSQL server: two users (two config dirs) share its stacks.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runBerth, tempDir} from '../support/cli.js';
import {startPostgres, type Postgres} from '../support/postgres.js';

let postgres: Postgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe('postgres profile store', () => {
  it('shares stacks between two users of the same team store', async () => {
    const alice = tempDir('berth-alice-');
    const bob = tempDir('berth-bob-');
    const as = (configDir: string, args: string[]) =>
      runBerth(args, {cwd: configDir, env: {BERTH_CONFIG_DIR: configDir}});

    for (const user of [alice, bob]) {
      const created = await as(user, ['profile', 'create', 'team', '--store-url', postgres.url]);
      expect(created.code, created.stderr).toBe(0);
      expect((await as(user, ['profile', 'set', 'team', '--global'])).code).toBe(0);
    }
    expect((await as(alice, ['stack', 'register', 'shared-gpu'])).code).toBe(0);
    const seenByBob = (await as(bob, ['stack', 'list', '--json'])).json<Array<{name: string}>>();
    expect(seenByBob.map((s) => s.name).sort()).toEqual(['default', 'shared-gpu']);

    const profiles = (await as(bob, ['profile', 'list', '--json'])).json<
      Array<{name: string; storeType: string; active: boolean}>
    >();
    expect(profiles.find((p) => p.name === 'team')).toMatchObject({
      storeType: 'postgres',
      active: true,
    });
  });

  it('refuses a store URL with a password in it, and names an unreachable server', async () => {
    const user = tempDir('berth-carol-');
    const withPassword = await runBerth(
      ['profile', 'create', 'p', '--store-url', 'postgres://u:hunter2@127.0.0.1:1/x'],
      {env: {BERTH_CONFIG_DIR: user}},
    );
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain('PGPASSWORD');
    expect(withPassword.stderr + withPassword.stdout).not.toContain('hunter2');

    const unreachable = await runBerth(
      ['profile', 'create', 'gone', '--store-url', 'postgres://u@127.0.0.1:1/x'],
      {env: {BERTH_CONFIG_DIR: user}},
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("Can't use the PostgreSQL store");
    // Nothing half-made: the profile is not listed.
    const profiles = (
      await runBerth(['profile', 'list', '--json'], {env: {BERTH_CONFIG_DIR: user}})
    ).json<Array<{name: string}>>();
    expect(profiles.map((p) => p.name)).toEqual(['default']);
  });
});
