import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createGitClient} from '../../source/clients/git.js';
import {codeDetectionSchema, type RepositoryCandidate} from '../../source/models/code-reference.js';
import {indexRepositories, resolveCodeReference} from '../../source/services/code-reference.js';
import {tempDir} from '../support/cli.js';
import {gitEnv, runGit as run, writeTree as write} from '../support/git.js';

const git = createGitClient({env: gitEnv});

/** A checkout pushed to a local bare repository whose origin then reads as `originUrl`. */
function pushedCheckout(originUrl = 'https://github.com/acme/models.git'): string {
  const base = tempDir('berth-detect-');
  const work = path.join(base, 'work');
  run(base, 'init', '-q', '--bare', 'remote.git');
  run(base, 'init', '-q', work);
  write(path.join(work, 'services/api/main.py'), 'print("hi")\n');
  write(path.join(work, 'README.md'), '# models\n');
  run(work, 'add', '-A');
  run(work, 'commit', '-q', '-m', 'first');
  run(work, 'remote', 'add', 'origin', path.join(base, 'remote.git'));
  run(work, 'push', '-q', '-u', 'origin', 'main');
  run(work, 'remote', 'set-url', 'origin', originUrl);
  return work;
}

function addPushedRemote(work: string, name: string, url: string) {
  const bare = path.join(path.dirname(work), `${name}.git`);
  run(work, 'init', '-q', '--bare', bare);
  run(work, 'remote', 'add', name, bare);
  run(work, 'push', '-q', name, 'HEAD:refs/heads/main');
  run(work, 'remote', 'set-url', name, url);
}

const models: RepositoryCandidate = {
  id: 'repo-1',
  name: 'models',
  host: 'github.com',
  path: 'acme/models',
};
const others: RepositoryCandidate[] = [
  {id: 'repo-2', name: 'other', host: 'github.com', path: 'acme/other'},
  {id: 'repo-3', name: 'on-gitlab', host: 'gitlab.com', path: 'acme/models'},
];

async function detect(dir: string, repositories = [...others, models], ignoreUntracked = false) {
  // As services/code-repositories/detect.ts does: read the checkout once, then resolve it.
  const detection = resolveCodeReference(
    await git.readCheckout(dir, {ignoreUntracked}),
    repositories,
  );
  // Every result has the `berth repo detect --json` shape.
  expect(codeDetectionSchema.parse(detection)).toEqual(detection);
  return detection;
}

describe('code reference detection: a checkout read, then resolved', () => {
  it('matches a clean, pushed checkout and gives its reference', async () => {
    const work = pushedCheckout();
    const commit = run(work, 'rev-parse', 'HEAD');
    expect(await detect(work)).toEqual({
      repository: 'models',
      remote: 'origin=https://github.com/acme/models.git',
      commit,
      subdirectory: '',
      clean: true,
      pushed: true,
      reason: null,
      repositoryId: 'repo-1',
      gitRoot: work,
      remotes: ['origin=https://github.com/acme/models.git'],
      codeReference: {
        repositoryId: 'repo-1',
        commit,
        subdirectory: '',
        clean: true,
        pushed: true,
        snapshot: null,
      },
    });
  });

  it('records the subdirectory of a monorepo source root', async () => {
    const work = pushedCheckout('git@github.com:ACME/Models.git');
    const detection = await detect(path.join(work, 'services/api'));
    expect(detection).toMatchObject({
      repository: 'models',
      subdirectory: 'services/api',
      reason: null,
    });
    expect(detection.codeReference?.subdirectory).toBe('services/api');
  });

  it('says why a directory outside git has no reference', async () => {
    expect(await detect(tempDir())).toEqual({
      repository: null,
      remote: null,
      commit: null,
      subdirectory: null,
      clean: false,
      pushed: false,
      reason: 'not a git checkout',
      repositoryId: null,
      gitRoot: null,
      remotes: [],
      codeReference: null,
    });
  });

  it('names the remotes when no registered repository matches (and says pushed as git does)', async () => {
    const work = pushedCheckout('https://github.com/someone/else.git');
    addPushedRemote(work, 'upstream', 'git@gitlab.com:acme/unrelated.git');
    const detection = await detect(work);
    // HEAD is on a remote-tracking ref: pushed, though no registered repository can download it.
    expect(detection).toMatchObject({
      repository: null,
      remote: null,
      codeReference: null,
      pushed: true,
    });
    run(work, 'commit', '-q', '--allow-empty', '-m', 'local only');
    expect(await detect(work)).toMatchObject({repository: null, pushed: false});
    expect(detection.reason).toBe(
      'no registered repository matches remotes origin=https://github.com/someone/else.git, upstream=git@gitlab.com:acme/unrelated.git',
    );
  });

  it('says so when a checkout has no remotes', async () => {
    const dir = tempDir();
    run(dir, 'init', '-q');
    run(dir, 'commit', '-q', '--allow-empty', '-m', 'one');
    expect((await detect(dir)).reason).toBe(
      'no registered repository matches: the checkout has no remotes',
    );
  });

  it('matches a CI clone with a token in its URL without ever showing the token', async () => {
    const work = pushedCheckout('https://x-access-token:ghs_SECRET987@GitHub.com/acme/models');
    const detection = await detect(work);
    expect(detection.repository).toBe('models');
    expect(detection.remote).toBe('origin=https://x-access-token:****@GitHub.com/acme/models');
    expect(JSON.stringify(detection)).not.toContain('SECRET987');
  });

  it('records no reference for a dirty checkout and says why', async () => {
    const work = pushedCheckout();
    write(path.join(work, 'README.md'), 'changed\n');
    write(path.join(work, 'scratch.py'), '\n');
    const detection = await detect(work);
    expect(detection).toMatchObject({
      repository: 'models',
      clean: false,
      pushed: true,
      codeReference: null,
    });
    expect(detection.reason).toBe('uncommitted changes in 2 files (1 modified, 1 untracked)');

    // Untracked files can be ignored by a setting; the modified file still counts.
    const ignoring = await detect(work, undefined, true);
    expect(ignoring.reason).toBe('uncommitted changes in 1 file (1 modified)');
    run(work, 'checkout', '-q', '--', 'README.md');
    expect(await detect(work, undefined, true)).toMatchObject({clean: true, reason: null});
  });

  it('keeps the reference of an unpushed commit but says it cannot be downloaded', async () => {
    const work = pushedCheckout();
    run(work, 'commit', '-q', '--allow-empty', '-m', 'local');
    const detection = await detect(work);
    expect(detection).toMatchObject({
      repository: 'models',
      clean: true,
      pushed: false,
      reason: 'commit not on any remote',
    });
    expect(detection.codeReference).toMatchObject({
      commit: run(work, 'rev-parse', 'HEAD'),
      pushed: false,
    });
  });

  it('does not count a push to an unregistered fork as pushed', async () => {
    const work = pushedCheckout();
    run(work, 'commit', '-q', '--allow-empty', '-m', 'on the fork only');
    addPushedRemote(work, 'fork', 'git@github.com:me/models.git');
    const detection = await detect(work);
    expect(detection).toMatchObject({
      remote: 'origin=https://github.com/acme/models.git',
      pushed: false,
    });
    expect(detection.reason).toBe('commit not on remote origin (only on fork)');
  });

  it('considers every remote and reports the one that matched', async () => {
    const work = pushedCheckout('https://github.com/me/models-fork.git');
    addPushedRemote(work, 'upstream', 'ssh://git@github.com:22/acme/models.git');
    const detection = await detect(work);
    expect(detection).toMatchObject({
      repository: 'models',
      remote: 'upstream=ssh://git@github.com:22/acme/models.git',
      pushed: true,
      reason: null,
    });
  });

  it('prefers origin when several remotes match', async () => {
    const work = pushedCheckout('git@github.com:acme/models.git');
    addPushedRemote(work, 'alt', 'https://github.com/acme/models');
    expect((await detect(work)).remote).toBe('origin=git@github.com:acme/models.git');
  });

  it('prefers a remote that has the commit', async () => {
    const work = pushedCheckout('git@github.com:acme/models.git');
    run(work, 'commit', '-q', '--allow-empty', '-m', 'pushed to alt only');
    addPushedRemote(work, 'alt', 'https://github.com/acme/models');
    expect(await detect(work)).toMatchObject({
      remote: 'alt=https://github.com/acme/models',
      pushed: true,
      reason: null,
    });
  });

  it('says a repository without commits has none', async () => {
    const dir = tempDir();
    run(dir, 'init', '-q');
    run(dir, 'remote', 'add', 'origin', 'https://github.com/acme/models.git');
    expect(await detect(dir)).toMatchObject({
      repository: 'models',
      commit: null,
      pushed: false,
      reason: 'repository has no commits',
      codeReference: null,
    });
  });

  it('matches hosts and paths case-insensitively', async () => {
    const work = pushedCheckout('https://github.com/acme/models');
    const registered = [{...models, host: 'GitHub.com', path: 'ACME/Models'}];
    expect((await detect(work, registered)).repository).toBe('models');
  });

  // How fast: bench/hot-paths.mjs and bench/detect.mjs.
  it('finds the one match among 1,000 registered repositories, with or without an index', async () => {
    const work = pushedCheckout('git@github.com:acme/models.git');
    const many: RepositoryCandidate[] = Array.from({length: 999}, (_, i) => ({
      id: `r${i}`,
      name: `repo-${i}`,
      host: i % 2 ? 'github.com' : 'gitlab.example.com',
      path: `team-${i % 37}/project-${i}`,
    }));
    many.push(models);

    const checkout = await git.readCheckout(work);
    expect(resolveCodeReference(checkout, many).repository).toBe('models');
    expect(resolveCodeReference(checkout, indexRepositories(many)).repository).toBe('models');
    expect((await detect(work, many)).repository).toBe('models');
  });
});
