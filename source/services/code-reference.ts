// Which registered repository a directory is a checkout of, at which commit, and whether that
// commit can be recorded (clean) and downloaded again (pushed). Local only: remotes are read
// once and matched in memory, so 1,000 registered repositories cost one map lookup per remote.
import type {Checkout, GitRemote} from '../clients/git.js';
import {locationKey} from '../lib/git-url.js';
import type {CodeDetection, RepositoryCandidate} from '../models/code-reference.js';

/** Registered repositories keyed by case-insensitive host and path; build once, match often. */
export type RepositoryIndex = ReadonlyMap<string, RepositoryCandidate>;

export function indexRepositories(repositories: readonly RepositoryCandidate[]): RepositoryIndex {
  const index = new Map<string, RepositoryCandidate>();
  for (const repository of repositories) {
    const key = locationKey(repository);
    // The first registration wins; a duplicate registration cannot change what matches.
    if (!index.has(key)) index.set(key, repository);
  }
  return index;
}

type RemoteMatch = {remote: GitRemote; repository: RepositoryCandidate};

/** The pure half of detection: a checkout (or none) against the registered repositories. */
export function resolveCodeReference(
  checkout: Checkout | undefined,
  repositories: readonly RepositoryCandidate[] | RepositoryIndex,
): CodeDetection {
  if (!checkout) {
    return {
      repository: null,
      remote: null,
      commit: null,
      subdirectory: null,
      clean: false,
      pushed: false,
      reason: 'not a git checkout',
      repositoryId: null,
      gitRoot: null,
      remotes: [],
      codeReference: null,
    };
  }

  const index = isIndex(repositories) ? repositories : indexRepositories(repositories);
  const matches: RemoteMatch[] = [];
  for (const remote of checkout.remotes) {
    if (!remote.parsed) continue;
    const repository = index.get(locationKey(remote.parsed));
    if (repository) matches.push({remote, repository});
  }
  const chosen = chooseMatch(matches, checkout.pushedRemotes);
  // Pushed: HEAD is on some remote-tracking ref. For a registered repository, on a remote of
  // *that* repository: a push to a fork does not make it downloadable from the registered one.
  const pushed =
    chosen === undefined
      ? checkout.pushed
      : matches.some(
          (match) =>
            match.repository === chosen.repository &&
            checkout.pushedRemotes.includes(match.remote.name),
        );

  const codeReference =
    chosen && checkout.commit && checkout.clean
      ? {
          repositoryId: chosen.repository.id,
          commit: checkout.commit,
          subdirectory: checkout.subdirectory,
          clean: true,
          pushed,
          snapshot: null,
        }
      : null;

  return {
    repository: chosen?.repository.name ?? null,
    remote: chosen ? describeRemote(chosen.remote) : null,
    commit: checkout.commit,
    subdirectory: checkout.subdirectory,
    clean: checkout.clean,
    pushed,
    reason: reasonFor(checkout, chosen, pushed),
    repositoryId: chosen?.repository.id ?? null,
    gitRoot: checkout.gitRoot,
    remotes: checkout.remotes.map(describeRemote),
    codeReference,
  };
}

function isIndex(
  repositories: readonly RepositoryCandidate[] | RepositoryIndex,
): repositories is RepositoryIndex {
  return repositories instanceof Map;
}

/** Prefer a remote HEAD was pushed to, then `origin`, then git's order. */
function chooseMatch(matches: RemoteMatch[], pushedRemotes: string[]): RemoteMatch | undefined {
  const rank = (match: RemoteMatch) =>
    (pushedRemotes.includes(match.remote.name) ? 0 : 2) + (match.remote.name === 'origin' ? 0 : 1);
  return [...matches].sort((a, b) => rank(a) - rank(b))[0];
}

function describeRemote(remote: GitRemote): string {
  return `${remote.name}=${remote.url}`;
}

function reasonFor(
  checkout: Checkout,
  chosen: RemoteMatch | undefined,
  pushed: boolean,
): string | null {
  if (checkout.commit === null) return 'repository has no commits';
  if (!chosen) {
    if (checkout.remotes.length === 0) {
      return 'no registered repository matches: the checkout has no remotes';
    }
    const plural = checkout.remotes.length > 1 ? 'remotes' : 'remote';
    return `no registered repository matches ${plural} ${checkout.remotes.map(describeRemote).join(', ')}`;
  }
  if (!checkout.clean) {
    const details = [
      [checkout.modified, 'modified'],
      [checkout.staged, 'staged'],
      [checkout.untracked, 'untracked'],
    ] as const;
    const detail = details
      .filter(([count]) => count > 0)
      .map(([count, kind]) => `${count} ${kind}`)
      .join(', ');
    const files = checkout.dirtyFiles === 1 ? 'file' : 'files';
    return `uncommitted changes in ${checkout.dirtyFiles} ${files} (${detail})`;
  }
  if (!pushed) {
    if (checkout.pushed) {
      return `commit not on remote ${chosen.remote.name} (only on ${checkout.pushedRemotes.join(', ')})`;
    }
    return 'commit not on any remote';
  }
  return null;
}
