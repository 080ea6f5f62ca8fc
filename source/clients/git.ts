// The local git checkout behind a directory: root, remotes, commit, cleanliness and whether
// HEAD is on a remote. Read-only and local: nothing here fetches or talks to a network, and
// nothing takes git's index lock (`GIT_OPTIONAL_LOCKS=0`), because this runs on every
// `berth status`, possibly while the user runs git in another terminal.
//
// Cost: one git process (`git status --porcelain=v2 --branch`); where the work tree is, its
// remotes and its remote-tracking refs are read from .git's files meanwhile (git-files.ts), and
// git is asked again only when those cannot say. Processes run through execFile, not
// simple-git: simple-git waits 50 ms after every process that prints nothing (an unpushed
// HEAD, a checkout without remotes), measured at 55–60 ms instead of 5 ms per call.
import {execFile} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {UserError, errorMessage} from '../lib/errors.js';
import {statOrNothing} from '../lib/file-errors.js';
import {
  findRepositoryFiles,
  ignoreRulesMayApply,
  readConfigRemotes,
  readRemoteRefs,
  type RepositoryFiles,
} from './git-files.js';
import {parseRemoteUrl, redactUrl, type ParsedRemote} from '../lib/git-url.js';

export type GitRemote = {
  name: string;
  /** The fetch URL with credentials masked: fit for display, never for use. */
  url: string;
  /** Host and path, or undefined for local paths and `file://` remotes. */
  parsed: ParsedRemote | undefined;
};

export type Checkout = {
  /** Absolute path of the work tree's top level, as git reports it. */
  gitRoot: string;
  /**
   * POSIX path of the directory relative to `gitRoot`, without a trailing slash; `''` at the
   * root (so `path.posix.join(subdirectory, file)` and archive re-rooting need no special case).
   */
  subdirectory: string;
  remotes: GitRemote[];
  /** Full SHA of HEAD; null in a repository without commits. */
  commit: string | null;
  /** Current branch; null when HEAD is detached. */
  branch: string | null;
  detached: boolean;
  /** Files with unstaged changes (including unmerged ones). */
  modified: number;
  /** Files with staged changes (including unmerged ones). */
  staged: number;
  /** Untracked, not ignored files; 0 when untracked files are ignored. */
  untracked: number;
  /** Distinct files that make the checkout dirty. */
  dirtyFiles: number;
  clean: boolean;
  /** HEAD is reachable from at least one remote-tracking ref. */
  pushed: boolean;
  /** Names of the remotes with a remote-tracking ref that contains HEAD. */
  pushedRemotes: string[];
};

export type ReadCheckoutOptions = {
  /** Untracked files do not make the checkout dirty (and are not listed). */
  ignoreUntracked?: boolean;
};

export interface GitClient {
  /** The checkout containing `dir`, or undefined when `dir` is not inside a git work tree. */
  readCheckout(dir: string, options?: ReadCheckoutOptions): Promise<Checkout | undefined>;
}

export type GitClientOptions = {
  /** Kill a git process that has been silent this long. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
};

// Where git reads its configuration (safe.directory, url.*.insteadOf) stays the user's; the
// rest of GIT_* (GIT_DIR, GIT_WORK_TREE, ...) would point every query at one repository.
const passedGitEnv = [
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CEILING_DIRECTORIES',
];

export function createGitClient(options: GitClientOptions = {}): GitClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const env = gitEnvironment(options.env ?? process.env);
  return {
    readCheckout: (dir, readOptions = {}) => readCheckoutWith(dir, readOptions, {timeoutMs, env}),
  };
}

/** Reads the checkout with a default client. */
export function readCheckout(
  dir: string,
  options: ReadCheckoutOptions = {},
): Promise<Checkout | undefined> {
  return createGitClient().readCheckout(dir, options);
}

export function gitEnvironment(source: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (key.toUpperCase().startsWith('GIT_') && !passedGitEnv.includes(key)) continue;
    env[key] = value;
  }
  env.GIT_OPTIONAL_LOCKS = '0';
  // Stable, untranslated messages: "not a git repository" is recognised by its text.
  env.LC_ALL = 'C';
  return env;
}

async function readCheckoutWith(
  dir: string,
  options: ReadCheckoutOptions,
  config: {timeoutMs: number; env: Record<string, string>},
): Promise<Checkout | undefined> {
  const absolute = path.resolve(dir);
  // Synchronous up to the start of `git status` (a few stats up the tree): git starts before this
  // returns, and works while the repository's files are read here and the caller reads the rest
  // of what it needs.
  const info = statOrNothing(absolute);
  if (!info) throw new UserError(`No directory ${absolute}.`, {hint: 'Check the path.'});
  if (!info.isDirectory()) {
    throw new UserError(`${absolute} is not a directory.`, {
      hint: 'Pass the directory of the code.',
    });
  }

  const git = (args: string[]) => runGit(args, {cwd: absolute, ...config});
  const untrackedMode = options.ignoreUntracked ? 'no' : 'all';
  // Outside any repository (no `.git` here or above, as git looks for it) there is nothing to
  // ask git. Else one git process; the remotes and the remote-tracking refs are read from the
  // repository's files meanwhile (git-files.ts), with git asked only for what those files
  // cannot say.
  let layout: RepositoryFiles | null | undefined;
  try {
    layout = findRepositoryFiles(absolute, config.env);
  } catch {
    layout = null;
  }
  if (layout === undefined) return undefined;
  const status = git([
    'status',
    '--porcelain=v2',
    '--branch',
    '-z',
    `--untracked-files=${untrackedMode}`,
  ]);
  const read = layout === null ? undefined : readRepositoryFiles(layout, config.env);
  let output: string;
  try {
    output = await status;
  } catch (error) {
    if (isNotAWorkTree(error)) return undefined;
    throw gitFailure(absolute, error);
  }
  const state = parseStatus(output);

  let gitRoot: string;
  let subdirectory: string;
  if (read) {
    gitRoot = read.layout.root;
    subdirectory = read.layout.prefix;
  } else {
    const location = await git(['rev-parse', '--show-toplevel', '--show-prefix']).catch(
      (error: unknown) => {
        throw gitFailure(absolute, error);
      },
    );
    const [root = '', prefix = ''] = location.split('\n');
    gitRoot = root;
    subdirectory = prefix.replace(/\/+$/, '');
  }
  const remotes: GitRemote[] = read?.remotes
    ? read.remotes.map(({name, url}) => ({
        name,
        url: redactUrl(url),
        parsed: parseRemoteUrl(url),
      }))
    : parseRemotes(
        await git(['remote', '-v']).catch((error: unknown) => {
          throw gitFailure(absolute, error);
        }),
      );

  let pushedRemotes: string[] = [];
  if (state.commit !== null) {
    const names = remotes.map((remote) => remote.name);
    pushedRemotes =
      provenPushedRemotes(state, read?.refs, names) ??
      remotesOfRefs(
        await git([
          'for-each-ref',
          '--contains',
          'HEAD',
          '--format=%(refname)',
          'refs/remotes/',
        ]).catch((error: unknown) => {
          throw gitFailure(absolute, error);
        }),
        names,
      );
  }

  return {
    gitRoot,
    subdirectory,
    remotes,
    commit: state.commit,
    branch: state.branch,
    detached: state.detached,
    modified: state.modified,
    staged: state.staged,
    untracked: state.untracked,
    dirtyFiles: state.dirtyFiles,
    clean: state.dirtyFiles === 0,
    pushed: pushedRemotes.length > 0,
    pushedRemotes,
  };
}

/** The remotes and remote-tracking refs from the repository's files; undefined if unreadable. */
function readRepositoryFiles(layout: RepositoryFiles, env: NodeJS.ProcessEnv) {
  try {
    return {layout, remotes: readConfigRemotes(layout, env), refs: readRemoteRefs(layout)};
  } catch {
    return undefined;
  }
}

/**
 * The remotes whose tracking refs contain HEAD, when the refs alone prove it for every remote
 * that has refs: a ref pointing at HEAD, or the upstream HEAD is not ahead of. Undefined when
 * some remote's answer needs the commit graph (`git for-each-ref --contains`).
 */
export function provenPushedRemotes(
  state: Pick<StatusSummary, 'commit' | 'upstream' | 'ahead'>,
  refs: ReadonlyMap<string, string> | undefined,
  remoteNames: string[],
): string[] | undefined {
  if (!refs || state.commit === null) return undefined;
  const containing: string[] = [];
  for (const [ref, id] of refs) if (id === state.commit) containing.push(ref);
  // The upstream only counts when it is a remote-tracking ref (a local branch can be one too).
  const upstream = `refs/remotes/${state.upstream}`;
  if (state.upstream !== null && state.ahead === 0 && refs.has(upstream)) containing.push(upstream);
  const proven = new Set(remotesOfRefs(containing.join('\n'), remoteNames));
  const withRefs = remotesOfRefs([...refs.keys()].join('\n'), remoteNames);
  return withRefs.every((remote) => proven.has(remote)) ? withRefs : undefined;
}

class GitCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | string | null,
  ) {
    super(message);
  }
}

function runGit(
  args: string[],
  options: {cwd: string; env: Record<string, string>; timeoutMs: number},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const timedOut = error.killed && error.signal === 'SIGKILL';
        const detail = timedOut
          ? `git ${args[0]} did not finish within ${options.timeoutMs / 1000} s`
          : stderr.trim() || error.message;
        reject(new GitCommandError(detail, error.code ?? null));
      },
    );
  });
}

function isNotAWorkTree(error: unknown): boolean {
  const message = errorMessage(error);
  return /not a git repository|must be run in a work tree/i.test(message);
}

function gitFailure(dir: string, error: unknown): UserError {
  const message = errorMessage(error)
    .trim()
    .replace(/^(fatal|error): /, '');
  if (/dubious ownership/i.test(message)) {
    return new UserError(`git refuses to read ${dir}: it is owned by another user.`, {
      hint: `If you trust it, run \`git config --global --add safe.directory ${dir}\`.`,
      cause: error,
    });
  }
  if (/ENOENT|spawn git/i.test(message)) {
    return new UserError('git is not installed or not on PATH.', {
      hint: 'Install git, then try again.',
      cause: error,
    });
  }
  return new UserError(`git could not read ${dir}: ${message.split('\n')[0]}`, {
    hint: 'Run `git status` there to see what git says.',
    cause: error,
  });
}

/** `git remote -v`: one fetch URL per remote (push URLs do not say where code is read from). */
export function parseRemotes(output: string): GitRemote[] {
  const remotes: GitRemote[] = [];
  const seen = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /^(\S+)\t(.*) \(fetch\)$/.exec(line);
    if (!match) continue;
    const [, name, url] = match as unknown as [string, string, string];
    const key = `${name}\n${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    remotes.push({name, url: redactUrl(url), parsed: parseRemoteUrl(url)});
  }
  return remotes;
}

type StatusSummary = {
  commit: string | null;
  branch: string | null;
  detached: boolean;
  /** `origin/main`: the branch's upstream, when it has one that exists. */
  upstream: string | null;
  /** Commits on HEAD that the upstream does not have; null without an upstream. */
  ahead: number | null;
  modified: number;
  staged: number;
  untracked: number;
  dirtyFiles: number;
};

/** `git status --porcelain=v2 --branch -z`: NUL-separated records. */
export function parseStatus(output: string): StatusSummary {
  const summary: StatusSummary = {
    commit: null,
    branch: null,
    detached: false,
    upstream: null,
    ahead: null,
    modified: 0,
    staged: 0,
    untracked: 0,
    dirtyFiles: 0,
  };
  const records = output.split('\0');
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    if (record.startsWith('# branch.oid ')) {
      const oid = record.slice('# branch.oid '.length);
      summary.commit = /^[0-9a-f]{40,64}$/.test(oid) ? oid : null;
    } else if (record.startsWith('# branch.head ')) {
      const head = record.slice('# branch.head '.length);
      summary.detached = head === '(detached)';
      summary.branch = summary.detached ? null : head;
    } else if (record.startsWith('# branch.upstream ')) {
      summary.upstream = record.slice('# branch.upstream '.length);
    } else if (record.startsWith('# branch.ab ')) {
      const match = /^# branch\.ab \+(\d+) -\d+$/.exec(record);
      if (match) summary.ahead = Number(match[1]);
    } else if (record.startsWith('1 ') || record.startsWith('2 ')) {
      // A rename or copy carries its original path as the next record.
      if (record.startsWith('2 ')) index++;
      const xy = record.slice(2, 4);
      if (xy[0] !== '.') summary.staged++;
      if (xy[1] !== '.') summary.modified++;
      summary.dirtyFiles++;
    } else if (record.startsWith('u ')) {
      summary.staged++;
      summary.modified++;
      summary.dirtyFiles++;
    } else if (record.startsWith('? ')) {
      summary.untracked++;
      summary.dirtyFiles++;
    }
  }
  return summary;
}

/** `refs/remotes/origin/main` → `origin`; remote names may themselves contain slashes. */
function remotesOfRefs(output: string, remoteNames: string[]): string[] {
  const byLength = [...remoteNames].sort((a, b) => b.length - a.length);
  const found = new Set<string>();
  for (const ref of output.split('\n')) {
    if (!ref.startsWith('refs/remotes/')) continue;
    const rest = ref.slice('refs/remotes/'.length);
    const name = byLength.find((remote) => rest.startsWith(`${remote}/`));
    found.add(name ?? rest.slice(0, rest.indexOf('/')));
  }
  return [...found];
}

/**
 * The untracked files git ignores under `dir` (POSIX, relative to `dir`; a wholly ignored folder
 * once, ending in `/`). Outside a work tree the project's own .gitignore files still say what a
 * user meant to keep out, so they are read through a temporary, empty repository.
 */
export async function listIgnoredFiles(
  dir: string,
  options: GitClientOptions = {},
): Promise<string[]> {
  const config = {
    cwd: path.resolve(dir),
    env: gitEnvironment(options.env ?? process.env),
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  const args = ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory'];
  const entries = (output: string) => output.split('\0').filter((entry) => entry !== '');
  // Outside a work tree (known from the files, without a process) git is given an empty
  // repository, made here from the three entries git checks, so the project's own .gitignore
  // files still count.
  let inRepository = true;
  try {
    inRepository = findRepositoryFiles(config.cwd, config.env) !== undefined;
  } catch {
    // Unknown: git says.
  }
  if (inRepository) {
    try {
      return entries(await runGit(args, config));
    } catch (error) {
      if (!isNotAWorkTree(error)) throw gitFailure(config.cwd, error);
    }
  }
  // Nothing that could ignore a file (no .gitignore in the tree, no user-wide excludes file):
  // git would list nothing, and is not started (a fork of this process costs tens of ms).
  if (!ignoreRulesMayApply(config.cwd, config.env)) return [];
  // Made and removed synchronously (microseconds): git starts at once, not after four trips
  // through the thread pool that wait for a busy main thread.
  const gitDir = mkdtempSync(path.join(tmpdir(), 'berth-ignored-'));
  try {
    mkdirSync(path.join(gitDir, 'objects'));
    mkdirSync(path.join(gitDir, 'refs'));
    writeFileSync(path.join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
    return entries(
      await runGit([`--git-dir=${gitDir}`, `--work-tree=${config.cwd}`, ...args], config),
    );
  } finally {
    rmSync(gitDir, {recursive: true, force: true});
  }
}
