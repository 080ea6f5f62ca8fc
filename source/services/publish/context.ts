// The files of a project that go into its image: everything except tool state, caches and
// virtual environments, minus what `.dockerignore` excludes — with Docker's own semantics
// (moby's patternmatcher): patterns are anchored at the project root, `*` and `?` stop at `/`,
// `**` crosses folders, a pattern that matches a folder excludes everything under it, `!`
// re-includes, the last matching pattern wins, a leading `/` and trailing `/` change nothing.
import {lstat, readFile, readdir, readlink} from 'node:fs/promises';
import path from 'node:path';
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

export type IgnorePattern = {pattern: string; exclusion: boolean; regex: RegExp};

/** Never part of an image, whatever `.dockerignore` says. */
const ALWAYS_EXCLUDED = new Set(['.git', '.berth', '__pycache__', 'venv', '.venv']);

export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (pattern === '') continue;
    const exclusion = pattern.startsWith('!');
    if (exclusion) pattern = pattern.slice(1).trim();
    if (pattern === '') continue;
    pattern = cleanPath(pattern.replaceAll('\\', '/'));
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    patterns.push({pattern, exclusion, regex: compilePattern(pattern)});
  }
  return patterns;
}

/** Go's filepath.Clean on a POSIX path. */
function cleanPath(value: string): string {
  const normalized = path.posix.normalize(value);
  if (normalized === '/' || normalized === '') return normalized || '.';
  return normalized.replace(/\/+$/, '') || '.';
}

function compilePattern(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(?:.*/)?';
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '\\' && i + 1 < pattern.length) {
      source += escapeRegex(pattern[++i]!);
    } else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      // Go's syntax: `[^ab]` negates; `!` is an ordinary character, as in Docker.
      const body = pattern.slice(i + 1, close);
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else {
      source += escapeRegex(ch);
    }
  }
  try {
    return new RegExp(`${source}$`, 'u');
  } catch {
    // A pattern Docker would reject matches nothing here rather than crashing the publish.
    return /(?!)/;
  }
}

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/** Whether `file` (POSIX, relative) is excluded: it or one of its parent folders matches. */
export function isIgnored(file: string, patterns: IgnorePattern[]): boolean {
  const parts = file.split('/');
  let ignored = false;
  for (const pattern of patterns) {
    // Only a pattern that could change the verdict needs evaluating.
    if (pattern.exclusion !== ignored) continue;
    let match = pattern.regex.test(file);
    for (let i = 1; !match && i < parts.length; i++) {
      match = pattern.regex.test(parts.slice(0, i).join('/'));
    }
    if (match) ignored = !pattern.exclusion;
  }
  return ignored;
}

/** The project's files to send as build context, sorted by path. */
export async function buildContextFiles(projectDir: string): Promise<ContextFile[]> {
  const ignoreText = await readFile(path.join(projectDir, '.dockerignore'), 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    },
  );
  const patterns = parseDockerignore(ignoreText);
  const canReinclude = patterns.some((p) => p.exclusion);
  const files: ContextFile[] = [];

  async function walk(relative: string): Promise<void> {
    const absolute = path.join(projectDir, ...relative.split('/').filter(Boolean));
    const entries = await readdir(absolute, {withFileTypes: true});
    if (relative !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && e.isFile())) return;
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ALWAYS_EXCLUDED.has(entry.name)) continue;
        // An excluded folder is still walked when a `!` pattern may bring back something inside.
        if (!canReinclude && isIgnored(child, patterns)) continue;
        await walk(child);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (isIgnored(child, patterns)) continue;
      const info = await lstat(path.join(absolute, entry.name));
      const file: ContextFile = {
        path: child,
        type: info.isSymbolicLink() ? 'symlink' : 'file',
        mode: info.mode & 0o777,
        size: info.isSymbolicLink() ? 0 : info.size,
      };
      if (info.isSymbolicLink()) file.linkTarget = await readlink(path.join(absolute, entry.name));
      files.push(file);
    }
  }
  await walk('');
  return files.sort((a, b) => comparePaths(a.path, b.path));
}
