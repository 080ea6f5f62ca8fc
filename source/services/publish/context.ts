// The files of a project that go into its image: everything except tool state, caches and
// virtual environments, minus what `.dockerignore` excludes — with Docker's own semantics
// (moby's patternmatcher): patterns are anchored at the project root, `*` and `?` stop at `/`,
// `**` crosses folders, a pattern that matches a folder excludes everything under it, `!`
// re-includes, the last matching pattern wins, a leading `/` and trailing `/` change nothing.
//
// Two more rules keep secrets out of images: files git ignores stay out unless a `!` line of
// `.dockerignore` (or `include`) brings them back, and well-known secret files (`.env`, SSH keys,
// `.netrc`, cloud credentials, `kaggle.json`, ...) stay out unless `include` names them — a
// `.dockerignore` line is not enough, it is too easy to write `!*`. What is left out is listed
// with the reason, for the dry run.
import {lstatSync, readFileSync, readdirSync, readlinkSync} from 'node:fs';
import path from 'node:path';
import {listIgnoredFiles} from '../../clients/git.js';
import {breather} from '../../lib/breather.js';
import type {FieldText} from '../../lib/errors.js';
import {cleanPath, isIgnored, parseDockerignore} from '../../lib/docker-patterns.js';
import {secretReason} from '../../lib/secret-files.js';
import {comparePaths} from './entry-point.js';

export type ContextFile = {
  /** POSIX path relative to the project directory. */
  path: string;
  type: 'file' | 'symlink';
  /** Permission bits (executable bits matter to scripts). */
  mode: number;
  size: number;
  /** For symlinks: the link as written (kept as a link, never followed). */
  linkTarget?: string;
};

/** Never part of an image, whatever `.dockerignore` says. */
const ALWAYS_EXCLUDED = new Set(['.git', '.berth', '__pycache__', 'venv', '.venv']);

export type ExcludedKind = 'tool' | 'secret' | 'git-ignored' | 'dockerignore';

/**
 * A file or folder (ending in `/`) left out of the build context, and why; a secret's reason
 * names the field that sends it anyway (`include`), so each front end words it its own way.
 */
export type ExcludedFile = {path: string; kind: ExcludedKind; reason: FieldText};

export type BuildContextOptions = {
  /** Paths (POSIX, relative) to send even though they look secret or git ignores them. */
  include?: string[];
  /** Folders whose files git may ignore but pip needs (wheel folders named by --find-links). */
  needed?: string[];
  /** How git-ignored files are found; tests pass their own. */
  listIgnored?: (dir: string) => Promise<string[]>;
};

export type BuildContext = {
  files: ContextFile[];
  /** The first MAX_LISTED_EXCLUSIONS of what was left out. */
  excluded: ExcludedFile[];
  /** How many were left out in all. */
  excludedCount: number;
};

export const MAX_LISTED_EXCLUSIONS = 1000;

/** The project's files to send as build context, sorted by path. */
export async function buildContextFiles(
  projectDir: string,
  options: BuildContextOptions = {},
): Promise<ContextFile[]> {
  return (await buildContext(projectDir, options)).files;
}

/** The build context's files, and what was left out with the reason. */
export async function buildContext(
  projectDir: string,
  options: BuildContextOptions = {},
): Promise<BuildContext> {
  const ignoreText = readDockerignore(projectDir);
  const patterns = parseDockerignore(ignoreText);
  const reinclusions = patterns.filter((p) => p.exclusion);
  /** A `!` pattern might bring back something inside `folder` (decided by its literal prefix). */
  const mayReinclude = (folder: string) =>
    reinclusions.some((p) => {
      const prefix = /^[^*?[\\]*/.exec(p.pattern)![0];
      return prefix.startsWith(`${folder}/`) || `${folder}/`.startsWith(prefix);
    });
  const include = (options.include ?? []).map((p) => cleanPath(p.replaceAll('\\', '/')));
  const needed = options.needed ?? [];
  const ignoredList = await (options.listIgnored ?? listIgnoredFiles)(projectDir);
  const ignoredFiles = new Set<string>();
  const ignoredFolders = new Set<string>();
  for (const entry of ignoredList) {
    if (entry.endsWith('/')) ignoredFolders.add(entry.slice(0, -1));
    else ignoredFiles.add(entry);
  }
  const files: ContextFile[] = [];
  const excludedList: ExcludedFile[] = [];
  let excludedCount = 0;
  const excluded = {
    push(entry: ExcludedFile): void {
      excludedCount++;
      if (excludedList.length < MAX_LISTED_EXCLUSIONS) excludedList.push(entry);
    },
  };

  const isIncluded = (child: string) => include.includes(child);
  /** `child` or a path inside it is named by `include` or `needed`. */
  const holdsWanted = (child: string) =>
    [...include, ...needed].some((p) => p === child || p.startsWith(`${child}/`));
  const isNeeded = (child: string) =>
    needed.some((folder) => child === folder || child.startsWith(`${folder}/`));
  const reincludedByDockerignore = (child: string) => reinclusions.some((p) => p.regex.test(child));
  /** Inside a folder git ignores as a whole (its files are not listed one by one). */
  const inIgnoredFolder = (child: string) => {
    const parts = child.split('/');
    for (let i = 1; i <= parts.length; i++) {
      if (ignoredFolders.has(parts.slice(0, i).join('/'))) return true;
    }
    return false;
  };
  const gitIgnores = (child: string) =>
    (ignoredFiles.has(child) || inIgnoredFolder(child)) &&
    !isIncluded(child) &&
    !isNeeded(child) &&
    !reincludedByDockerignore(child);

  const breathe = breather();
  async function walk(relative: string): Promise<void> {
    const absolute = path.join(projectDir, ...relative.split('/').filter(Boolean));
    const entries = readdirSync(absolute, {withFileTypes: true});
    if (relative !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && e.isFile())) {
      excluded.push({path: `${relative}/`, kind: 'tool', reason: 'a virtual environment'});
      return;
    }
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ALWAYS_EXCLUDED.has(entry.name)) {
          excluded.push({
            path: `${child}/`,
            kind: 'tool',
            reason: entry.name.includes('venv') ? 'a virtual environment' : 'tool state',
          });
          continue;
        }
        const secret = secretReason(entry.name, true);
        if (secret && !holdsWanted(child)) {
          excluded.push({
            path: `${child}/`,
            kind: 'secret',
            reason: (f) => `${secret}; pass ${f('include')} ${child} to send it`,
          });
          continue;
        }
        // An excluded folder is still walked when a `!` pattern may bring back something inside.
        if (!mayReinclude(child) && !holdsWanted(child) && isIgnored(child, patterns)) {
          excluded.push({
            path: `${child}/`,
            kind: 'dockerignore',
            reason: 'listed in .dockerignore',
          });
          continue;
        }
        if (!mayReinclude(child) && !holdsWanted(child) && gitIgnores(child)) {
          excluded.push({path: `${child}/`, kind: 'git-ignored', reason: 'ignored by git'});
          continue;
        }
        await walk(child);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const secret = secretReason(entry.name, false);
      if (secret && !isIncluded(child)) {
        excluded.push({
          path: child,
          kind: 'secret',
          reason: (f) => `${secret}; pass ${f('include')} ${child} to send it`,
        });
        continue;
      }
      if (isIgnored(child, patterns) && !isIncluded(child)) {
        excluded.push({path: child, kind: 'dockerignore', reason: 'listed in .dockerignore'});
        continue;
      }
      if (gitIgnores(child)) {
        excluded.push({
          path: child,
          kind: 'git-ignored',
          reason: `ignored by git; add !${child} to .dockerignore to send it`,
        });
        continue;
      }
      await breathe();
      const info = lstatSync(path.join(absolute, entry.name));
      const file: ContextFile = {
        path: child,
        type: info.isSymbolicLink() ? 'symlink' : 'file',
        mode: info.mode & 0o777,
        size: info.isSymbolicLink() ? 0 : info.size,
      };
      if (info.isSymbolicLink()) file.linkTarget = readlinkSync(path.join(absolute, entry.name));
      files.push(file);
    }
  }
  await walk('');
  files.sort((a, b) => comparePaths(a.path, b.path));
  excludedList.sort((a, b) => comparePaths(a.path, b.path));
  return {files, excluded: excludedList, excludedCount};
}

/** `.dockerignore`'s text, '' when the project has none. */
function readDockerignore(projectDir: string): string {
  try {
    return readFileSync(path.join(projectDir, '.dockerignore'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
