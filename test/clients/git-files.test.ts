// Reading a checkout with one git process: the work tree, remotes and remote-tracking refs come
// from the repository's files, checked here against what git itself says for the same
// repositories (worktrees, packed refs, URL rewrites, includes, legacy remotes, quoting), and
// a `git` on PATH that logs its calls counts the processes.
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createGitClient} from '../../source/clients/git.js';
import {findRepositoryFiles, parseGitConfig} from '../../source/clients/git-files.js';
import {tempDir} from '../support/cli.js';
import {gitEnv, pushedCheckout, runGit as git} from '../support/git.js';

/** A client whose `git` logs each call (its arguments, one line) before running the real one. */
function countingClient(env: Record<string, string> = {}) {
  const bin = tempDir('berth-git-bin-');
  const log = path.join(bin, 'calls.log');
  writeFileSync(log, '');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], {
    env: gitEnv,
    encoding: 'utf8',
  }).trim();
  writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> ${log}\nexec ${realGit} "$@"\n`);
  chmodSync(path.join(bin, 'git'), 0o755);
  const client = createGitClient({env: {...gitEnv, ...env, PATH: `${bin}:${gitEnv.PATH}`}});
  return {
    client,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split(' ')[0]),
    reset: () => writeFileSync(log, ''),
  };
}

/** What git itself says, for comparison. */
function gitSays(dir: string) {
  const [root, prefix] = git(dir, 'rev-parse', '--show-toplevel', '--show-prefix').split('\n');
  const remotes = git(dir, 'remote', '-v')
    .split('\n')
    .filter((line) => line.endsWith(' (fetch)'))
    .map((line) => line.replace(/ \(fetch\)$/, '').split('\t'));
  const containing = git(
    dir,
    'for-each-ref',
    '--contains',
    'HEAD',
    '--format=%(refname)',
    'refs/remotes/',
  );
  return {
    gitRoot: root,
    subdirectory: (prefix ?? '').replace(/\/$/, ''),
    remotes: remotes.map(([name, url]) => [name, url]),
    pushed: containing !== '',
  };
}

async function readBoth(dir: string, env: Record<string, string> = {}) {
  const counting = countingClient(env);
  const checkout = (await counting.client.readCheckout(dir))!;
  return {
    ours: {
      gitRoot: checkout.gitRoot,
      subdirectory: checkout.subdirectory,
      remotes: checkout.remotes.map((remote) => [remote.name, remote.url]),
      pushed: checkout.pushed,
    },
    checkout,
    calls: counting.calls(),
  };
}

describe('one git process for a checkout', () => {
  it('a clean checkout on a pushed branch: git status alone', async () => {
    const work = pushedCheckout();
    const {ours, calls, checkout} = await readBoth(path.join(work, 'services', 'api'));
    expect(calls).toEqual(['status']);
    expect(ours).toEqual(gitSays(path.join(work, 'services', 'api')));
    expect(checkout).toMatchObject({clean: true, pushed: true, pushedRemotes: ['origin']});
  });

  it('a branch behind its upstream, and refs packed: still one process', async () => {
    const work = pushedCheckout();
    git(work, 'reset', '-q', '--hard', 'HEAD~1');
    git(work, 'pack-refs', '--all');
    const {calls, checkout} = await readBoth(work);
    expect(calls).toEqual(['status']);
    expect(checkout).toMatchObject({pushed: true, pushedRemotes: ['origin']});
  });

  it('a detached HEAD at a remote ref (origin/HEAD a symbolic ref): one process', async () => {
    const work = pushedCheckout();
    git(work, 'remote', 'set-head', 'origin', 'main');
    git(work, 'checkout', '-q', '--detach', 'origin/main');
    const {calls, checkout} = await readBoth(work);
    expect(calls).toEqual(['status']);
    expect(checkout).toMatchObject({detached: true, pushed: true, pushedRemotes: ['origin']});
  });

  it('an unpushed commit asks git about the commit graph, and is not pushed', async () => {
    const work = pushedCheckout();
    git(work, 'commit', '-q', '--allow-empty', '-m', 'local');
    const {calls, checkout, ours} = await readBoth(work);
    expect(calls).toEqual(['status', 'for-each-ref']);
    expect(checkout).toMatchObject({pushed: false, pushedRemotes: []});
    expect(ours).toEqual(gitSays(work));
  });

  it('a detached HEAD on an older pushed commit: pushed, proven by git', async () => {
    const work = pushedCheckout();
    git(work, 'checkout', '-q', '--detach', 'HEAD~1');
    const {calls, checkout} = await readBoth(work);
    expect(calls).toEqual(['status', 'for-each-ref']);
    expect(checkout).toMatchObject({pushed: true, pushedRemotes: ['origin']});
  });

  it('a linked worktree (git worktree add) in a subdirectory', async () => {
    const work = pushedCheckout();
    const linked = path.join(path.dirname(work), 'linked');
    git(work, 'worktree', 'add', '-q', '--detach', linked, 'main');
    const sub = path.join(linked, 'services');
    const {ours, calls, checkout} = await readBoth(sub);
    expect(calls).toEqual(['status']);
    expect(ours).toEqual(gitSays(sub));
    expect(checkout).toMatchObject({gitRoot: linked, subdirectory: 'services', pushed: true});
    const files = findRepositoryFiles(sub)!;
    expect(files.commonDir).toBe(path.join(work, '.git'));
    expect(files.gitDir).toBe(path.join(work, '.git', 'worktrees', 'linked'));
  });

  it('remotes written by hand: quotes, comments, continuations, several URLs, none', async () => {
    const work = pushedCheckout();
    const config = path.join(work, '.git', 'config');
    writeFileSync(
      config,
      `${readFileSync(config, 'utf8')}
[remote "Fork One"]   ; a name with a space and capitals
\turl = "git@github.com:someone/models.git" # the fork
\turl = https://mirror.example/models.git
[remote "noUrl"]
\tfetch = +refs/heads/*:refs/remotes/noUrl/*
[Remote "split"]
\tURL = https://gitlab.example.com/group/\\
sub/models.git
`,
    );
    const {ours, calls} = await readBoth(work);
    expect(calls).toEqual(['status']);
    expect(ours.remotes).toEqual(gitSays(work).remotes);
    expect(ours.remotes.map(([name]) => name)).toEqual(['Fork One', 'origin', 'split']);
  });

  it('url.BASE.insteadOf rewrites, from the global config, as git applies them', async () => {
    const work = pushedCheckout();
    const home = tempDir('berth-git-home-');
    writeFileSync(
      path.join(home, '.gitconfig'),
      '[url "git@github.com:"]\n\tinsteadOf = https://github.com/\n[url "git@github.com:acme/"]\n\tinsteadOf = https://github.com/acme/\n',
    );
    const {ours, calls, checkout} = await readBoth(work, {HOME: home});
    expect(calls).toEqual(['status']);
    expect(ours.remotes).toEqual([['origin', 'git@github.com:acme/models.git']]);
    expect(checkout.remotes[0]!.parsed).toEqual({host: 'github.com', path: 'acme/models'});
    const saidByGit = git(
      work,
      '-c',
      `include.path=${path.join(home, '.gitconfig')}`,
      'remote',
      '-v',
    );
    expect(saidByGit).toContain('origin\tgit@github.com:acme/models.git (fetch)');
  });

  it('an include is followed; a conditional include that could touch remotes asks git', async () => {
    const work = pushedCheckout();
    const extra = path.join(path.dirname(work), 'extra.gitconfig');
    writeFileSync(extra, '[remote "upstream"]\n\turl = https://github.com/upstream/models.git\n');
    git(work, 'config', '--add', 'include.path', extra);
    const included = await readBoth(work);
    expect(included.calls).toEqual(['status']);
    expect(included.ours.remotes).toEqual(gitSays(work).remotes);

    git(work, 'config', '--unset', 'include.path');
    git(work, 'config', `includeIf.gitdir:${work}/.path`, extra);
    const conditional = await readBoth(work);
    expect(conditional.calls).toEqual(['status', 'remote']);
    expect(conditional.ours.remotes).toEqual(gitSays(work).remotes);
  });

  it('a remote described in the legacy .git/remotes folder asks git', async () => {
    const work = pushedCheckout();
    mkdirSync(path.join(work, '.git', 'remotes'));
    writeFileSync(
      path.join(work, '.git', 'remotes', 'old'),
      'URL: https://github.com/old/models.git\n',
    );
    const {ours, calls} = await readBoth(work);
    expect(calls).toContain('remote');
    expect(ours.remotes).toEqual(gitSays(work).remotes);
  });
});

describe('parseGitConfig', () => {
  it('reads what `git config --list` reads', () => {
    const dir = tempDir('berth-git-config-');
    const file = path.join(dir, 'config');
    writeFileSync(
      file,
      [
        '# a comment',
        '[core]',
        '\tbare = false ; trailing comment',
        '\tflag',
        '[remote "o\\"dd\\\\name"]',
        '\turl = "  spaced  " and more # comment',
        '\tpushurl = a\\tb\\\\c\\"d',
        '[branch.Main]',
        '\tremote = origin',
        '[alias]',
        '\tlong = first \\',
        '  second',
        '\tsemi = "a;b#c"',
        '',
      ].join('\n'),
    );
    const listed = git(dir, 'config', '-f', file, '--list', '-z' as string)
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => {
        const newline = entry.indexOf('\n');
        return newline < 0 ? [entry, 'true'] : [entry.slice(0, newline), entry.slice(newline + 1)];
      });
    const ours = parseGitConfig(readFileSync(file, 'utf8')).map((entry) => [
      [entry.section, entry.subsection, entry.key].filter((part) => part !== null).join('.'),
      entry.value,
    ]);
    expect(ours).toEqual(listed);
  });
});
