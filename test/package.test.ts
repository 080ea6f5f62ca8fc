// berth as users install it: the packed tarball installed globally into a temp prefix, and the
// checkout's bin linked onto PATH (what `npm link` does), each run from another directory with
// the system's Node first on PATH. An old Node hears which Node berth needs, or berth relaunches
// itself on the Node the package pins; it never crashes inside berth.
import {execFile} from 'node:child_process';
import {copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, nodeBinary, repoRoot, runBerth, tempDir} from './support/cli.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};

/** The first `node` on the system PATH that is not this project's pinned one. */
async function systemNode(): Promise<{binary: string; version: string} | undefined> {
  const directories = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((directory) => directory && !directory.includes('node_modules'));
  for (const directory of [...directories, '/usr/bin', '/usr/local/bin']) {
    const binary = path.join(directory, 'node');
    try {
      const {stdout} = await run(binary, ['--version']);
      return {binary, version: stdout.trim()};
    } catch {
      // No node here.
    }
  }
  return undefined;
}

type Result = {code: number; stdout: string; stderr: string};

async function berthOnPath(
  binDirectory: string,
  nodeDirectory: string,
  args: string[],
  cwd: string,
  configDir: string,
): Promise<Result> {
  const env = cleanEnv({
    // The chosen Node first, then berth, then the system: never node_modules/.bin.
    PATH: [nodeDirectory, binDirectory, '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    BERTH_CONFIG_DIR: configDir,
  });
  try {
    const {stdout, stderr} = await run('berth', args, {cwd, env, timeout: 60_000});
    return {code: 0, stdout, stderr};
  } catch (error) {
    const failed = error as {code?: number; stdout?: string; stderr?: string};
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

/** `npm install --global` of a packed tarball into `prefix`, as a user installs berth. A packed
 *  tarball has no lockfile, so npm asks the registry for every dependency's metadata (about 230
 *  requests on a new machine). A request that stalls is retried after 20 s instead of npm's 5
 *  minutes; an install that still fails (a stalled network, seen once on a new machine) is run once
 *  more, when npm's cache holds what the first one fetched. npm's own words are the message. */
async function installGlobally(tarball: string, prefix: string): Promise<void> {
  const args = [
    'install',
    '--global',
    '--prefix',
    prefix,
    tarball,
    '--prefer-offline',
    '--fetch-timeout=20000',
    '--fetch-retries=5',
    '--fetch-retry-mintimeout=1000',
    '--fetch-retry-maxtimeout=10000',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ];
  let failure = '';
  for (const timeout of [240_000, 150_000]) {
    try {
      await run('npm', args, {env: cleanEnv(), timeout});
      return;
    } catch (error) {
      const failed = error as {stderr?: string; killed?: boolean; message: string};
      failure += `${failed.killed ? `npm was stopped after ${timeout / 1000} s. ` : ''}${
        failed.stderr?.trim().split('\n').slice(-15).join('\n') || failed.message
      }\n`;
    }
  }
  throw new Error(`npm install --global failed twice:\n${failure}`);
}

const oldNode = await systemNode();
const oldMajor = oldNode ? Number(oldNode.version.replace(/^v/, '').split('.')[0]) : 0;
// The machines this runs on have Node 20 as the system Node (see ENVIRONMENT.md); CI must test it.
const haveOldNode = oldNode !== undefined && oldMajor < 22;

describe.skipIf(!haveOldNode && process.env.CI !== 'true')('the installed package', () => {
  let prefixBin: string;
  let linkBin: string;
  let elsewhere: string;
  let configDir: string;

  beforeAll(async () => {
    expect(
      haveOldNode,
      `a system Node older than 22 to test with (found ${oldNode?.version})`,
    ).toBe(true);
    const work = tempDir('berth-package-');
    // The tarball as published: `files` and `bin` of package.json decide what is in it.
    await run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], {
      cwd: repoRoot,
      env: cleanEnv(),
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    // Its dependencies' files come from the npm cache that `npm ci` filled; no scripts run.
    const prefix = path.join(work, 'prefix');
    await installGlobally(path.join(work, tarball!), prefix);
    prefixBin = path.join(prefix, 'bin');
    // `npm link` puts a symlink to the checkout's bin on PATH.
    linkBin = path.join(work, 'link-bin');
    mkdirSync(linkBin);
    symlinkSync(path.join(repoRoot, 'bin', 'berth.cjs'), path.join(linkBin, 'berth'));
    elsewhere = tempDir('berth-elsewhere-');
    configDir = path.join(work, 'config');
  }, 420_000);

  it('on the system Node (old), the global install says which Node it needs and exits 1', async () => {
    const nodeDirectory = path.dirname(oldNode!.binary);
    for (const args of [['--version'], ['status']]) {
      const result = await berthOnPath(prefixBin, nodeDirectory, args, elsewhere, configDir);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(
        `berth needs Node.js 22 or newer (found ${oldNode!.version}).`,
      );
      expect(result.stderr).toContain('Install Node.js 22 or newer');
      expect(result.stderr).not.toContain('berth hit a bug');
      expect(result.stdout).toBe('');
    }
  });

  it('on Node 22 or newer, the global install runs from any directory', async () => {
    const nodeDirectory = path.dirname(nodeBinary);
    const version = await berthOnPath(
      prefixBin,
      nodeDirectory,
      ['--version'],
      elsewhere,
      configDir,
    );
    expect(version).toMatchObject({code: 0, stdout: `${pkg.version}\n`});
    const status = await berthOnPath(
      prefixBin,
      nodeDirectory,
      ['status', '--json'],
      elsewhere,
      configDir,
    );
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      repositoryRoot: null,
      profile: {name: 'default'},
      stack: {name: 'default'},
    });
  });

  it('linked from the checkout, on the system Node, it relaunches on the Node the package pins', async () => {
    const nodeDirectory = path.dirname(oldNode!.binary);
    const version = await berthOnPath(linkBin, nodeDirectory, ['--version'], elsewhere, configDir);
    expect(version).toMatchObject({code: 0, stdout: `${pkg.version}\n`});
    const status = await berthOnPath(
      linkBin,
      nodeDirectory,
      ['status', '--json'],
      elsewhere,
      configDir,
    );
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({repositoryRoot: null});
    // A failing command keeps its exit code through the relaunch.
    const usage = await berthOnPath(linkBin, nodeDirectory, ['stak'], elsewhere, configDir);
    expect(usage.code).toBe(2);
  });

  it('`npx berth` in the checkout, on the system Node, runs berth', async () => {
    const env = cleanEnv({
      PATH: [path.dirname(oldNode!.binary), '/usr/local/bin', '/usr/bin', '/bin'].join(
        path.delimiter,
      ),
      BERTH_CONFIG_DIR: configDir,
    });
    const {stdout} = await run('npx', ['berth', '--version'], {cwd: repoRoot, env});
    expect(stdout).toBe(`${pkg.version}\n`);
  });
});

describe('a checkout not built yet', () => {
  it('says how to build it, on any Node', async () => {
    const checkout = tempDir('berth-unbuilt-');
    mkdirSync(path.join(checkout, 'bin'));
    copyFileSync(path.join(repoRoot, 'bin', 'berth.cjs'), path.join(checkout, 'bin', 'berth.cjs'));
    for (const node of [nodeBinary, ...(haveOldNode ? [oldNode!.binary] : [])]) {
      const failed = await run(node, [path.join(checkout, 'bin', 'berth.cjs'), 'status'], {
        env: cleanEnv(),
      }).then(
        () => undefined,
        (error: {code?: number; stderr?: string}) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toBe(
        `berth is not built yet: ${path.join(checkout, 'dist', 'cli.js')} is missing.\nRun \`npm run build\` in ${checkout} (\`npm start\` builds it too), then run berth again.\n`,
      );
    }
  });
});

describe('npm start', () => {
  it('`npm start -- status` reports on the directory it was typed in (INIT_CWD), not the checkout', async () => {
    const project = tempDir('berth-npm-start-');
    const configDir = tempDir('berth-config-');
    expect(
      (await runBerth(['init'], {cwd: project, env: {BERTH_CONFIG_DIR: configDir}})).code,
    ).toBe(0);
    // What npm sets for a script of this package, run from `project`: the script runs in the checkout.
    const npmStart = {
      BERTH_CONFIG_DIR: configDir,
      npm_lifecycle_event: 'start',
      npm_package_json: path.join(repoRoot, 'package.json'),
      INIT_CWD: project,
    };
    const status = await runBerth(['status', '--json'], {cwd: repoRoot, env: npmStart});
    expect(status.code, status.stderr).toBe(0);
    expect(status.json<{repositoryRoot: string | null}>().repositoryRoot).toBe(project);
    // Another script of the package (the test run itself) leaves the directory alone.
    const other = await runBerth(['status', '--json'], {
      cwd: repoRoot,
      env: {...npmStart, npm_lifecycle_event: 'test'},
    });
    expect(other.json<{repositoryRoot: string | null}>().repositoryRoot).toBeNull();
  });
});
