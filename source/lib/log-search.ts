// Case-insensitive substring search over a window of log lines (the pane's `/`, `n`, `N`).

/** Anything with indexed lines: an array, a RingBuffer, a view over either. */
export type LineSource = {readonly length: number; get(index: number): string | undefined};

/** Indexes of the lines containing `query`, ascending; empty for an empty query. */
export function findMatches(source: LineSource, query: string, limit = 100_000): number[] {
  if (!query) return [];
  const needle = query.toLowerCase();
  // Lines are mostly ASCII: comparing lowercased copies is cheap enough at 10k lines per key.
  const matches: number[] = [];
  for (let i = 0; i < source.length && matches.length < limit; i++) {
    const line = source.get(i);
    if (line !== undefined && line.toLowerCase().includes(needle)) matches.push(i);
  }
  return matches;
}

/**
 * The match to jump to from line `from`: the first one after it (direction 1) or before it
 * (-1), wrapping around. Undefined when there are no matches.
 */
export function nextMatch(
  matches: readonly number[],
  from: number,
  direction: 1 | -1,
): number | undefined {
  if (matches.length === 0) return undefined;
  if (direction === 1) return matches.find((index) => index > from) ?? matches[0];
  for (let i = matches.length - 1; i >= 0; i--) if (matches[i]! < from) return matches[i];
  return matches[matches.length - 1];
}

/** Splits `line` around the first occurrence of `query` (case-insensitive) for highlighting. */
export function splitMatch(line: string, query: string): [string, string, string] | undefined {
  if (!query) return undefined;
  const at = line.toLowerCase().indexOf(query.toLowerCase());
  if (at < 0) return undefined;
  return [line.slice(0, at), line.slice(at, at + query.length), line.slice(at + query.length)];
}
