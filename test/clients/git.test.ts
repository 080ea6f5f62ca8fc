import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {createGitClient, listIgnoredFiles, type Checkout} from '../../source/clients/git.js';
import {UserError} from '../../source/lib/errors.js';
import {tempDir, tempProject} from '../support/cli.js';
import {gitEnv, pushedCheckout, runGit as git, writeTree as write} from '../support/git.js';

// Real git in temp directories. "Pushed" needs real remote-tracking refs, so every checkout
// really pushes to a local bare repository, then points origin at a github-style URL: nothing
// is ever fetched from it.

const client = createGitClient({env: gitEnv});

async function read(dir: string, options: {ignoreUntracked?: boolean} = {}): Promise<Checkout> {
  const checkout = await client.readCheckout(dir, options);
  if (!checkout) throw new Error(`${dir} was not detected as a checkout`);
  return checkout;
}

describe('readCheckout', () => {
  let work: string;
  beforeAll(() => {
    work = pushedCheckout();
  });

  it('reads a clean, pushed checkout', async () => {
    const checkout = await read(work);
    expect(checkout).toEqual({
      gitRoot: work,
      subdirectory: '',
      remotes: [
        {
          name: 'origin',
          url: 'https://github.com/acme/models.git',
          parsed: {host: 'github.com', path: 'acme/models'},
        },
      ],
      commit: git(work, 'rev-parse', 'HEAD'),
      branch: 'main',
      detached: false,
      modified: 0,
      staged: 0,
      untracked: 0,
      dirtyFiles: 0,
      clean: true,
      pushed: true,
      pushedRemotes: ['origin'],
    });
    expect(checkout.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives the POSIX subdirectory of a nested directory (monorepo)', async () => {
    const checkout = await read(path.join(work, 'services', 'api'));
    expect(checkout.gitRoot).toBe(work);
    expect(checkout.subdirectory).toBe('services/api');
    expect(checkout.clean).toBe(true);
  });

  it('finds the root from a directory git does not track', async () => {
    const untrackedDir = path.join(pushedCheckout(), 'empty', 'deeper');
    mkdirSync(untrackedDir, {recursive: true});
    const checkout = await read(untrackedDir);
    expect(checkout.subdirectory).toBe('empty/deeper');
  });

  it('returns undefined outside a git work tree', async () => {
    expect(await client.readCheckout(tempDir())).toBeUndefined();
    expect(await client.readCheckout(path.join(work, '.git'))).toBeUndefined();
    const bare = tempDir();
    git(bare, 'init', '-q', '--bare');
    expect(await client.readCheckout(bare)).toBeUndefined();
  });

  it('refuses a directory that does not exist', async () => {
    await expect(client.readCheckout(path.join(work, 'nope'))).rejects.toBeInstanceOf(UserError);
  });

  it('counts modified, staged and untracked files', async () => {
    const dir = pushedCheckout();
    write(path.join(dir, 'README.md'), 'changed\n');
    write(path.join(dir, 'staged.txt'), 'new\n');
    git(dir, 'add', 'staged.txt');
    write(path.join(dir, 'services/api/untracked one.py'), '\n');
    write(path.join(dir, 'notes/a.txt'), '\n');
    write(path.join(dir, 'notes/b.txt'), '\n');

    const checkout = await read(dir);
    expect(checkout).toMatchObject({
      modified: 1,
      staged: 1,
      untracked: 3,
      dirtyFiles: 5,
      clean: false,
    });
    // Committed, so HEAD itself is still pushed: dirtiness and pushed-ness are separate.
    expect(checkout.pushed).toBe(true);
  });

  it('counts a file both staged and modified once', async () => {
    const dir = pushedCheckout();
    write(path.join(dir, 'README.md'), 'staged\n');
    git(dir, 'add', 'README.md');
    write(path.join(dir, 'README.md'), 'and modified again\n');
    expect(await read(dir)).toMatchObject({modified: 1, staged: 1, dirtyFiles: 1, clean: false});
  });

  it('counts a staged rename as one file', async () => {
    const dir = pushedCheckout();
    git(dir, 'mv', 'README.md', 'READ ME.md');
    expect(await read(dir)).toMatchObject({staged: 1, modified: 0, dirtyFiles: 1, clean: false});
  });

  it('treats only untracked files as clean when untracked files are ignored', async () => {
    const dir = pushedCheckout();
    write(path.join(dir, 'scratch.txt'), 'notes\n');
    expect(await read(dir)).toMatchObject({untracked: 1, clean: false});
    expect(await read(dir, {ignoreUntracked: true})).toMatchObject({
      untracked: 0,
      dirtyFiles: 0,
      clean: true,
    });

    write(path.join(dir, 'README.md'), 'changed\n');
    expect(await read(dir, {ignoreUntracked: true})).toMatchObject({modified: 1, clean: false});
  });

  it('ignores files that .gitignore ignores', async () => {
    const dir = pushedCheckout();
    write(path.join(dir, '.gitignore'), '__pycache__/\n');
    git(dir, 'add', '.gitignore');
    git(dir, 'commit', '-q', '-m', 'ignore');
    pushToOrigin(dir);
    write(path.join(dir, '__pycache__/x.pyc'), 'bytes');
    expect(await read(dir)).toMatchObject({clean: true, pushed: true});
  });

  it('reports an unpushed commit', async () => {
    const dir = pushedCheckout();
    write(path.join(dir, 'new.py'), 'x = 1\n');
    git(dir, 'add', 'new.py');
    git(dir, 'commit', '-q', '-m', 'local only');
    const checkout = await read(dir);
    expect(checkout).toMatchObject({clean: true, pushed: false, pushedRemotes: []});
    expect(checkout.commit).toBe(git(dir, 'rev-parse', 'HEAD'));
  });

  it('accepts a detached HEAD on a pushed commit', async () => {
    const dir = pushedCheckout();
    const first = git(dir, 'rev-parse', 'HEAD~1');
    git(dir, 'checkout', '-q', '--detach', first);
    expect(await read(dir)).toMatchObject({
      detached: true,
      branch: null,
      commit: first,
      pushed: true,
      clean: true,
    });
  });

  it('reports a detached HEAD on an unpushed commit as not pushed', async () => {
    const dir = pushedCheckout();
    git(dir, 'checkout', '-q', '--detach');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'detached work');
    expect(await read(dir)).toMatchObject({detached: true, pushed: false});
  });

  it('accepts a local branch behind its remote', async () => {
    const dir = pushedCheckout();
    git(dir, 'reset', '-q', '--hard', 'HEAD~1');
    expect(git(dir, 'status', '-sb')).toContain('behind 1');
    expect(await read(dir)).toMatchObject({pushed: true, clean: true, branch: 'main'});
  });

  it('reads an empty repository without a crash', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    git(dir, 'remote', 'add', 'origin', 'git@github.com:acme/models.git');
    expect(await read(dir)).toMatchObject({
      commit: null,
      branch: 'main',
      clean: true,
      pushed: false,
      pushedRemotes: [],
      remotes: [
        {
          name: 'origin',
          url: 'git@github.com:acme/models.git',
          parsed: {host: 'github.com', path: 'acme/models'},
        },
      ],
    });
    write(path.join(dir, 'a.py'), '\n');
    expect(await read(dir)).toMatchObject({commit: null, untracked: 1, clean: false});
  });

  it('reports a checkout without remotes as not pushed', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    write(path.join(dir, 'a.py'), '\n');
    git(dir, 'add', 'a.py');
    git(dir, 'commit', '-q', '-m', 'one');
    expect(await read(dir)).toMatchObject({remotes: [], pushed: false, clean: true});
  });

  it('names the remotes HEAD was pushed to', async () => {
    const dir = pushedCheckout();
    const forkBare = path.join(path.dirname(dir), 'fork.git');
    git(dir, 'init', '-q', '--bare', forkBare);
    git(dir, 'remote', 'add', 'team/fork', forkBare);
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'only on the fork');
    git(dir, 'push', '-q', 'team/fork', 'main');
    git(dir, 'remote', 'set-url', 'team/fork', 'git@github.com:someone/models.git');

    const checkout = await read(dir);
    expect(checkout.pushed).toBe(true);
    expect(checkout.pushedRemotes).toEqual(['team/fork']);
    expect(checkout.remotes.map((remote) => remote.name).sort()).toEqual(['origin', 'team/fork']);
  });

  it.each([
    ['https://github.com/acme/models', {host: 'github.com', path: 'acme/models'}],
    ['https://github.com/acme/models/', {host: 'github.com', path: 'acme/models'}],
    ['https://GitHub.COM/acme/models.git', {host: 'github.com', path: 'acme/models'}],
    ['git@github.com:acme/models.git', {host: 'github.com', path: 'acme/models'}],
    [
      'ssh://git@gitlab.example.com:2222/group/sub/models.git',
      {host: 'gitlab.example.com', port: 2222, path: 'group/sub/models'},
    ],
    [
      'org-123@ssh.dev.azure.com:v3/org/proj/models',
      {host: 'ssh.dev.azure.com', path: 'v3/org/proj/models'},
    ],
  ])('parses origin set to %s', async (url, parsed) => {
    const checkout = await read(pushedCheckout(url));
    expect(checkout.remotes).toEqual([{name: 'origin', url, parsed}]);
    expect(checkout.pushed).toBe(true);
  });

  it('masks credentials of a CI clone URL and never returns them', async () => {
    const dir = pushedCheckout('https://x-access-token:ghs_SECRET1234@github.com/acme/models.git');
    const checkout = await read(dir);
    expect(checkout.remotes[0]).toEqual({
      name: 'origin',
      url: 'https://x-access-token:****@github.com/acme/models.git',
      parsed: {host: 'github.com', path: 'acme/models'},
    });
    expect(JSON.stringify(checkout)).not.toContain('SECRET1234');
  });

  it('gives a local-path remote no parsed location', async () => {
    const dir = pushedCheckout();
    git(dir, 'remote', 'set-url', 'origin', bareOf(dir));
    const checkout = await read(dir);
    expect(checkout.remotes).toEqual([{name: 'origin', url: bareOf(dir), parsed: undefined}]);
    expect(checkout.pushed).toBe(true);
  });
});

describe('listIgnoredFiles outside a work tree', () => {
  // A user's home of their own: no git config, no global excludes file.
  const homeEnv = () => ({...gitEnv, HOME: tempDir('berth-git-home-'), XDG_CONFIG_HOME: ''});
  // No git on the PATH: a call that starts git fails.
  const withoutGit = (env: Record<string, string>) => ({...env, PATH: tempDir('berth-no-git-')});

  it('lists nothing without starting git when no ignore rule can apply', async () => {
    const dir = tempProject({'train.py': 'x', 'outputs/run1/metrics.json': '{}', 'a.log': 'x'});
    mkdirSync(path.join(dir, 'empty'));
    expect(await listIgnoredFiles(dir, {env: withoutGit(homeEnv())})).toEqual([]);
  });

  it("asks git when a folder's .gitignore may apply", async () => {
    const dir = tempProject({'train.py': 'x', 'logs/.gitignore': '*.log\n', 'logs/a.log': 'x'});
    const env = homeEnv();
    expect(await listIgnoredFiles(dir, {env})).toEqual(['logs/a.log']);
    await expect(listIgnoredFiles(dir, {env: withoutGit(env)})).rejects.toThrow();
  });

  it("asks git for the user's global excludes: the default file and core.excludesFile", async () => {
    const dir = tempProject({'train.py': 'x', 'scratch.tmp': 'x', 'notes.bak': 'x'});
    const byDefault = homeEnv();
    write(path.join(byDefault.HOME, '.config', 'git', 'ignore'), '*.tmp\n');
    expect(await listIgnoredFiles(dir, {env: byDefault})).toEqual(['scratch.tmp']);

    const configured = homeEnv();
    write(path.join(configured.HOME, 'ignores'), '*.bak\n');
    write(path.join(configured.HOME, '.gitconfig'), '[core]\n\texcludesFile = ~/ignores\n');
    expect(await listIgnoredFiles(dir, {env: configured})).toEqual(['notes.bak']);
  });
});

/** A real push to the bare repository behind the github-style origin URL. */
function pushToOrigin(work: string) {
  const url = git(work, 'remote', 'get-url', 'origin');
  git(work, 'remote', 'set-url', 'origin', bareOf(work));
  git(work, 'push', '-q', 'origin', 'HEAD');
  git(work, 'remote', 'set-url', 'origin', url);
}

function bareOf(work: string): string {
  return path.join(path.dirname(work), 'remote.git');
}
