// Concurrency and corruption: nothing lost, nothing half-written, errors that name the file.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {runBerth, tempDir} from '../support/cli.js';

let configDir: string;
let project: string;
const berth = (args: string[], cwd = project) =>
  runBerth(args, {cwd, env: {BERTH_CONFIG_DIR: configDir}, timeoutMs: 120_000});

beforeEach(() => {
  configDir = tempDir('berth-config-');
  project = tempDir('berth-project-');
});

describe('32 processes at once', () => {
  it('register stacks and switch the active stack without losing anything', async () => {
    await berth(['status']);
    await berth(['init']);
    const names = Array.from({length: 32}, (_, i) => `s${i}`);
    const results = await Promise.all(
      names.map((name, i) =>
        berth(
          ['stack', 'register', name, ...(i % 2 === 0 ? ['--set'] : [])],
          i % 4 === 0 ? project : configDir,
        ),
      ),
    );
    for (const result of results) expect(result.stderr).not.toContain('Error');
    expect(results.map((r) => r.code)).toEqual(names.map(() => 0));

    const stacks = (await berth(['stack', 'list', '--json'])).json<Array<{name: string}>>();
    expect(stacks.map((s) => s.name).sort()).toEqual(['default', ...names].sort());
    // Both files are whole and valid.
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as {
      profiles: Array<{activeStack: string}>;
    };
    expect(names).toContain(config.profiles[0]?.activeStack);
    expect(readFileSync(path.join(project, '.berth/config.yaml'), 'utf8')).toMatch(
      /active_stack: s\d+/,
    );
  });
});

describe('corrupt files', () => {
  it('names a corrupt config.json, exits 1 and leaves it as it was', async () => {
    await berth(['status']);
    const file = path.join(configDir, 'config.json');
    writeFileSync(file, '{"profiles": [');
    const result = await berth(['stack', 'register', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('{"profiles": [');
  });

  it('names the file and line of a broken .berth/config.yaml and leaves it unchanged', async () => {
    await berth(['init']);
    const file = path.join(project, '.berth/config.yaml');
    const broken = 'active_profile: default\nactive_stack: [unclosed\n';
    writeFileSync(file, broken);
    const result = await berth(['stack', 'set', 'default']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`),
    );
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });

  it('names a profile store that is not a database and leaves it unchanged', async () => {
    await berth(['status']);
    const store = path.join(configDir, 'profiles/default.db');
    writeFileSync(store, 'this is not sqlite '.repeat(100));
    const result = await berth(['stack', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(store);
    expect(readFileSync(store, 'utf8')).toBe('this is not sqlite '.repeat(100));
  });
});
