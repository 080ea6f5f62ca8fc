// Hard faults through the built CLI: a read-only or immutable config dir, a full disk, EPERM on
// rename, a read-only store, and hostile repository configs. Each error names the real cause
// and the file, nothing is half-written, and none reads as a bug or a lock held by someone.
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runBerth, tempDir, type RunResult} from '../support/cli.js';
import {
  configDirIn,
  fill,
  mountExt4,
  mountTmpfs,
  remountReadOnly,
  remountReadWrite,
  setImmutable,
  unmountAll,
} from '../support/mounts.js';

let configDir: string;
let project: string;
const berth = (args: string[]) =>
  runBerth(args, {cwd: project, env: {BERTH_CONFIG_DIR: configDir}, timeoutMs: 60_000});

beforeEach(() => {
  project = tempDir('berth-project-');
});
afterEach(() => unmountAll());

async function ok(result: Promise<RunResult>): Promise<RunResult> {
  const done = await result;
  expect(done.code, `${done.stdout}\n${done.stderr}`).toBe(0);
  return done;
}

/** A clear failure: exit 1, no crash, no blame on a lock or another process. */
function expectClearFailure(result: RunResult, cause: RegExp, file: string): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(cause);
  expect(result.stderr).toContain(file);
  expect(result.stderr).not.toMatch(
    /berth hit a bug|another berth process|remove .*\.lock|delete the profile/,
  );
}

const stackNames = async () =>
  (await ok(berth(['stack', 'list', '--json']))).json<Array<{name: string}>>().map((s) => s.name);

describe('a read-only config dir', () => {
  it('refuses writes naming the read-only file system, and reads still work', async () => {
    const mount = mountTmpfs(4096);
    configDir = configDirIn(mount);
    await ok(berth(['stack', 'register', 'before']));
    remountReadOnly(mount);
    const result = await berth(['stack', 'register', 'gpu', '--set']);
    expectClearFailure(result, /read-only/, configDir);
    expect(await stackNames()).toEqual(['default', 'before']);
    remountReadWrite(mount);
    expect(await stackNames()).toEqual(['default', 'before']);
  });
});

describe('an immutable config dir (chattr +i)', () => {
  it('stack register --set writes nothing when config.json cannot be changed', async () => {
    const mount = mountExt4();
    configDir = configDirIn(mount);
    await ok(berth(['status']));
    setImmutable(configDir, true);
    const result = await berth(['stack', 'register', 'gpu', '--set']);
    expectClearFailure(result, /not permitted/, configDir);
    setImmutable(configDir, false);
    expect(await stackNames()).toEqual(['default']);
  });

  it('EPERM on the rename over config.json names config.json', async () => {
    const mount = mountExt4();
    configDir = configDirIn(mount);
    await ok(berth(['stack', 'register', 'gpu']));
    const file = path.join(configDir, 'config.json');
    const before = readFileSync(file, 'utf8');
    setImmutable(file, true);
    const result = await berth(['stack', 'set', 'gpu', '--global']);
    expectClearFailure(result, /not permitted/, file);
    setImmutable(file, false);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('profile create leaves no store behind when config.json cannot be changed', async () => {
    const mount = mountExt4();
    configDir = configDirIn(mount);
    await ok(berth(['status']));
    setImmutable(path.join(configDir, 'config.json'), true);
    const result = await berth(['profile', 'create', 'team']);
    expectClearFailure(result, /not permitted/, 'config.json');
    setImmutable(path.join(configDir, 'config.json'), false);
    expect(
      (await ok(berth(['profile', 'list', '--json']))).json<Array<{name: string}>>(),
    ).toHaveLength(1);
    expect(readFileSync(path.join(configDir, 'config.json'), 'utf8')).not.toContain('team');
    const stores = (await import('node:fs')).readdirSync(path.join(configDir, 'profiles'));
    expect(stores.filter((name) => name.startsWith('team'))).toEqual([]);
  });

  it('a read-only (immutable) store is named, and left as it was', async () => {
    const mount = mountExt4();
    configDir = configDirIn(mount);
    await ok(berth(['stack', 'register', 'gpu']));
    const store = path.join(configDir, 'profiles/default.db');
    setImmutable(store, true);
    const result = await berth(['stack', 'register', 'cpu']);
    expectClearFailure(result, /read-only|not permitted/, store);
    setImmutable(store, false);
    expect(await stackNames()).toEqual(['default', 'gpu']);
  });
});

describe('a full disk', () => {
  it('says no space is left, names the file, and the store stays whole', async () => {
    const mount = mountTmpfs(2048);
    configDir = configDirIn(mount);
    await ok(berth(['stack', 'register', 'gpu']));
    const filler = fill(mount);
    const register = await berth(['stack', 'register', 'x'.repeat(60)]);
    expectClearFailure(register, /no space|disk is full/i, configDir);
    const create = await berth(['profile', 'create', 'team']);
    expectClearFailure(create, /no space|disk is full/i, configDir);
    rmSync(filler);
    expect(await stackNames()).toEqual(['default', 'gpu']);
    expect(readFileSync(path.join(configDir, 'config.json'), 'utf8')).not.toContain('team');
  });
});

describe('hostile repository configs', () => {
  beforeEach(() => {
    configDir = tempDir('berth-config-');
  });

  it('a YAML alias bomb in .berth/config.yaml is refused, naming the file', async () => {
    await ok(berth(['init']));
    const file = path.join(project, '.berth/config.yaml');
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    writeFileSync(file, `${levels.join('\n')}\nactive_stack: *i\n`);
    for (const args of [['status'], ['stack', 'list']]) {
      const result = await berth(args);
      expectClearFailure(result, /alias/i, file);
    }
  });

  it.each([
    ['flow collections 20,000 deep', `active_stack: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`],
    [
      'blocks 200 deep',
      Array.from({length: 200}, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n'),
    ],
  ])('a .berth/config.yaml nesting %s is refused, naming the file', async (_what, text) => {
    await ok(berth(['init']));
    const file = path.join(project, '.berth/config.yaml');
    writeFileSync(file, text);
    expectClearFailure(await berth(['status']), /nests collections \d+ levels deep/, file);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it.each([
    ['a symlink to /dev/zero', (file: string) => symlinkSync('/dev/zero', file)],
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file])],
  ])('a .berth/config.yaml that is %s is refused, not read forever', async (_what, make) => {
    mkdirSync(path.join(project, '.berth'));
    const file = path.join(project, '.berth/config.yaml');
    make(file);
    expectClearFailure(await berth(['status']), /is not a regular file/, file);
  });

  it('.berth/config.yaml that is a directory is named', async () => {
    mkdirSync(path.join(project, '.berth/config.yaml'), {recursive: true});
    const result = await berth(['status']);
    expectClearFailure(result, /is a directory/, path.join(project, '.berth/config.yaml'));
  });

  it('a .berth that is a file is named by init', async () => {
    writeFileSync(path.join(project, '.berth'), 'not a directory');
    const result = await berth(['init']);
    expectClearFailure(result, /is a file/, path.join(project, '.berth'));
    expect(readFileSync(path.join(project, '.berth'), 'utf8')).toBe('not a directory');
  });
});
