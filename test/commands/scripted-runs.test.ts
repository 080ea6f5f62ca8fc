// A run without a terminal (CI, pipelines, these tests) takes the command program from
// dist/commands.cjs with the code an earlier run of the command compiled (cli.tsx, loadProgram;
// lib/cached-script.ts); it answers as the ES modules do.
import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {runBerth, tempDir} from '../support/cli.js';

function setUp() {
  const root = tempDir('berth-scripted-');
  const nodeCache = path.join(root, 'node-cache');
  const env = {BERTH_CONFIG_DIR: path.join(root, 'config'), NODE_COMPILE_CACHE: nodeCache};
  const caches = () => {
    const versions = existsSync(nodeCache) ? readdirSync(nodeCache) : [];
    return versions.flatMap((version) => {
      const dir = path.join(nodeCache, version, 'berth');
      return existsSync(dir) ? readdirSync(dir) : [];
    });
  };
  return {env, caches};
}

const traced = (stderr: string) =>
  /cli: commands\.cjs, (code from the cache|no code cache)/.exec(stderr)?.[1];

describe('a run without a terminal', () => {
  test('runs the code the last run of its command compiled, and says the same', async () => {
    const {env, caches} = setUp();
    const first = await runBerth(['stack', 'list', '--json'], {env: {...env, BERTH_TRACE: '1'}});
    expect(first.code).toBe(0);
    expect(traced(first.stderr)).toBe('no code cache');
    expect(caches()).toEqual([expect.stringMatching(/-stack\.ok\.bin$/)]);

    const second = await runBerth(['stack', 'list', '--json'], {env: {...env, BERTH_TRACE: '1'}});
    expect(traced(second.stderr)).toBe('code from the cache');
    expect(second.stdout).toBe(first.stdout);
    expect(second.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({name: 'default'})]),
    );

    // Another command has a cache of its own; a failure's message and exit code are the
    // modules' own (Node's compile cache off: the ES modules answer).
    const failed = await runBerth(['stack', 'describe', 'nope'], {env});
    const fromModules = await runBerth(['stack', 'describe', 'nope'], {
      env: {...env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: '1'},
    });
    expect(failed.code).toBe(fromModules.code);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toBe(fromModules.stderr);
    expect(failed.stderr).toMatch(/No stack named "nope"/);
    const profiles = await runBerth(['profile', 'list'], {env: {...env, BERTH_TRACE: '1'}});
    expect(traced(profiles.stderr)).toBe('no code cache');
    expect(caches().sort()).toEqual([
      expect.stringMatching(/-profile\.ok\.bin$/),
      expect.stringMatching(/-stack\.ok\.bin$/),
    ]);
  });

  test('nothing about the cache shows in what berth prints', async () => {
    const {env} = setUp();
    for (let run = 0; run < 2; run++) {
      const result = await runBerth(['stack', 'list'], {env});
      expect(result.code).toBe(0);
      expect(result.stderr).not.toMatch(/Warning|experimental/i);
    }
  });
});
