// A checkout's remotes as the forms that register a repository show them (the setup wizard,
// the repositories screen), and which registered repository a remote points at. Local only.
import path from 'node:path';
import type {Deps} from '../../deps.js';
import {createGitClient} from '../../clients/git.js';
import {locationKey, type RepositoryLocation} from '../../lib/git-url.js';

export type CheckoutRemote = {
  name: string;
  /** Credentials masked. */
  url: string;
  /** `HOST[:PORT]` (a port only for ssh remotes), or null for local paths. */
  host: string | null;
  path: string | null;
  /** `scheme://host[:port]` of an http(s) remote: where a self-hosted forge's API lives. */
  base?: string | null;
};

export type CheckoutRemotes = {gitRoot: string | null; remotes: CheckoutRemote[]};

/** `https://user@host:8443/a/b.git` → `https://host:8443`; other forms (ssh, scp) → null. */
export function remoteBase(url: string): string | null {
  const match = /^(https?):\/\/(?:[^@/]*@)?([^/?#]+)/i.exec(url.trim());
  return match ? `${match[1]!.toLowerCase()}://${match[2]!.toLowerCase()}` : null;
}

/** The git root and remotes of `dir` (default: the current directory); none outside a checkout. */
export async function readRemotes(deps: Deps, dir = deps.cwd): Promise<CheckoutRemotes> {
  const checkout = await createGitClient().readCheckout(path.resolve(deps.cwd, dir));
  if (!checkout) return {gitRoot: null, remotes: []};
  return {
    gitRoot: checkout.gitRoot,
    remotes: checkout.remotes.map((remote) => ({
      name: remote.name,
      url: remote.url,
      host: remote.parsed
        ? remote.parsed.host + (remote.parsed.port ? `:${remote.parsed.port}` : '')
        : null,
      path: remote.parsed?.path ?? null,
      base: remote.parsed ? remoteBase(remote.url) : null,
    })),
  };
}

/** The remote most likely to be the code's home: `origin`, else the first one on a host. */
export function primaryRemote(
  remotes: readonly CheckoutRemote[] | undefined,
): (CheckoutRemote & {host: string; path: string}) | undefined {
  const hosted = (remotes ?? []).filter(
    (remote): remote is CheckoutRemote & {host: string; path: string} =>
      Boolean(remote.host && remote.path),
  );
  return hosted.find((remote) => remote.name === 'origin') ?? hosted[0];
}

/**
 * The registered repository at a remote's location, by the key detection matches on: host
 * without port, path without `.git`, both case-insensitive. The first registration wins.
 */
export function registeredAt<T extends {host: string | null; path: string | null}>(
  location: RepositoryLocation,
  repositories: readonly T[],
): T | undefined {
  const key = locationKey(location);
  return repositories.find(
    (repository) =>
      repository.host !== null &&
      repository.path !== null &&
      repository.path !== '' &&
      locationKey({host: repository.host, path: repository.path}) === key,
  );
}
