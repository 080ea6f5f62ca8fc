// `berth repo detect` and `berth status`: real clones with every remote form people use,
// matched against registered repositories without a single network request.
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {
  git,
  makeSourceRepository,
  registerGithub,
  registerGitlab,
  startRepoWorld,
  type RepoWorld,
} from './repo-fixture.js';

let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;
let origin: string;
let sha: string;

type Detection = {
  repository: string | null;
  remote: string | null;
  commit: string | null;
  subdirectory: string | null;
  clean: boolean;
  pushed: boolean;
  reason: string | null;
  repositoryId: string | null;
  codeReference: {
    repositoryId: string;
    commit: string;
    subdirectory: string;
    clean: boolean;
    pushed: boolean;
  } | null;
};

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  const work = tempDir('berth-detect-source-');
  ({sha} = makeSourceRepository(work));
  origin = path.join(tempDir('berth-detect-bare-'), 'widgets.git');
  git(work, 'clone', '-q', '--bare', work, origin);
  world.forge.addRepository({provider: 'github', path: 'acme/widgets', gitDir: origin});
  world.forge.addRepository({provider: 'gitlab', path: 'ml/vision/yolo', gitDir: origin});
});
afterAll(async () => stop?.());
afterEach(() => world.expectNoLeaks());

/** A clone with remote-tracking refs, then its remote pointed at `url` (as a real clone would be). */
function clone(url: string, name = 'origin'): string {
  const dir = path.join(tempDir('berth-detect-clone-'), 'widgets');
  git(path.dirname(dir), 'clone', '-q', '--origin', name, origin, dir);
  git(dir, 'remote', 'set-url', name, url);
  return dir;
}

async function detect(
  dir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<Detection> {
  const result = await world.berth(['repo', 'detect', ...extra, '--json'], {cwd: dir, env});
  expect(result.code, result.stderr).toBe(0);
  return result.json<Detection>();
}

beforeEach(async () => {
  fresh();
  const gh = await registerGithub(world, 'widgets', {
    owner: 'acme',
    repository: 'widgets',
    host: 'github.com',
  });
  expect(gh.code, gh.stderr).toBe(0);
  const gl = await registerGitlab(world, 'yolo', {
    group: 'ml/vision',
    project: 'yolo',
    host: 'gitlab.example.com',
  });
  expect(gl.code, gl.stderr).toBe(0);
  world.forge.reset();
});

describe('repo detect: remote forms', () => {
  const cases: Array<[string, string, string]> = [
    ['https with .git', 'https://github.com/acme/widgets.git', 'widgets'],
    ['https without .git', 'https://github.com/acme/widgets', 'widgets'],
    ['a trailing slash', 'https://github.com/acme/widgets/', 'widgets'],
    ['an uppercase host and owner', 'https://GitHub.COM/Acme/widgets.git', 'widgets'],
    [
      'credentials in the URL (CI)',
      'https://x-access-token:ghs_ciSecretInRemote0000@github.com/acme/widgets.git',
      'widgets',
    ],
    ['scp form', 'git@github.com:acme/widgets.git', 'widgets'],
    ['ssh with a port', 'ssh://git@github.com:2222/acme/widgets.git', 'widgets'],
    ['another ssh user', 'deploy@github.com:acme/widgets.git', 'widgets'],
    ['GitLab subgroups over ssh', 'ssh://git@gitlab.example.com:2224/ml/vision/yolo.git', 'yolo'],
    ['GitLab https in another case', 'https://GITLAB.example.com/ML/Vision/Yolo', 'yolo'],
  ];
  it.each(cases)('matches %s', async (_label, url, expected) => {
    const dir = clone(url);
    const detection = await detect(dir);
    expect(detection).toMatchObject({
      repository: expected,
      commit: sha,
      subdirectory: '',
      clean: true,
      pushed: true,
      reason: null,
    });
    expect(detection.remote).toMatch(/^origin=/);
    expect(detection.remote).not.toContain('ghs_ciSecretInRemote0000');
    expect(detection.codeReference).toEqual({
      repositoryId: detection.repositoryId,
      commit: sha,
      subdirectory: '',
      clean: true,
      pushed: true,
      snapshot: null,
    });
    expect(world.forge.requests).toEqual([]);
  });

  it('considers every remote and reports the one that matched', async () => {
    const dir = clone('https://github.com/me/widgets-fork.git');
    git(dir, 'remote', 'add', 'upstream', 'git@github.com:acme/widgets.git');
    git(dir, 'update-ref', 'refs/remotes/upstream/main', 'HEAD');
    const detection = await detect(dir);
    expect(detection.repository).toBe('widgets');
    expect(detection.remote).toBe('upstream=git@github.com:acme/widgets.git');
    expect(detection.pushed).toBe(true);
  });

  it('reports no match with the remotes it saw, and exits 0', async () => {
    const dir = clone('https://github.com/someone/else.git');
    const detection = await detect(dir);
    expect(detection).toMatchObject({
      repository: null,
      remote: null,
      commit: sha,
      codeReference: null,
    });
    expect(detection.reason).toBe(
      'no registered repository matches remote origin=https://github.com/someone/else.git',
    );
  });
});

describe('repo detect: checkout states', () => {
  it('a modified file makes it dirty: no code reference, and the reason says why', async () => {
    const dir = clone('https://github.com/acme/widgets.git');
    appendFileSync(path.join(dir, 'README.md'), 'more\n');
    const detection = await detect(dir);
    expect(detection).toMatchObject({
      repository: 'widgets',
      clean: false,
      pushed: true,
      codeReference: null,
    });
    expect(detection.reason).toBe('uncommitted changes in 1 file (1 modified)');
  });

  it('untracked files make it dirty unless --ignore-untracked or BERTH_IGNORE_UNTRACKED=1', async () => {
    const dir = clone('https://github.com/acme/widgets.git');
    writeFileSync(path.join(dir, 'notes.txt'), 'scratch\n');
    expect(await detect(dir)).toMatchObject({
      clean: false,
      reason: 'uncommitted changes in 1 file (1 untracked)',
    });
    expect(await detect(dir, ['--ignore-untracked'])).toMatchObject({clean: true, reason: null});
    expect(await detect(dir, [], {BERTH_IGNORE_UNTRACKED: '1'})).toMatchObject({
      clean: true,
      reason: null,
    });
  });

  it('an unpushed commit is clean but not pushed', async () => {
    const dir = clone('https://github.com/acme/widgets.git');
    writeFileSync(path.join(dir, 'new.py'), 'x = 1\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'local');
    const detection = await detect(dir);
    expect(detection).toMatchObject({
      clean: true,
      pushed: false,
      reason: 'commit not on any remote',
    });
    expect(detection.codeReference).toMatchObject({pushed: false, clean: true});
  });

  it('a detached HEAD at a pushed commit is fine', async () => {
    const dir = clone('https://github.com/acme/widgets.git');
    git(dir, 'checkout', '-q', '--detach', 'HEAD');
    expect(await detect(dir)).toMatchObject({
      repository: 'widgets',
      commit: sha,
      clean: true,
      pushed: true,
      reason: null,
    });
  });

  it('a repository without commits has no reference, and does not crash', async () => {
    const dir = tempDir('berth-detect-empty-');
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/widgets.git');
    expect(await detect(dir)).toMatchObject({
      commit: null,
      codeReference: null,
      reason: 'repository has no commits',
    });
  });

  it('reports the monorepo subdirectory of PATH relative to the git root (POSIX)', async () => {
    const dir = clone('https://github.com/acme/widgets.git');
    const result = await world.berth(
      ['repo', 'detect', path.join('widgets', 'services', 'api'), '--json'],
      {cwd: path.dirname(dir)},
    );
    expect(result.json<Detection>()).toMatchObject({
      repository: 'widgets',
      subdirectory: 'services/api',
      clean: true,
    });
  });

  it('outside any checkout: not a git checkout', async () => {
    const dir = tempDir('berth-detect-plain-');
    mkdirSync(path.join(dir, 'x'));
    expect(await detect(dir)).toMatchObject({
      repository: null,
      commit: null,
      reason: 'not a git checkout',
    });
  });

  it('prints the contract fields in plain output', async () => {
    const dir = clone('git@github.com:acme/widgets.git');
    const result = await world.berth(['repo', 'detect'], {cwd: dir});
    expect(result.stdout).toContain('Repository:   widgets');
    expect(result.stdout).toContain('Remote:       origin=git@github.com:acme/widgets.git');
    expect(result.stdout).toContain(`Commit:       ${sha}`);
    expect(result.stdout).toMatch(/Clean:\s+yes/);
    expect(result.stdout).toMatch(/Pushed:\s+yes/);
  });
});

describe('status shows the code reference', () => {
  it('keeps the contract fields and adds checkout and codeReference', async () => {
    const dir = clone('https://github.com/acme/widgets.git');
    const result = await world.berth(['status', '--json'], {cwd: dir});
    expect(result.code, result.stderr).toBe(0);
    const status = result.json<Record<string, unknown>>();
    expect(status).toMatchObject({
      repositoryRoot: null,
      profile: {name: 'default', source: 'global'},
      stack: {name: 'default', source: 'global'},
    });
    expect(status.codeReference).toMatchObject({
      commit: sha,
      clean: true,
      pushed: true,
      subdirectory: '',
    });
    expect(status.checkout).toMatchObject({repository: 'widgets'});
    const plain = await world.berth(['status'], {cwd: dir});
    expect(plain.stdout).toContain(
      'Code:       widgets via origin=https://github.com/acme/widgets.git',
    );
    expect(plain.stdout).toContain(`Commit:     ${sha}`);
    expect(world.forge.requests).toEqual([]);
  });
});
