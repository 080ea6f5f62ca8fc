// The code cache of dist/commands.cjs (lib/cached-script.ts), on scripts of a few lines in
// temporary folders. That a later process takes the code is checked on the real script in
// test/commands/scripted-runs.test.ts: within one process V8 keeps compiled code of its own.
import {randomUUID} from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {loadCachedScript} from '../../source/lib/cached-script.js';
import {tempDir} from '../support/cli.js';

type Answer = {answer(): string};

/** A script that answers `value` (every call a source of its own: V8 keeps no earlier one). */
function writeScript(file: string, value: string, mtime?: Date): void {
  writeFileSync(
    file,
    `// ${randomUUID()}\nmodule.exports = {answer: () => ${JSON.stringify(value)}};\n`,
  );
  if (mtime) utimesSync(file, mtime, mtime);
}

function setUp() {
  const root = tempDir('berth-code-cache-');
  const nodeCache = path.join(root, 'node-cache', 'v24-x64');
  mkdirSync(nodeCache, {recursive: true, mode: 0o700});
  chmodSync(path.dirname(nodeCache), 0o700);
  const file = path.join(root, 'commands.cjs');
  const caches = () =>
    existsSync(path.join(nodeCache, 'berth'))
      ? readdirSync(path.join(nodeCache, 'berth')).sort()
      : [];
  return {nodeCache, file, caches};
}

describe('the code cache of a script run through node:vm', () => {
  test('is written once a run is over, named for the command and how it ended', () => {
    const {nodeCache, file, caches} = setUp();
    writeScript(file, 'one');
    const failing = loadCachedScript<Answer>(file, 'publish', nodeCache)!;
    expect(failing.exports.answer()).toBe('one');
    expect(failing.fromCache).toBe(false);
    expect(caches()).toEqual([]);
    failing.keepCompiledCode(1);
    expect(caches()).toEqual([expect.stringMatching(/-publish\.failed\.bin$/)]);

    // A run that succeeds writes the cache later runs prefer, and the failed run's goes.
    const succeeding = loadCachedScript<Answer>(file, 'publish', nodeCache)!;
    succeeding.keepCompiledCode(0);
    expect(caches()).toEqual([expect.stringMatching(/-publish\.ok\.bin$/)]);
    expect(statSync(path.join(nodeCache, 'berth', caches()[0]!)).mode & 0o777).toBe(0o600);
  });

  test('never runs the code of another build of the script, and removes its caches', () => {
    const {nodeCache, file, caches} = setUp();
    writeScript(file, 'old', new Date('2026-01-01T00:00:00Z'));
    const old = loadCachedScript<Answer>(file, 'status', nodeCache)!;
    old.keepCompiledCode(0);
    const [oldCache] = caches();

    // The same length (V8 checks no more than that), another text and time.
    writeScript(file, 'new', new Date('2026-01-02T00:00:00Z'));
    const rebuilt = loadCachedScript<Answer>(file, 'status', nodeCache)!;
    expect(rebuilt.fromCache).toBe(false);
    expect(rebuilt.exports.answer()).toBe('new');
    rebuilt.keepCompiledCode(0);
    expect(caches()).toHaveLength(1);
    expect(caches()[0]).not.toBe(oldCache);
  });

  test('is neither read nor written in a folder others can write to', () => {
    const {nodeCache, file, caches} = setUp();
    writeScript(file, 'shared');
    chmodSync(nodeCache, 0o777);
    expect(loadCachedScript<Answer>(file, 'publish', nodeCache)).toBeUndefined();
    chmodSync(nodeCache, 0o700);
    chmodSync(path.dirname(nodeCache), 0o777);
    expect(loadCachedScript<Answer>(file, 'publish', nodeCache)).toBeUndefined();
    expect(caches()).toEqual([]);
    expect(loadCachedScript<Answer>(file, 'publish', undefined)).toBeUndefined();
  });
});
