// What `berth status` needs from a repository that git keeps in plain files, read without
// starting git: where the work tree and its git directories are (`.git` as a folder, or a file
// naming the git dir of a worktree or submodule, and `commondir`), the remotes in the config, and
// the remote-tracking refs (loose files and packed-refs). Each reader says when the files hold
// something only git itself can interpret (config includes, `insteadOf` rewrites, a reftable
// store); the caller then asks git.
//
// Every read is synchronous: they are a few small files (stats up the tree, configs, refs), each
// read in microseconds, where a read through libuv's thread pool waits for a worker thread to be
// scheduled, milliseconds each on a busy machine (measured: 5–14 ms for the remotes alone in
// `berth status`, against git's whole run). The caller finds the repository, starts `git status`
// and reads the rest while git works. (node:fs/promises would also load streams and readline.)
import {readdirSync, readFileSync, realpathSync, type Dirent} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {statOrNothing} from '../lib/file-errors.js';

export type RepositoryFiles = {
  /** The work tree's top level (physical path, as `git rev-parse --show-toplevel` gives it). */
  root: string;
  /** POSIX path of the directory below `root`; `''` at the top. */
  prefix: string;
  /** This work tree's git directory (`.git`, or `.git/worktrees/NAME` of a linked worktree). */
  gitDir: string;
  /** Where config and refs live: `gitDir`, or what its `commondir` names. */
  commonDir: string;
};

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A folder's entries; none when it cannot be read. */
function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, {withFileTypes: true});
  } catch {
    return [];
  }
}

function isFile(file: string): boolean {
  return statOrNothing(file)?.isFile() ?? false;
}

/** The git directory behind `DIR/.git` (a folder with a HEAD, or a `gitdir:` file), if any. */
function gitDirAt(dir: string): string | undefined {
  const dotGit = path.join(dir, '.git');
  const info = statOrNothing(dotGit);
  if (!info) return undefined;
  if (info.isDirectory()) return isFile(path.join(dotGit, 'HEAD')) ? dotGit : undefined;
  const match = /^gitdir: *(.+?)\s*$/m.exec(readText(dotGit) ?? '');
  if (!match) return undefined;
  const target = path.resolve(dir, match[1]!);
  return isFile(path.join(target, 'HEAD')) ? target : undefined;
}

/**
 * The repository `dir` (an existing directory) is in, found as git finds it: the nearest
 * ancestor with a valid `.git`, not above GIT_CEILING_DIRECTORIES. Throws what realpath throws.
 */
export function findRepositoryFiles(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): RepositoryFiles | undefined {
  const physical = realpathSync(dir);
  const ceilings = (env.GIT_CEILING_DIRECTORIES ?? '')
    .split(':')
    .filter((entry) => entry !== '')
    .map((entry) => path.resolve(entry));
  for (let current = physical; ; ) {
    const gitDir = gitDirAt(current);
    if (gitDir) {
      const common = readText(path.join(gitDir, 'commondir'))?.trim();
      return {
        root: current,
        prefix: path.relative(current, physical).split(path.sep).join('/'),
        gitDir,
        commonDir: common ? path.resolve(gitDir, common) : gitDir,
      };
    }
    const parent = path.dirname(current);
    if (parent === current || ceilings.includes(parent)) return undefined;
    current = parent;
  }
}

// --- config -------------------------------------------------------------------------------

export type ConfigEntry = {section: string; subsection: string | null; key: string; value: string};

/**
 * Parses git's config syntax: `[section]`, `[section "subsection"]` (case kept, `\"` and `\\`
 * escapes), legacy `[section.subsection]`, `key = value` with quoted parts, `\n \t \b \\ \"`
 * escapes, `#`/`;` comments outside quotes and `\` line continuations; a key without `=` is
 * true. Section and key names are lowercased, as git compares them.
 */
export function parseGitConfig(text: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  let section = '';
  let subsection: string | null = null;
  let i = 0;
  const n = text.length;
  const skipBlanks = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
  };
  const skipLine = () => {
    while (i < n && text[i] !== '\n') i++;
    i++;
  };
  while (i < n) {
    skipBlanks();
    const c = text[i];
    if (c === undefined) break;
    if (c === '\n') {
      i++;
      continue;
    }
    if (c === '#' || c === ';') {
      skipLine();
      continue;
    }
    if (c === '[') {
      i++;
      let name = '';
      while (i < n && /[A-Za-z0-9.-]/.test(text[i]!)) name += text[i++];
      skipBlanks();
      subsection = null;
      if (text[i] === '"') {
        i++;
        subsection = '';
        while (i < n && text[i] !== '"' && text[i] !== '\n') {
          if (text[i] === '\\' && i + 1 < n) i++;
          subsection += text[i++];
        }
        i++;
        skipBlanks();
      } else if (name.includes('.')) {
        // [section.subsection]: the old form, its subsection lowercased.
        const dot = name.indexOf('.');
        subsection = name.slice(dot + 1).toLowerCase();
        name = name.slice(0, dot);
      }
      section = name.toLowerCase();
      if (text[i] === ']') i++;
      continue;
    }
    let key = '';
    while (i < n && /[A-Za-z0-9-]/.test(text[i]!)) key += text[i++];
    if (key === '') {
      skipLine();
      continue;
    }
    skipBlanks();
    if (text[i] !== '=') {
      entries.push({section, subsection, key: key.toLowerCase(), value: 'true'});
      if (text[i] === '#' || text[i] === ';' || text[i] === '\n') skipLine();
      continue;
    }
    i++;
    skipBlanks();
    let value = '';
    let pendingSpace = '';
    let quoted = false;
    for (; i < n; i++) {
      const ch = text[i]!;
      if (ch === '\n' && !quoted) break;
      if (!quoted && (ch === '#' || ch === ';')) {
        while (i < n && text[i] !== '\n') i++;
        break;
      }
      if (ch === '"') {
        quoted = !quoted;
        value += pendingSpace;
        pendingSpace = '';
        continue;
      }
      if (ch === '\\') {
        const next = text[i + 1];
        i++;
        if (next === '\n') continue;
        if (next === '\r' && text[i + 1] === '\n') {
          i++;
          continue;
        }
        const escaped = {n: '\n', t: '\t', b: '\b', '\\': '\\', '"': '"'}[next ?? ''];
        value += pendingSpace + (escaped ?? next ?? '');
        pendingSpace = '';
        continue;
      }
      if (!quoted && (ch === ' ' || ch === '\t' || ch === '\r')) {
        pendingSpace += ch === '\r' ? '' : ch;
        continue;
      }
      value += pendingSpace + ch;
      pendingSpace = '';
    }
    entries.push({section, subsection, key: key.toLowerCase(), value});
  }
  return entries;
}

export type ConfigRemote = {name: string; url: string};

const maxIncludeDepth = 10;

/**
 * A config file's entries with its `include.path` files in place (as git reads them). An
 * `includeIf` file matters only if it could touch remotes or URL rewrites; whether its condition
 * holds is git's to decide, so then the answer is undefined.
 */
function configEntries(file: string, home: string, depth = 0): ConfigEntry[] | undefined {
  const text = readText(file);
  if (text === undefined) return [];
  const entries: ConfigEntry[] = [];
  for (const entry of parseGitConfig(text)) {
    const including = entry.section === 'include' || entry.section === 'includeif';
    if (!including || entry.key !== 'path') {
      entries.push(entry);
      continue;
    }
    if (depth >= maxIncludeDepth) return undefined;
    const target = entry.value.startsWith('~/')
      ? path.join(home, entry.value.slice(2))
      : path.resolve(path.dirname(file), entry.value);
    const included = configEntries(target, home, depth + 1);
    if (included === undefined) return undefined;
    if (entry.section === 'include') entries.push(...included);
    else if (included.some((e) => e.section === 'remote' || e.section === 'url')) return undefined;
  }
  return entries;
}

/**
 * The remotes and their fetch URLs as `git remote -v` shows them: the first `url` of each,
 * rewritten by the longest matching `url.BASE.insteadOf`. Undefined when only git can tell
 * (a conditional include that could change them, remotes in the legacy remotes/ folders).
 */
export function readConfigRemotes(
  files: RepositoryFiles,
  env: NodeJS.ProcessEnv = process.env,
): ConfigRemote[] | undefined {
  const home = env.HOME || os.homedir();
  const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const sources = [
    ...(env.GIT_CONFIG_NOSYSTEM ? [] : [env.GIT_CONFIG_SYSTEM || '/etc/gitconfig']),
    ...(env.GIT_CONFIG_GLOBAL !== undefined
      ? [env.GIT_CONFIG_GLOBAL]
      : [path.join(xdg, 'git', 'config'), path.join(home, '.gitconfig')]),
    path.join(files.commonDir, 'config'),
    path.join(files.gitDir, 'config.worktree'),
  ].filter((file) => file !== '' && file !== '/dev/null');
  const read = sources.map((file) => configEntries(file, home));
  const remotes = new Map<string, string | null>();
  const rewrites: Array<{base: string; prefix: string}> = [];
  for (const entries of read) {
    if (entries === undefined) return undefined;
    for (const entry of entries) {
      if (entry.section === 'url' && entry.subsection !== null && entry.key === 'insteadof') {
        rewrites.push({base: entry.subsection, prefix: entry.value});
        continue;
      }
      if (entry.section !== 'remote' || entry.subsection === null) continue;
      if (!remotes.has(entry.subsection)) remotes.set(entry.subsection, null);
      if (entry.key !== 'url') continue;
      // An empty url resets the list; the first url after it is the fetch URL.
      if (entry.value === '') remotes.set(entry.subsection, null);
      else if (remotes.get(entry.subsection) === null) remotes.set(entry.subsection, entry.value);
    }
  }
  // Remotes described in the legacy remotes/ and branches/ folders: only git reads those.
  for (const legacy of ['remotes', 'branches']) {
    if (entriesOf(path.join(files.commonDir, legacy)).length > 0) return undefined;
  }
  const rewrite = (url: string) => {
    let best: {base: string; prefix: string} | undefined;
    for (const candidate of rewrites) {
      if (url.startsWith(candidate.prefix) && candidate.prefix.length > (best?.prefix.length ?? -1))
        best = candidate;
    }
    return best ? best.base + url.slice(best.prefix.length) : url;
  };
  // `git remote -v` lists them sorted by name, byte for byte.
  return [...remotes]
    .flatMap(([name, url]) => (url === null ? [] : [{name, url: rewrite(url)}]))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// --- refs ---------------------------------------------------------------------------------

/**
 * Remote-tracking refs (`refs/remotes/...` → object id), loose files over packed-refs, symbolic
 * ones (`origin/HEAD`) resolved; undefined when refs are in a reftable, which only git reads.
 */
export function readRemoteRefs(files: RepositoryFiles): Map<string, string> | undefined {
  const {commonDir} = files;
  if (statOrNothing(path.join(commonDir, 'reftable'))) return undefined;
  const refs = new Map<string, string>();
  const packed = readText(path.join(commonDir, 'packed-refs'));
  for (const line of packed?.split('\n') ?? []) {
    const match = /^([0-9a-f]{40,64}) (refs\/remotes\/\S+)$/.exec(line.trim());
    if (match) refs.set(match[2]!, match[1]!);
  }
  const symbolic = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const entry of entriesOf(path.join(commonDir, relative))) {
      const name = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(name);
      if (!entry.isFile() || entry.name.endsWith('.lock')) continue;
      const content = readText(path.join(commonDir, name))?.trim() ?? '';
      if (/^[0-9a-f]{40,64}$/.test(content)) refs.set(name, content);
      else if (content.startsWith('ref: ')) symbolic.set(name, content.slice(5).trim());
    }
  };
  walk('refs/remotes');
  for (const [name, target] of symbolic) {
    const id = refs.get(target);
    if (id) refs.set(name, id);
  }
  return refs;
}

/** Where git builds keep their system-wide config (Debian and most packages; /usr/local; Homebrew). */
const SYSTEM_CONFIGS = [
  '/etc/gitconfig',
  '/usr/local/etc/gitconfig',
  '/opt/homebrew/etc/gitconfig',
];

/** Entries looked through for a `.gitignore` before the question is left to git. */
const MAX_ENTRIES_LOOKED_AT = 20_000;

/**
 * Whether git could ignore anything under `dir`, a folder outside any work tree: true when a
 * `.gitignore` is in the tree or a user-wide excludes file may apply (git's default
 * `$XDG_CONFIG_HOME/git/ignore`, or `core.excludesFile` in the global or system config), and
 * whenever the files cannot say (a config include, an unreadable file or folder, a tree too large
 * to look through, Windows): git then answers. False means git would list nothing.
 */
export function ignoreRulesMayApply(dir: string, env: NodeJS.ProcessEnv): boolean {
  if (process.platform === 'win32') return true;
  return userExcludesMayApply(env) || holdsGitignore(dir);
}

function userExcludesMayApply(env: NodeJS.ProcessEnv): boolean {
  const home = env.HOME || os.homedir();
  const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
  if (statOrNothing(path.join(xdg, 'git', 'ignore')) !== undefined) return true;
  const configs =
    env.GIT_CONFIG_GLOBAL === undefined
      ? [path.join(xdg, 'git', 'config'), path.join(home, '.gitconfig')]
      : [env.GIT_CONFIG_GLOBAL];
  if (!/^(1|true|yes|on)$/i.test(env.GIT_CONFIG_NOSYSTEM ?? ''))
    configs.push(
      ...(env.GIT_CONFIG_SYSTEM === undefined ? SYSTEM_CONFIGS : [env.GIT_CONFIG_SYSTEM]),
    );
  return configs.some((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code !== 'ENOENT' && code !== 'ENOTDIR';
    }
    return /excludesfile|^\s*\[\s*include/im.test(text);
  });
}

function holdsGitignore(dir: string): boolean {
  const folders = [dir];
  let looked = 0;
  while (folders.length > 0) {
    let entries: Dirent[];
    try {
      entries = readdirSync(folders.pop()!, {withFileTypes: true});
    } catch {
      return true;
    }
    looked += entries.length;
    if (looked > MAX_ENTRIES_LOOKED_AT) return true;
    for (const entry of entries) {
      if (entry.name === '.gitignore') return true;
      // Links are not followed (git does not), nor a nested repository's files (git keeps out).
      if (entry.isDirectory() && entry.name !== '.git')
        folders.push(path.join(entry.parentPath, entry.name));
    }
  }
  return false;
}
