// A publish, run or sweep without a terminal (CI, pipelines, these tests) takes the command
// program from dist/commands.cjs with the code an earlier run of the command compiled (cli.tsx,
// loadProgram; lib/cached-script.ts); it answers as the ES modules do.
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {runBerth, tempDir, tempProject} from '../support/cli.js';
import {spawnBerth} from '../support/pty.js';

const entry = `@data_processor(name="Scripted", description="runs without a terminal")
@parameter(name="angle", type="float", required=False, defaultValue=90)
def main(angle):
    print(angle)
`;

function setUp() {
  const root = tempDir('berth-scripted-');
  const nodeCache = path.join(root, 'node-cache');
  const env = {BERTH_CONFIG_DIR: path.join(root, 'config'), NODE_COMPILE_CACHE: nodeCache};
  const folders = () =>
    (existsSync(nodeCache) ? readdirSync(nodeCache) : [])
      .map((version) => path.join(nodeCache, version, 'berth'))
      .filter((dir) => existsSync(dir));
  const caches = () => folders().flatMap((dir) => readdirSync(dir));
  const cacheFile = (name: string) => path.join(folders()[0]!, name);
  const project = tempProject({'job.py': entry, 'requirements.txt': 'numpy==2.1.3\n'});
  return {env, caches, cacheFile, project};
}

const traced = (stderr: string, script = 'commands') =>
  new RegExp(`cli: ${script}\\.cjs, (code from the cache|no code cache)`).exec(stderr)?.[1];

describe('a publish without a terminal', () => {
  test('runs the code the last publish compiled, and says what the modules say', async () => {
    const {env, caches, project} = setUp();
    const args = ['publish', project, '--dry-run', '--json'];
    const first = await runBerth(args, {env: {...env, BERTH_TRACE: '1'}});
    expect(first.code, first.stderr).toBe(0);
    expect(traced(first.stderr)).toBe('no code cache');
    expect(caches()).toEqual([expect.stringMatching(/-publish\.ok\.bin$/)]);

    const second = await runBerth(args, {env: {...env, BERTH_TRACE: '1'}});
    expect(traced(second.stderr)).toBe('code from the cache');
    expect(second.stdout).toBe(first.stdout);
    expect(second.json<{name: string}>().name).toBe('Scripted');

    // With Node's compile cache off, the ES modules answer: the same document.
    const fromModules = await runBerth(args, {
      env: {...env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: '1'},
    });
    expect(fromModules.stdout).toBe(first.stdout);
  });

  test('a failed publish keeps its code until one succeeds, and fails as the modules do', async () => {
    const {env, caches, project} = setUp();
    const broken = tempProject({'job.py': entry.replace('defaultValue=90', 'defaultValue=')});
    const failed = await runBerth(['publish', broken, '--dry-run'], {env});
    const fromModules = await runBerth(['publish', broken, '--dry-run'], {
      env: {...env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: '1'},
    });
    expect(failed.code).not.toBe(0);
    expect(failed.code).toBe(fromModules.code);
    expect(failed.stderr).toBe(fromModules.stderr);
    expect(failed.stderr).toMatch(/job\.py:2:/);
    expect(caches()).toEqual([expect.stringMatching(/-publish\.failed\.bin$/)]);

    const succeeded = await runBerth(['publish', project, '--dry-run'], {env});
    expect(succeeded.code).toBe(0);
    expect(caches()).toEqual([expect.stringMatching(/-publish\.ok\.bin$/)]);
  });

  test('a cache cut short (a write that never finished) is refused, and written whole again', async () => {
    const {env, caches, cacheFile, project} = setUp();
    const args = ['publish', project, '--dry-run', '--json'];
    const first = await runBerth(args, {env});
    const file = cacheFile(caches()[0]!);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length >> 1));

    const next = await runBerth(args, {env: {...env, BERTH_TRACE: '1'}});
    expect(traced(next.stderr)).toBe('no code cache');
    expect(next.code).toBe(0);
    expect(next.stdout).toBe(first.stdout);
    expect(readFileSync(file).length).not.toBe(whole.length >> 1);
    const after = await runBerth(args, {env: {...env, BERTH_TRACE: '1'}});
    expect(traced(after.stderr)).toBe('code from the cache');
  });

  test('commands that run little code load their modules, and nothing shows', async () => {
    const {env, caches} = setUp();
    for (let run = 0; run < 2; run++) {
      const result = await runBerth(['stack', 'list'], {env: {...env, BERTH_TRACE: '1'}});
      expect(result.code).toBe(0);
      expect(traced(result.stderr)).toBeUndefined();
      expect(result.stderr).not.toMatch(/Warning|experimental/i);
    }
    expect(caches()).toEqual([]);
  });
});

describe('status and repo detect', () => {
  test('take their compiled code from the last run, in a pipe and in a terminal alike', async () => {
    const {env, caches, project} = setUp();
    const first = await runBerth(['repo', 'detect', '--json'], {
      cwd: project,
      env: {...env, BERTH_TRACE: '1'},
    });
    expect(first.code, first.stderr).toBe(0);
    expect(traced(first.stderr, 'here')).toBe('no code cache');
    expect(caches()).toEqual([expect.stringMatching(/-here\.ok\.bin$/)]);
    const second = await runBerth(['repo', 'detect', '--json'], {
      cwd: project,
      env: {...env, BERTH_TRACE: '1'},
    });
    expect(traced(second.stderr, 'here')).toBe('code from the cache');
    expect(second.stdout).toBe(first.stdout);

    const terminal = spawnBerth(['status'], {cwd: project, env: {...env, BERTH_TRACE: '1'}});
    expect(await terminal.exit).toBe(0);
    expect(terminal.text()).toMatch(/cli: here\.cjs, code from the cache/);
    expect(terminal.text()).toMatch(/Code: +not a git checkout/);
  });
});
