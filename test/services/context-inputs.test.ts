// What the prompt snippet watches (services/context-inputs.ts): everything the resolution read,
// and nothing for a team store, whose stacks change on another machine.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createDeps, type Deps} from '../../source/deps.js';
import {resolveContext} from '../../source/services/context.js';
import {contextInputs, recordStoreOpens} from '../../source/services/context-inputs.js';
import {cleanEnv, runBerth, tempDir} from '../support/cli.js';

let deps: Deps | undefined;
afterEach(async () => {
  await deps?.close();
  deps = undefined;
});

describe('contextInputs', () => {
  it('names the config, every .berth looked at up to the root, and the store it opened', async () => {
    const configDir = tempDir('berth-inputs-config-');
    const root = tempDir('berth-inputs-repo-');
    const env = {BERTH_CONFIG_DIR: configDir};
    expect((await runBerth(['stack', 'register', 'gpu'], {cwd: root, env})).code).toBe(0);
    expect((await runBerth(['init'], {cwd: root, env})).code).toBe(0);
    expect((await runBerth(['stack', 'set', 'gpu'], {cwd: root, env})).code).toBe(0);
    const cwd = path.join(root, 'a', 'b');
    mkdirSync(cwd, {recursive: true});
    deps = createDeps({env: cleanEnv(env), cwd});
    const opened = recordStoreOpens(deps);
    expect((await resolveContext(deps)).stackName).toBe('gpu');
    const store = path.join(configDir, 'profiles', 'default.db');
    expect(contextInputs(deps, opened)).toEqual([
      {kind: 'directory', path: configDir},
      {kind: 'file', path: path.join(configDir, 'config.json')},
      {kind: 'optional', path: path.join(configDir, 'tokens.json')},
      {kind: 'not-directory', path: path.join(root, 'a', 'b', '.berth')},
      {kind: 'not-directory', path: path.join(root, 'a', '.berth')},
      {kind: 'directory', path: path.join(root, '.berth')},
      {kind: 'optional', path: path.join(root, '.berth', 'config.yaml')},
      {kind: 'file', path: store},
      {kind: 'optional', path: `${store}-wal`},
    ]);
  });

  it('outside a repository: every .berth up to the file-system root; no store when none was read', async () => {
    const configDir = tempDir('berth-inputs-config-');
    const cwd = tempDir('berth-inputs-plain-');
    deps = createDeps({env: cleanEnv({BERTH_CONFIG_DIR: configDir}), cwd});
    const opened = recordStoreOpens(deps);
    await resolveContext(deps); // the first run creates the default profile (and opens its store)
    opened.length = 0;
    await resolveContext(deps);
    const inputs = contextInputs(deps, opened)!;
    const looked = inputs.filter((input) => input.kind === 'not-directory');
    expect(looked.at(0)?.path).toBe(path.join(cwd, '.berth'));
    expect(looked.at(-1)?.path).toBe(path.join(path.parse(cwd).root, '.berth'));
    expect(inputs.some((input) => input.path.includes('profiles'))).toBe(false);
  });

  it('gives none to keep when a team store (PostgreSQL) was read', () => {
    deps = createDeps({env: cleanEnv({BERTH_CONFIG_DIR: tempDir('berth-inputs-config-')})});
    const team = {
      name: 'team',
      storeType: 'postgres' as const,
      storeUrl: 'postgres://berth@127.0.0.1:5432/berth',
      activeStack: 'default',
      previousStack: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    expect(contextInputs(deps, [team])).toBeUndefined();
  });
});
