// The first run creates profile `default` and seeds its store with stack `default`. Killed at any
// point (a crash, Ctrl+C, a full disk), the next command finds a working `default`, never a
// profile without stacks.
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {beforeEach, describe, expect, it} from 'vitest';
import {repoRoot, runBerth, tempDir} from '../support/cli.js';

type StackJson = {name: string; active: boolean; components: Record<string, string>};

const killAt = pathToFileURL(path.join(repoRoot, 'test/support/kill-at.mjs')).href;
const defaultComponents = {
  orchestrator: 'default',
  artifact_store: 'default',
  container_registry: 'default',
  image_builder: 'default',
};

let configDir: string;
let cwd: string;
const berth = (args: string[], env: Record<string, string> = {}) =>
  runBerth(args, {cwd, env: {BERTH_CONFIG_DIR: configDir, ...env}});
const storeFile = () => path.join(configDir, 'profiles', 'default.db');

beforeEach(() => {
  configDir = tempDir('berth-config-');
  cwd = tempDir('berth-cwd-');
});

/** What every later command must see, whatever state the first run was stopped in. */
async function expectHealthyDefault(): Promise<string> {
  const stacks = await berth(['stack', 'list', '--json']);
  expect(stacks.code, stacks.stderr).toBe(0);
  expect(stacks.json<StackJson[]>()).toMatchObject([
    {name: 'default', active: true, components: defaultComponents},
  ]);
  const status = await berth(['stack', 'describe', '--json']);
  expect(status.code, status.stderr).toBe(0);
  const profiles = (await berth(['profile', 'list', '--json'])).json<Array<{name: string}>>();
  expect(profiles.map((p) => p.name)).toEqual(['default']);
  return stacks.stderr;
}

describe('an interrupted first run heals on the next command', () => {
  const points = [
    ['the store file is created, still empty', 'before:PRAGMA journal_mode = WAL'],
    ['the store has its table, no stack yet', 'before:BEGIN IMMEDIATE'],
    ['the default stack is written, not committed', 'before:COMMIT'],
    ['the store is seeded, config.json not yet written', 'after:COMMIT'],
    ['config.json is about to be renamed into place', 'rename:config.json'],
  ] as const;

  for (const [what, point] of points) {
    for (const signal of ['SIGKILL', 'SIGINT']) {
      it(`${signal} when ${what}`, async () => {
        const killed = await berth(['status'], {
          NODE_OPTIONS: `--import=${killAt}`,
          BERTH_TEST_KILL_AT: point,
          BERTH_TEST_KILL_SIGNAL: signal,
        });
        // The kill really happened at that point: no exit code, nothing reported.
        expect(killed.code, `${killed.stdout}\n${killed.stderr}`).toBe(-1);
        expect(killed.stdout).toBe('');
        expect(existsSync(path.join(configDir, 'config.json'))).toBe(false);
        await expectHealthyDefault();
      });
    }
  }
});

describe('a broken store left by an older berth or a full disk', () => {
  function writeConfigNamingDefault() {
    mkdirSync(configDir, {recursive: true});
    writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({
        version: 1,
        activeProfile: 'default',
        previousProfile: null,
        profiles: [
          {
            name: 'default',
            storeType: 'local',
            storeUrl: `sqlite:${storeFile()}`,
            activeStack: 'default',
            previousStack: null,
            createdAt: new Date().toISOString(),
          },
        ],
      }),
    );
  }

  it('config.json names a profile whose store was never written: created, with a notice', async () => {
    writeConfigNamingDefault();
    const stderr = await expectHealthyDefault();
    expect(stderr).toContain("The store of profile 'default'");
    expect(stderr).toContain('was missing: its creation was interrupted');
  });

  it('a zero-byte store is recreated and seeded, with a notice, never "no stacks"', async () => {
    writeConfigNamingDefault();
    mkdirSync(path.dirname(storeFile()), {recursive: true});
    writeFileSync(storeFile(), '');
    const stderr = await expectHealthyDefault();
    expect(stderr).toContain(`The store of profile 'default' (${storeFile()}) was empty (0 bytes)`);
    expect(statSync(storeFile()).size).toBeGreaterThan(0);
    // Said once: the next command finds a healthy store and says nothing.
    const again = await berth(['stack', 'list']);
    expect(again.stderr).not.toContain('was empty');
  });

  it('a zero-byte store of a profile created later is healed the same way', async () => {
    expect((await berth(['profile', 'create', 'team'])).code).toBe(0);
    expect((await berth(['stack', 'register', 'gpu'])).code).toBe(0);
    const team = path.join(configDir, 'profiles', 'team.db');
    writeFileSync(team, '');
    const set = await berth(['profile', 'set', 'team', '--global']);
    expect(set.code, set.stderr).toBe(0);
    const listed = await berth(['stack', 'list', '--json']);
    expect(listed.stderr).toContain("The store of profile 'team'");
    expect(listed.json<StackJson[]>().map((s) => s.name)).toEqual(['default']);
    // The other profile keeps its stacks.
    await berth(['profile', 'set', 'default', '--global']);
    const own = (await berth(['stack', 'list', '--json'])).json<StackJson[]>();
    expect(own.map((s) => s.name)).toEqual(['default', 'gpu']);
    expect(readFileSync(path.join(configDir, 'config.json'), 'utf8')).toContain('"team"');
  });
});
