// Docker's path patterns (moby's patternmatcher), as `.dockerignore` and BuildKit's file sync
// use them: anchored at the context's root, `*` and `?` stop at `/`, `**` crosses folders, a
// pattern that matches a folder matches everything under it, `!` re-includes, the last matching
// pattern wins, a leading `/` and a trailing `/` change nothing.
import path from 'node:path';

export type IgnorePattern = {pattern: string; exclusion: boolean; regex: RegExp};

/** The patterns of a `.dockerignore` file's text. */
export function parseDockerignore(text: string): IgnorePattern[] {
  return compilePatterns(
    text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .filter((line) => !line.startsWith('#')),
  );
}

/** Patterns given one a line (`!` re-includes); blank ones are skipped. */
export function compilePatterns(lines: string[]): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const raw of lines) {
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
export function cleanPath(value: string): string {
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
