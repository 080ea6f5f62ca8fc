// Real git for tests: an isolated environment (own HOME, no system config, fixed author),
// a runner, a file writer and a pushed checkout.
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {tempDir} from './cli.js';

export const gitEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: tempDir('berth-git-home-'),
  LANG: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Berth Test',
  GIT_AUTHOR_EMAIL: 'test@berth.invalid',
  GIT_COMMITTER_NAME: 'Berth Test',
  GIT_COMMITTER_EMAIL: 'test@berth.invalid',
};

/** Runs git in `cwd` (new repositories start on `main`) and returns its trimmed stdout. */
export function runGit(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: gitEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function writeTree(file: string, content: string): void {
  mkdirSync(path.dirname(file), {recursive: true});
  writeFileSync(file, content);
}

/**
 * A checkout with two commits, really pushed to a bare "remote" (so remote-tracking refs exist),
 * origin then pointed at `originUrl`: nothing is ever fetched from it.
 */
export function pushedCheckout(originUrl = 'https://github.com/acme/models.git'): string {
  const base = tempDir('berth-git-');
  const bare = path.join(base, 'remote.git');
  const work = path.join(base, 'work');
  runGit(base, 'init', '-q', '--bare', bare);
  runGit(base, 'init', '-q', work);
  writeTree(path.join(work, 'README.md'), '# models\n');
  writeTree(path.join(work, 'services/api/main.py'), 'print("hi")\n');
  runGit(work, 'add', '-A');
  runGit(work, 'commit', '-q', '-m', 'first');
  writeTree(path.join(work, 'README.md'), '# models\n\nSecond.\n');
  runGit(work, 'commit', '-q', '-am', 'second');
  runGit(work, 'remote', 'add', 'origin', bare);
  runGit(work, 'push', '-q', '-u', 'origin', 'main');
  runGit(work, 'remote', 'set-url', 'origin', originUrl);
  return work;
}
