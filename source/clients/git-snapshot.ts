// What a snapshot of a work tree needs from git: the newest commit of HEAD's history that a
// remote has (the base a colleague or a container can download), the tree of the work tree as
// it is (tracked edits and untracked, non-ignored files, staged or not), and the difference
// between the two as a binary-safe patch plus the new contents. The work tree's tree is written
// through a temporary index, so the user's own index (and what they staged) is never touched;
// the blobs it writes are ordinary loose objects, as `git stash` writes them.
import {spawn} from 'node:child_process';
import {copyFile, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../lib/errors.js';
import {gitEnvironment} from './git.js';

export type TreeChange = {
  /** A added, M modified, D deleted, T type changed (file ↔ link). */
  status: 'A' | 'M' | 'D' | 'T';
  /** POSIX path from the git root. */
  path: string;
  /** The new mode (`100644`, `100755`, `120000`); `000000` for a deletion. */
  mode: string;
  /** The new blob; all zeros for a deletion. */
  blob: string;
};

export type WorkTreeState = {
  head: string;
  /** The newest commit of HEAD's history that one of `remotes` has; null when none has any. */
  base: string | null;
  /** The tree of the work tree (with untracked, non-ignored files unless told to skip them). */
  tree: string;
  /** base → tree, without rename detection (a rename is a deletion plus an addition). */
  changes: TreeChange[];
};

type GitRun = (
  args: string[],
  options?: {input?: Buffer; extraEnv?: Record<string, string>},
) => Promise<Buffer>;

function gitRunner(cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): GitRun {
  const base = gitEnvironment(env);
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd,
        env: {...base, ...options.extraEnv},
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new UserError(`git could not start: ${error.message}`, {hint: 'Install git.'}));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve(Buffer.concat(out));
        const detail = signal
          ? `did not finish within ${timeoutMs / 1000} s`
          : Buffer.concat(err).toString('utf8').trim().split('\n')[0];
        reject(new UserError(`git ${args[0]} failed in ${cwd}: ${detail}`));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
}

export type ReadWorkTreeOptions = {
  /** Remote names whose remote-tracking refs count as "on a remote". */
  remotes: readonly string[];
  /** Leave untracked files out (the repository's setting). */
  ignoreUntracked?: boolean;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
};

export async function readWorkTree(
  gitRoot: string,
  options: ReadWorkTreeOptions,
): Promise<WorkTreeState> {
  const git = gitRunner(gitRoot, options.env ?? process.env, options.timeoutMs ?? 60_000);
  const text = async (args: string[], extra?: Parameters<GitRun>[1]) =>
    (await git(args, extra)).toString('utf8').trim();
  const head = await text(['rev-parse', '--verify', 'HEAD']);
  const base = await newestPushedAncestor(text, head, options.remotes);

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'berth-index-'));
  try {
    const index = path.join(scratch, 'index');
    const extraEnv = {GIT_INDEX_FILE: index};
    const realIndex = path.resolve(gitRoot, await text(['rev-parse', '--git-path', 'index']));
    // A copy of the real index keeps its stat cache: only changed files are hashed again.
    const copied = await copyFile(realIndex, index).then(
      () => true,
      () => false,
    );
    if (!copied) await git(['read-tree', head], {extraEnv});
    await git(['add', options.ignoreUntracked ? '--update' : '--all', '--', '.'], {extraEnv});
    const tree = await text(['write-tree'], {extraEnv});
    const from = base ?? head;
    const raw = await git(['diff-tree', '-r', '-z', '--no-renames', from, tree]);
    return {head, base, tree, changes: parseRawDiff(raw.toString('utf8'))};
  } finally {
    await rm(scratch, {recursive: true, force: true});
  }
}

async function newestPushedAncestor(
  text: (args: string[]) => Promise<string>,
  head: string,
  remotes: readonly string[],
): Promise<string | null> {
  if (remotes.length === 0) return null;
  const refs = (
    await text([
      'for-each-ref',
      '--format=%(objectname)',
      ...remotes.map((remote) => `refs/remotes/${remote}/`),
    ])
  )
    .split('\n')
    .filter(Boolean);
  const bases = new Set<string>();
  for (const ref of new Set(refs)) {
    const merged = await text(['merge-base', head, ref]).catch(() => '');
    if (merged) bases.add(merged);
  }
  if (bases.size === 0) return null;
  if (bases.size === 1) return [...bases][0]!;
  const independent = (await text(['merge-base', '--independent', ...bases])).split('\n');
  // Several unrelated branches: the most recently committed one is the nearest.
  return (await text(['rev-list', '--no-walk', '-n', '1', ...independent])) || null;
}

/** `git diff-tree -r -z`: `:oldmode newmode oldsha newsha status\0path\0` per change. */
export function parseRawDiff(output: string): TreeChange[] {
  const changes: TreeChange[] = [];
  const fields = output.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const meta = fields[i]!;
    const file = fields[i + 1]!;
    const match = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([AMDT])/.exec(meta);
    if (!match) continue;
    changes.push({
      status: match[5] as TreeChange['status'],
      path: file,
      mode: match[2]!,
      blob: match[4]!,
    });
  }
  return changes;
}

/** The contents of blobs, in one `git cat-file --batch`. */
export async function readBlobs(
  gitRoot: string,
  blobs: readonly string[],
  options: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {},
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (blobs.length === 0) return found;
  const git = gitRunner(gitRoot, options.env ?? process.env, options.timeoutMs ?? 60_000);
  const out = await git(['cat-file', '--batch'], {input: Buffer.from(`${blobs.join('\n')}\n`)});
  let at = 0;
  while (at < out.length) {
    const newline = out.indexOf(0x0a, at);
    if (newline < 0) break;
    const [sha, type, size] = out.subarray(at, newline).toString('utf8').split(' ');
    if (type === 'missing' || !sha || size === undefined) {
      throw new UserError(`git has no object ${sha}: the checkout is damaged.`);
    }
    const length = Number(size);
    found.set(sha, out.subarray(newline + 1, newline + 1 + length));
    at = newline + 1 + length + 1;
  }
  return found;
}

/** `git diff --binary` between two trees or commits: what `git apply` takes. */
export async function binaryPatch(
  gitRoot: string,
  from: string,
  to: string,
  options: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {},
): Promise<Buffer> {
  const git = gitRunner(gitRoot, options.env ?? process.env, options.timeoutMs ?? 60_000);
  return git([
    'diff',
    '--binary',
    '--full-index',
    '--no-renames',
    '--no-color',
    '--no-ext-diff',
    from,
    to,
  ]);
}
