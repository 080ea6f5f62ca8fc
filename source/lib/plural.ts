/** `1 file`, `2 files`, `0 files`: a count with its noun, plural unless exactly one. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;
}
