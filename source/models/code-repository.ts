// Code repositories as stored in a profile's `repositories` collection (keyed by name), and the
// interface a custom repository module implements. Plain types, no zod: `berth status` reads
// these records on every start and must not pay for a schema library.

export const repositoryTypes = ['github', 'gitlab', 'custom'] as const;
export type RepositoryType = (typeof repositoryTypes)[number];

export type Visibility = 'private' | 'public';

export type CodeRepositoryRecord = {
  /** berth's own id (a UUID): runs and modules carry it, so a rename or re-registration can't rebind them. */
  id: string;
  name: string;
  type: RepositoryType;
  /** Where clones point (`github.com`, `gitlab.example.com`); null for custom repositories. */
  host: string | null;
  /** `owner/repo` (GitHub) or `group/sub/project` (GitLab); null for custom repositories. */
  path: string | null;
  /** GitHub's API URL or GitLab's instance URL; null for custom repositories. */
  apiUrl: string | null;
  /**
   * `locationKey({host, path})` (lib/git-url.ts), written at registration and update so
   * detection asks the store for the matching records only. Absent on custom repositories and
   * on records written before it existed (detection backfills those).
   */
  locationKey?: string;
  /**
   * Former paths of a renamed or transferred repository (the path it was registered or last
   * seen under, when the provider answered with another canonical one), oldest first.
   */
  aliases?: string[];
  /** `locationKey` of the latest alias: detection matches a checkout still cloned under it. */
  aliasKey?: string;
  /** The NAME of a stored token (`berth token list`), never a secret. */
  token: string | null;
  visibility: Visibility | null;
  defaultBranch: string | null;
  /** The provider's own id (GitHub repository id, GitLab project id). */
  providerId: string | null;
  /** Custom: absolute module path and export, `/abs/module.js#Export`. */
  source?: string;
  /** Custom: the constructor options (`--option key=value`). Not for secrets: `token` names one. */
  options?: Record<string, string>;
  createdAt: string;
  updatedAt?: string;
};

/** What a custom repository reports about a local checkout (ZenML's LocalRepositoryContext). */
export type LocalRepositoryContext = {
  /** Absolute path of the checkout's root. */
  root: string;
  /** The commit checked out (full SHA or the system's own revision id). */
  commit: string;
  /** No modified, staged or untracked files. */
  clean: boolean;
  /** The commit can be downloaded again with `downloadFiles`. */
  pushed: boolean;
  /** POSIX path of the directory relative to `root`; '' at the root. */
  subdirectory?: string;
};

/** What login() gets: the secret of the repository's token, when it names one. */
export type CustomCredentials = {token?: string};

/**
 * A custom code repository (`berth repo register NAME --type custom --source ./m.js#Export`).
 * The export is a class whose constructor takes the `--option key=value` pairs as one object,
 * or a (possibly async) factory function taking the same object and returning an instance.
 * See docs/custom-repositories.md.
 */
export interface CodeRepository {
  /**
   * Checks the credentials/options; throw with a clear message when they do not work. berth
   * calls it at registration and before every download, with the secret of the stored token the
   * repository names (`--token NAME`), read from the keychain (or file, or environment) just
   * then: keep it in memory for downloadFiles(), never write it anywhere.
   */
  login(credentials: CustomCredentials): Promise<void> | void;
  /**
   * Writes the files of `commit` into `directory` (which exists and is empty); only those of
   * `subdirectory` (POSIX, relative to the repository root) re-rooted at `directory` when given.
   * Throw when the download is incomplete: berth never treats a partial download as success.
   */
  downloadFiles(
    commit: string,
    directory: string,
    subdirectory?: string,
    options?: {
      /** Aborted on Ctrl+C or SIGTERM: stop (berth removes `directory` and does not wait). */
      signal?: AbortSignal;
    },
  ): Promise<void> | void;
  /** The checkout containing `path`, or null when `path` is not a checkout of this repository. */
  getLocalContext(
    path: string,
  ): Promise<LocalRepositoryContext | null | undefined> | LocalRepositoryContext | null | undefined;
}

/** The fields `repo list --json` shows: the record (it holds no secrets) without the lookup key. */
export function publicRecord(record: CodeRepositoryRecord): CodeRepositoryRecord {
  const {locationKey: _key, aliasKey: _alias, ...shown} = record;
  return shown;
}
