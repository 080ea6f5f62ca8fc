// The one form of "the active stack/profile changed", for the CLI and the TUI alike:
// `Active stack: 'gpu' (this repository).`
import type {Source} from '../models/profile.js';

export function activeMessage(
  kind: 'stack' | 'profile',
  name: string,
  scope: Source,
  /** The stack that still applies here (a global switch under a repository's own stack). */
  stillApplies?: string,
): string {
  const where = scope === 'local' ? 'this repository' : scope;
  const head = `Active ${kind}: '${name}' (${where})`;
  return stillApplies === undefined
    ? `${head}.`
    : `${head}; this repository's own ${kind} '${stillApplies}' still applies here.`;
}
