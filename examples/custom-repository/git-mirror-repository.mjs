// A custom berth code repository: git repositories mirrored on a shared file system (an NFS
// share, a bind mount in CI) instead of GitHub or GitLab. Register it with
//
//   berth repo register mirror --type custom \
//     --source ./examples/custom-repository/git-mirror-repository.mjs#GitMirrorRepository \
//     --option url=/srv/git/models.git
//
// It implements berth's CodeRepository interface (docs/custom-repositories.md):
// login(), downloadFiles(commit, directory, subdirectory?) and getLocalContext(path).
import {execFile, spawn} from 'node:child_process';
import {realpath} from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

async function git(cwd, args) {
  const {stdout} = await run('git', ['-C', cwd, ...args], {
    maxBuffer: 64 * 1024 * 1024,
    env: {...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C'},
  });
  return stdout.trim();
}

/** @implements {import('../../source/models/code-repository.js').CodeRepository} */
export class GitMirrorRepository {
  /** @param {Record<string, string>} options `url`: the mirror's path (a bare repository). */
  constructor(options) {
    if (!options.url) throw new Error('option "url" is required (--option url=/path/to/repo.git)');
    this.url = path.resolve(options.url);
  }

  async login() {
    try {
      await git(this.url, ['rev-parse', '--git-dir']);
    } catch {
      throw new Error(`${this.url} is not a git repository`);
    }
  }

  /** Writes the files of `commit` (only `subdirectory`'s, re-rooted) into `directory`. */
  async downloadFiles(commit, directory, subdirectory) {
    const treeish = subdirectory ? `${commit}:${subdirectory}` : commit;
    await git(this.url, ['rev-parse', '--verify', '--quiet', `${treeish}^{tree}`]).catch(() => {
      throw new Error(`${treeish} is not in ${this.url}`);
    });
    const archive = spawn('git', ['-C', this.url, 'archive', '--format=tar', treeish], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const extract = spawn('tar', ['-x', '-C', directory], {stdio: ['pipe', 'inherit', 'inherit']});
    archive.stdout.pipe(extract.stdin);
    const exited = (child) => new Promise((resolve) => child.on('close', resolve));
    const [a, t] = await Promise.all([exited(archive), exited(extract)]);
    if (a !== 0 || t !== 0) throw new Error(`git archive exited ${a}, tar exited ${t}`);
  }

  /** The checkout containing `dir` when one of its remotes is this mirror; otherwise null. */
  async getLocalContext(dir) {
    let root;
    try {
      root = await git(dir, ['rev-parse', '--show-toplevel']);
    } catch {
      return null;
    }
    const mirror = await realpath(this.url);
    const remotes = (await git(root, ['remote', '-v'])).split('\n');
    let remoteName;
    for (const line of remotes) {
      const [name, url] = line.split(/\s+/);
      if (!name || !url) continue;
      const resolved = await realpath(path.resolve(root, url)).catch(() => undefined);
      if (resolved === mirror) remoteName = name;
    }
    if (!remoteName) return null;
    const commit = await git(root, ['rev-parse', 'HEAD']).catch(() => '');
    if (!commit) return null;
    const status = await git(root, ['status', '--porcelain']);
    const containing = await git(root, ['branch', '-r', '--contains', commit]).catch(() => '');
    return {
      root,
      commit,
      clean: status === '',
      pushed: containing.split('\n').some((ref) => ref.trim().startsWith(`${remoteName}/`)),
      subdirectory: path
        .relative(root, await realpath(dir))
        .split(path.sep)
        .join('/'),
    };
  }
}

/** The same repository through a factory function (`--source ...#createGitMirrorRepository`). */
export function createGitMirrorRepository(options) {
  return new GitMirrorRepository(options);
}
