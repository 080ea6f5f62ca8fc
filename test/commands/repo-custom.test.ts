// Custom code repositories: the example module from examples/custom-repository, loaded from a
// path relative to the cwd, plus the ways a module can be wrong.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {
  cleanEnv,
  cliPath,
  nodeBinary,
  repoRoot,
  runBerth,
  tempDir,
  type RunResult,
} from '../support/cli.js';
import {waitFor} from '../support/wait.js';
import {downloadRepo, git, makeSourceRepository, registerCustom} from './repo-fixture.js';

const example = path.join(repoRoot, 'examples/custom-repository/git-mirror-repository.mjs');
let mirror: string;
let sha: string;
let configDir: string;
let work: string;

beforeAll(() => {
  const source = tempDir('berth-custom-source-');
  ({sha} = makeSourceRepository(source));
  mirror = path.join(tempDir('berth-custom-mirror-'), 'models.git');
  git(source, 'clone', '-q', '--bare', source, mirror);
});
afterAll(() => undefined);
beforeEach(() => {
  configDir = tempDir('berth-custom-config-');
  work = tempDir('berth-custom-work-');
});

const berth = (args: string[], cwd = work): Promise<RunResult> =>
  runBerth(args, {cwd, env: {BERTH_CONFIG_DIR: configDir}});
const runner = {berth};

function writeModule(name: string, text: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return `./${name}`;
}

describe('custom repositories', () => {
  it('registers the example module (relative path stored absolute), detects a checkout and downloads a commit', async () => {
    const relative = path.relative(work, example);
    const registered = await registerCustom(
      runner,
      'mirror',
      `${relative}#GitMirrorRepository`,
      '--option',
      `url=${mirror}`,
      '--json',
    );
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.json()).toMatchObject({
      type: 'custom',
      source: `${example}#GitMirrorRepository`,
      options: {url: mirror},
      host: null,
      token: null,
    });

    const checkout = path.join(tempDir('berth-custom-clone-'), 'models');
    git(path.dirname(checkout), 'clone', '-q', mirror, checkout);
    const detect = await berth(['repo', 'detect', 'services/api', '--json'], checkout);
    expect(detect.code, detect.stderr).toBe(0);
    expect(detect.json()).toMatchObject({
      repository: 'mirror',
      remote: 'custom:mirror',
      commit: sha,
      subdirectory: 'services/api',
      clean: true,
      pushed: true,
      reason: null,
    });

    const target = path.join(tempDir('berth-custom-out-'), 'files');
    const download = await downloadRepo(runner, 'mirror', sha, target, '--json');
    expect(download.code, download.stderr).toBe(0);
    // A custom repository's files are counted as written: their size is not a compressed one.
    expect(download.json()).toMatchObject({files: 4, symlinks: 2, compressed: false, requests: 0});
    expect(statSync(path.join(target, 'run.sh')).mode & 0o111).not.toBe(0);
    expect(readFileSync(path.join(target, 'README.md'), 'utf8')).toBe('# widgets\n');
  });

  it('accepts a factory function export and merges --option on update', async () => {
    const registered = await registerCustom(
      runner,
      'mirror',
      `${example}#createGitMirrorRepository`,
      '--option',
      `url=${mirror}`,
    );
    expect(registered.code, registered.stderr).toBe(0);
    const updated = await berth(['repo', 'update', 'mirror', '--option', 'note=x', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json()).toMatchObject({options: {url: mirror, note: 'x'}});
  });

  it('fails clearly when login() fails, and stores nothing', async () => {
    const result = await registerCustom(
      runner,
      'mirror',
      `${example}#GitMirrorRepository`,
      '--option',
      `url=${path.join(work, 'none.git')}`,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('login() failed');
    expect(result.stderr).toContain('is not a git repository');
    expect((await berth(['repo', 'list', '--json'])).json()).toEqual([]);
  });

  it('names the problem: missing file, missing export, missing method, throwing constructor, syntax error', async () => {
    const missingFile = await registerCustom(runner, 'x', './nope.mjs#Repo');
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain(`${path.join(work, 'nope.mjs')} does not exist`);

    const source = writeModule(
      'partial.mjs',
      'export class Partial { login() {} getLocalContext() { return null; } }\nexport const value = 1;\n',
    );
    const wrongExport = await registerCustom(runner, 'x', `${source}#Nope`);
    expect(wrongExport.code).toBe(1);
    expect(wrongExport.stderr).toContain('has no class or function export "Nope"');
    expect(wrongExport.stderr).toContain('Its function exports: Partial');

    const missingMethod = await registerCustom(runner, 'x', `${source}#Partial`);
    expect(missingMethod.code).toBe(1);
    expect(missingMethod.stderr).toContain('does not implement downloadFiles()');

    const throwing = writeModule(
      'throwing.mjs',
      'export class Throwing { constructor(o) { throw new Error(`needs url, got ${JSON.stringify(o)}`); } }\n',
    );
    const failed = await registerCustom(runner, 'x', `${throwing}#Throwing`, '--option', 'a=b');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('failed to start: needs url, got {"a":"b"}');

    const broken = writeModule('broken.mjs', 'export class {\n');
    const syntax = await registerCustom(runner, 'x', `${broken}#X`);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toContain("Can't load");

    const noSource = await berth(['repo', 'register', 'x', '--type', 'custom']);
    expect(noSource.code).toBe(2);
  });

  it('a failing downloadFiles() leaves no partial directory', async () => {
    const source = writeModule(
      'half.mjs',
      `import {writeFileSync} from 'node:fs';\nexport class Half { login() {} getLocalContext() { return null; }\n  downloadFiles(commit, dir) { writeFileSync(dir + '/one.txt', '1'); throw new Error('connection lost'); } }\n`,
    );
    mkdirSync(path.join(work, 'sub'));
    expect((await registerCustom(runner, 'half', `${source}#Half`)).code).toBe(0);
    const target = path.join(work, 'out');
    const result = await downloadRepo(runner, 'half', sha, target);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('downloadFiles() failed: connection lost');
    expect(existsSync(target)).toBe(false);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s during a downloadFiles() that never ends: exit %i, nothing left, even when the module ignores the signal',
    async (signal, code) => {
      const source = writeModule(
        'endless.mjs',
        `import {writeFileSync} from 'node:fs';\nexport class Endless { login() {} getLocalContext() { return null; }\n  downloadFiles(commit, dir) { writeFileSync(dir + '/one.txt', '1'); setInterval(() => undefined, 1000); return new Promise(() => undefined); } }\n`,
      );
      expect((await registerCustom(runner, 'endless', `${source}#Endless`)).code).toBe(0);
      // An empty directory given as the target is emptied again, not removed.
      const target = path.join(work, 'out');
      mkdirSync(target);
      const child = spawn(
        nodeBinary,
        [cliPath, 'repo', 'download', 'endless', '--commit', sha, '--dir', target],
        {
          cwd: work,
          env: cleanEnv({BERTH_CONFIG_DIR: configDir}),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitFor(() => existsSync(path.join(target, 'one.txt')), {
        timeoutMs: 30_000,
        message: 'the download to have started',
      });
      child.kill(signal);
      expect(await exited, stderr).toBe(code);
      expect(stderr).not.toMatch(/berth hit a bug|Unhandled|at .*\.js:\d+/);
      expect(stderr).toContain(`nothing was written to ${target}`);
      expect(readdirSync(target)).toEqual([]);
    },
    60_000,
  );
});
