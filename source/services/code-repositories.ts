// Code repositories: register (validated against the provider), list, describe, update, delete,
// detect a local checkout (local only, never the network) and download a commit's files with
// one archive request. The CLI and the TUI screen both call these; nothing here knows flags.
import {randomUUID} from 'node:crypto';
import {mkdir, readdir, rm, stat} from 'node:fs/promises';
import path from 'node:path';
import {Transform, type TransformCallback} from 'node:stream';
import type {Deps} from '../deps.js';
import {
  callCustom,
  formatSource,
  loadCustomRepository,
  parseSource,
} from '../lib/custom-repository.js';
import {BerthError, CancelledError, UsageError, UserError} from '../lib/errors.js';
import {createGitClient, type Checkout} from '../clients/git.js';
import {formatLocation, locationKey, normalizeHost} from '../lib/git-url.js';
import {validateName} from '../lib/names.js';
import type {CodeDetection, CodeReference} from '../models/code-reference.js';
import {
  publicRecord,
  repositoryTypes,
  type CodeRepository,
  type CodeRepositoryRecord,
  type RepositoryType,
  type Visibility,
} from '../models/code-repository.js';
import type {TokenProvider} from '../models/token.js';
import {DuplicateKeyError, type Collection, type ProfileStore} from '../store/profile-store.js';
import {resolveCodeReference} from './code-reference.js';
import {now, resolveContext, type ActiveContext} from './context.js';
import {normalizeApiUrl, resolveToken} from './tokens.js';

export const defaultGithubHost = 'github.com';
export const defaultGithubApiUrl = 'https://api.github.com';
export const defaultGitlabHost = 'gitlab.com';
export const defaultGitlabInstanceUrl = 'https://gitlab.com';

/** `BERTH_IGNORE_UNTRACKED=1`: untracked files do not make a checkout dirty. */
export function ignoreUntrackedFromEnv(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes|on)$/i.test(env.BERTH_IGNORE_UNTRACKED ?? '');
}

async function repositoriesOf(deps: Deps, context?: ActiveContext) {
  const active = context ?? (await resolveContext(deps));
  const store = await deps.openStore(active.profile);
  return {
    context: active,
    store,
    collection: store.collection<CodeRepositoryRecord>('repositories'),
  };
}

async function findRecord(
  collection: Collection<CodeRepositoryRecord>,
  name: string,
): Promise<CodeRepositoryRecord> {
  const record = await collection.get(name);
  if (!record) {
    throw new UserError(`No code repository named "${name}".`, {
      hint: 'Run `berth repo list` to see the registered repositories.',
    });
  }
  return record;
}

// Register -------------------------------------------------------------------------------------

export type RegisterRepositoryInput = {
  name: string;
  type: string;
  owner?: string;
  repository?: string;
  group?: string;
  project?: string;
  host?: string;
  apiUrl?: string;
  instanceUrl?: string;
  token?: string;
  source?: string;
  options?: Record<string, string>;
};

const segmentPattern = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;

function checkSegment(flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required.`);
  const trimmed = value.trim();
  if (!segmentPattern.test(trimmed) || trimmed === '.' || trimmed === '..') {
    throw new UsageError(`"${trimmed}" is not a valid ${flag.replace(/^--/, '')}.`, {
      hint: 'Use letters, digits, ".", "-" and "_".',
    });
  }
  return trimmed;
}

function parseType(value: string): RepositoryType {
  const type = value.toLowerCase();
  if (!repositoryTypes.includes(type as RepositoryType)) {
    throw new UsageError(`"${value}" is not a repository type.`, {
      hint: `Use --type ${repositoryTypes.join(', --type ')}.`,
    });
  }
  return type as RepositoryType;
}

function refuseFlags(
  type: RepositoryType,
  input: RegisterRepositoryInput,
  flags: Array<[keyof RegisterRepositoryInput, string]>,
): void {
  for (const [key, flag] of flags) {
    if (input[key] !== undefined) throw new UsageError(`${flag} does not apply to --type ${type}.`);
  }
}

/** `https://ghe.example.com/api/v3` → `ghe.example.com`; api.github.com → github.com. */
function hostFromUrl(url: string): string {
  const host = normalizeHost(url);
  return host === 'api.github.com' ? defaultGithubHost : host;
}

/** The record's location and API, from flags; validates everything that needs no network. */
function buildLocation(
  type: 'github' | 'gitlab',
  input: RegisterRepositoryInput,
): Pick<CodeRepositoryRecord, 'host' | 'path' | 'locationKey' | 'apiUrl'> {
  if (type === 'github') {
    refuseFlags(type, input, [
      ['group', '--group'],
      ['project', '--project'],
      ['instanceUrl', '--instance-url'],
      ['source', '--source'],
    ]);
    const owner = checkSegment('--owner', input.owner);
    const repository = checkSegment('--repository', input.repository).replace(/\.git$/i, '');
    const host = input.host
      ? normalizeHost(input.host)
      : input.apiUrl
        ? hostFromUrl(input.apiUrl)
        : defaultGithubHost;
    const apiUrl = normalizeApiUrl(
      'github',
      input.apiUrl ?? (host === defaultGithubHost ? defaultGithubApiUrl : `https://${host}/api/v3`),
    );
    const repositoryPath = `${owner}/${repository}`;
    return {
      host,
      path: repositoryPath,
      locationKey: locationKey({host, path: repositoryPath}),
      apiUrl,
    };
  }
  refuseFlags(type, input, [
    ['owner', '--owner'],
    ['repository', '--repository'],
    ['apiUrl', '--api-url'],
    ['source', '--source'],
  ]);
  const groupText = (input.group ?? '').trim().replace(/^\/+|\/+$/g, '');
  if (groupText === '')
    throw new UsageError('--group is required.', {hint: 'Subgroups are written a/b/c.'});
  const group = groupText.split('/').map((segment) => checkSegment('--group', segment));
  const project = checkSegment('--project', input.project).replace(/\.git$/i, '');
  const host = input.host
    ? normalizeHost(input.host)
    : input.instanceUrl
      ? normalizeHost(input.instanceUrl)
      : defaultGitlabHost;
  const apiUrl = normalizeApiUrl(
    'gitlab',
    input.instanceUrl ??
      (host === defaultGitlabHost ? defaultGitlabInstanceUrl : `https://${host}`),
  );
  const projectPath = [...group, project].join('/');
  return {host, path: projectPath, locationKey: locationKey({host, path: projectPath}), apiUrl};
}

type ProviderFacts = Pick<CodeRepositoryRecord, 'visibility' | 'defaultBranch' | 'providerId'>;

/** The secret for a record's token, refusing a token made for another provider or host. */
async function tokenFor(
  deps: Deps,
  record: Pick<CodeRepositoryRecord, 'type' | 'apiUrl' | 'token'>,
): Promise<string> {
  if (!record.token) return '';
  const resolved = await resolveToken(deps, record.token);
  if (resolved.provider !== (record.type as TokenProvider)) {
    throw new UsageError(
      `Token "${record.token}" is a ${resolved.provider} token; this is a ${record.type} repository.`,
      {
        hint: `Pick a ${record.type} token: \`berth token list\`.`,
      },
    );
  }
  // A token is sent only to the API it was added for: a mistyped --api-url must not receive it.
  if (resolved.apiUrl.replace(/\/+$/, '') !== (record.apiUrl ?? '').replace(/\/+$/, '')) {
    throw new UsageError(
      `Token "${record.token}" is for ${resolved.apiUrl}, not ${record.apiUrl}.`,
      {
        hint: `Add a token for ${record.apiUrl} (\`berth token add ${record.type} --api-url ${record.apiUrl}\`) or fix the API URL.`,
      },
    );
  }
  return resolved.secret;
}

function notFound(deps: Deps, record: CodeRepositoryRecord): UserError {
  const where = formatLocation({host: record.host ?? '', path: record.path ?? ''});
  let hint = record.token
    ? `Check the ${record.type === 'github' ? 'owner and repository' : 'group and project'}, and that token "${record.token}" can read it.`
    : 'Check the name. A private repository needs --token NAME (`berth token list`).';
  const metadata = record.token ? deps.tokenStore.get(record.token) : undefined;
  if (
    record.type === 'github' &&
    metadata &&
    metadata.scopes.length > 0 &&
    !metadata.scopes.includes('repo')
  ) {
    hint = `Token "${record.token}" has the scopes ${metadata.scopes.join(', ')}: a private repository needs "repo". Check the name, or use a token with "repo".`;
  }
  return new UserError(
    `${where} was not found${record.token ? `, or token "${record.token}" cannot read it` : ''}.`,
    {hint},
  );
}

/** Asks the provider whether the repository exists and the token reads it. */
async function checkWithProvider(deps: Deps, record: CodeRepositoryRecord): Promise<ProviderFacts> {
  const secret = await tokenFor(deps, record);
  if (record.type === 'github') {
    const {GithubClient} = await import('../clients/github.js');
    const client = new GithubClient({apiUrl: record.apiUrl!, token: secret});
    const [owner = '', repo = ''] = record.path!.split('/');
    const found = await client.getRepository(owner, repo);
    if (!found) throw notFound(deps, record);
    return {
      visibility: found.private ? 'private' : 'public',
      defaultBranch: found.defaultBranch,
      providerId: found.id,
    };
  }
  const {GitlabClient} = await import('../clients/gitlab.js');
  const client = new GitlabClient({apiUrl: record.apiUrl!, token: secret});
  const found = await client.getProject(record.path!);
  if (!found) throw notFound(deps, record);
  // GitLab's "internal" projects are not public: anyone signed in, not anyone at all.
  const visibility: Visibility = found.visibility === 'public' ? 'public' : 'private';
  return {visibility, defaultBranch: found.defaultBranch, providerId: found.id};
}

async function checkCustom(record: CodeRepositoryRecord): Promise<CodeRepository> {
  const [file = '', exportName = 'default'] = splitStoredSource(record.source ?? '');
  const instance = await loadCustomRepository({file, exportName}, record.options ?? {});
  await callCustom(record.name, 'login', () => instance.login());
  return instance;
}

function splitStoredSource(source: string): [string, string] {
  const hash = source.lastIndexOf('#');
  return hash === -1 ? [source, 'default'] : [source.slice(0, hash), source.slice(hash + 1)];
}

/** Loads a registered custom repository (for download and detection). */
export async function openCustomRepository(record: CodeRepositoryRecord): Promise<CodeRepository> {
  const [file = '', exportName = 'default'] = splitStoredSource(record.source ?? '');
  return loadCustomRepository({file, exportName}, record.options ?? {});
}

async function refuseDuplicateLocation(
  collection: Collection<CodeRepositoryRecord>,
  record: CodeRepositoryRecord,
): Promise<void> {
  if (!record.host || !record.path) return;
  const key = locationKey({host: record.host, path: record.path});
  // Records without a key (written before keys existed) are compared by their host and path.
  for (const other of await collection.findBy('locationKey', [key, null])) {
    if (other.name === record.name || !other.host || !other.path) continue;
    if (locationKey({host: other.host, path: other.path}) === key) {
      throw new UserError(
        `${formatLocation({host: record.host, path: record.path})} is already registered as "${other.name}".`,
        {
          hint: `Use "${other.name}", or \`berth repo delete ${other.name}\` first.`,
        },
      );
    }
  }
}

export async function registerRepository(
  deps: Deps,
  input: RegisterRepositoryInput,
): Promise<{repository: CodeRepositoryRecord; context: ActiveContext}> {
  const name = validateName('repository', input.name);
  const type = parseType(input.type);
  const token = input.token === undefined ? null : validateName('token', input.token);
  let record: CodeRepositoryRecord;
  if (type === 'custom') {
    refuseFlags(type, input, [
      ['owner', '--owner'],
      ['repository', '--repository'],
      ['group', '--group'],
      ['project', '--project'],
      ['host', '--host'],
      ['apiUrl', '--api-url'],
      ['instanceUrl', '--instance-url'],
      ['token', '--token'],
    ]);
    if (!input.source)
      throw new UsageError('--source is required for --type custom.', {
        hint: 'Write --source ./module.js#ExportName.',
      });
    record = {
      id: randomUUID(),
      name,
      type,
      host: null,
      path: null,
      apiUrl: null,
      token: null,
      visibility: null,
      defaultBranch: null,
      providerId: null,
      source: formatSource(parseSource(input.source, deps.cwd)),
      options: input.options ?? {},
      createdAt: now(),
    };
  } else {
    if (input.options && Object.keys(input.options).length > 0)
      throw new UsageError(`--option does not apply to --type ${type}.`);
    record = {
      id: randomUUID(),
      name,
      type,
      ...buildLocation(type, input),
      token,
      visibility: null,
      defaultBranch: null,
      providerId: null,
      createdAt: now(),
    };
  }

  const {context, collection} = await repositoriesOf(deps);
  if (await collection.get(name)) {
    throw new UserError(`A code repository named "${name}" exists.`, {
      hint: `Pick another name, or \`berth repo update ${name}\`.`,
    });
  }
  await refuseDuplicateLocation(collection, record);

  if (type === 'custom') await checkCustom(record);
  else Object.assign(record, await checkWithProvider(deps, record));

  try {
    await collection.insert(name, record);
  } catch (error) {
    if (error instanceof DuplicateKeyError)
      throw new UserError(`A code repository named "${name}" exists.`);
    throw error;
  }
  return {repository: publicRecord(record), context};
}

// List, describe, update, delete ------------------------------------------------------------

export async function listRepositories(
  deps: Deps,
): Promise<{repositories: CodeRepositoryRecord[]; context: ActiveContext}> {
  const {context, collection} = await repositoriesOf(deps);
  const repositories = (await collection.list())
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(publicRecord);
  return {repositories, context};
}

export async function describeRepository(
  deps: Deps,
  name: string,
  options: {ignoreUntracked?: boolean} = {},
): Promise<{
  repository: CodeRepositoryRecord;
  checkout: CodeDetection | null;
  context: ActiveContext;
}> {
  const {context, collection} = await repositoriesOf(deps);
  const repository = await findRecord(collection, name);
  const {detection} = await getCodeReference(deps, deps.cwd, {
    context,
    ignoreUntracked: options.ignoreUntracked,
  });
  return {
    repository: publicRecord(repository),
    checkout: detection.repository === name ? detection : null,
    context,
  };
}

export type UpdateRepositoryInput = {
  name: string;
  /** A token name; null removes the token. */
  token?: string | null;
  apiUrl?: string;
  instanceUrl?: string;
  host?: string;
  options?: Record<string, string>;
};

export async function updateRepository(
  deps: Deps,
  input: UpdateRepositoryInput,
): Promise<{repository: CodeRepositoryRecord; context: ActiveContext}> {
  const {context, collection} = await repositoriesOf(deps);
  const current = await findRecord(collection, input.name);
  const next: CodeRepositoryRecord = {...current, updatedAt: now()};
  if (current.type === 'custom') {
    for (const [flag, value] of [
      ['--token', input.token],
      ['--api-url', input.apiUrl],
      ['--instance-url', input.instanceUrl],
      ['--host', input.host],
    ] as const) {
      if (value !== undefined)
        throw new UsageError(`${flag} does not apply to a custom repository.`);
    }
    next.options = {...current.options, ...input.options};
  } else {
    if (input.options && Object.keys(input.options).length > 0)
      throw new UsageError(`--option applies to custom repositories only.`);
    if (current.type === 'github' && input.instanceUrl !== undefined)
      throw new UsageError('--instance-url is for GitLab; use --api-url.');
    if (current.type === 'gitlab' && input.apiUrl !== undefined)
      throw new UsageError('--api-url is for GitHub; use --instance-url.');
    if (input.token !== undefined)
      next.token = input.token === null ? null : validateName('token', input.token);
    if (input.host !== undefined) next.host = normalizeHost(input.host);
    if (next.host && next.path) next.locationKey = locationKey({host: next.host, path: next.path});
    const url = input.apiUrl ?? input.instanceUrl;
    if (url !== undefined) next.apiUrl = normalizeApiUrl(current.type, url);
  }
  await refuseDuplicateLocation(collection, next);
  if (next.type === 'custom') await checkCustom(next);
  else Object.assign(next, await checkWithProvider(deps, next));
  await collection.put(next.name, next);
  return {repository: publicRecord(next), context};
}

export async function deleteRepository(
  deps: Deps,
  input: {name: string; confirm: () => Promise<boolean>},
): Promise<{repository: CodeRepositoryRecord; context: ActiveContext}> {
  const {context, collection} = await repositoriesOf(deps);
  const repository = await findRecord(collection, input.name);
  if (!(await input.confirm())) throw new CancelledError(`Kept code repository '${input.name}'.`);
  // Runs and modules keep the repository's id in their code reference: their history stays
  // readable, and a re-registration gets a new id, so nothing rebinds to it silently.
  await collection.delete(input.name);
  return {repository: publicRecord(repository), context};
}

// Detection -------------------------------------------------------------------------------------

export type CodeReferenceResult = {
  detection: CodeDetection;
  /** What a run or publish records; null when the checkout is dirty, unmatched or empty. */
  codeReference: CodeReference | null;
  repository: CodeRepositoryRecord | null;
};

/**
 * This directory's code reference against the active profile's repositories. Local only: git
 * and the profile store, no network. Custom repositories are asked (`getLocalContext`) only
 * when no GitHub/GitLab repository matched.
 *
 * The checkout's remotes are read first and only the records under their location keys are
 * read from the store, so the cost does not grow with the number of registered repositories.
 */
export async function getCodeReference(
  deps: Deps,
  dir: string,
  options: {context?: ActiveContext; ignoreUntracked?: boolean} = {},
): Promise<CodeReferenceResult & {context: ActiveContext}> {
  const {context, store, collection} = await repositoriesOf(deps, options.context);
  const ignoreUntracked = options.ignoreUntracked ?? ignoreUntrackedFromEnv(deps.env);
  const target = path.resolve(deps.cwd, dir);
  const checkout = await createGitClient().readCheckout(target, {ignoreUntracked});
  const records = await candidateRecords(store, collection, checkout);
  // Candidates stay in registration order: resolveCodeReference lets the first one win.
  const candidates = records.flatMap((record) =>
    record.host && record.path
      ? [{id: record.id, name: record.name, host: record.host, path: record.path}]
      : [],
  );
  let detection = resolveCodeReference(checkout, candidates);
  if (!detection.repository && detection.reason !== 'repository has no commits') {
    detection = (await detectCustom(records, target, detection)) ?? detection;
  }
  const repository = records.find((record) => record.name === detection.repository);
  return {
    detection,
    codeReference: detection.codeReference,
    repository: repository ? publicRecord(repository) : null,
    context,
  };
}

/**
 * The records a checkout can match: those under one of its remotes' location keys, plus those
 * without a key (custom repositories, and records written before keys existed, which are
 * matched by their host and path and given a key once, so later calls skip them).
 */
async function candidateRecords(
  store: ProfileStore,
  collection: Collection<CodeRepositoryRecord>,
  checkout: Checkout | undefined,
): Promise<CodeRepositoryRecord[]> {
  const keys = new Set<string>();
  for (const remote of checkout?.remotes ?? []) {
    if (remote.parsed) keys.add(locationKey(remote.parsed));
  }
  const records = await collection.findBy('locationKey', [...keys, null]);
  const legacy = records.filter((record) => record.host && record.path && !record.locationKey);
  // The backfill only saves later calls work: a store this user may not write to (a team
  // database, a read-only file) still gets a correct answer from the records in hand.
  if (legacy.length > 0)
    await backfillLocationKeys(store, collection, legacy).catch(() => undefined);
  return records;
}

async function backfillLocationKeys(
  store: ProfileStore,
  collection: Collection<CodeRepositoryRecord>,
  legacy: CodeRepositoryRecord[],
): Promise<void> {
  await store.transaction(async () => {
    for (const {name} of legacy) {
      // Re-read inside the transaction: another process may have updated or deleted it.
      const current = await collection.get(name);
      if (!current?.host || !current.path || current.locationKey) continue;
      await collection.put(name, {
        ...current,
        locationKey: locationKey({host: current.host, path: current.path}),
      });
    }
  });
}

async function detectCustom(
  records: CodeRepositoryRecord[],
  dir: string,
  base: CodeDetection,
): Promise<CodeDetection | undefined> {
  for (const record of records) {
    if (record.type !== 'custom') continue;
    const instance = await openCustomRepository(record);
    const local = await callCustom(record.name, 'getLocalContext', () =>
      instance.getLocalContext(dir),
    );
    if (!local) continue;
    const subdirectory =
      local.subdirectory ?? path.relative(local.root, dir).split(path.sep).join('/');
    const reason = !local.clean
      ? 'uncommitted changes (reported by the custom repository)'
      : !local.pushed
        ? 'commit not pushed (reported by the custom repository)'
        : null;
    return {
      ...base,
      repository: record.name,
      remote: `custom:${record.name}`,
      commit: local.commit,
      subdirectory,
      clean: local.clean,
      pushed: local.pushed,
      reason,
      repositoryId: record.id,
      gitRoot: local.root,
      codeReference: local.clean
        ? {
            repositoryId: record.id,
            commit: local.commit,
            subdirectory,
            clean: true,
            pushed: local.pushed,
          }
        : null,
    };
  }
  return undefined;
}

// Download -------------------------------------------------------------------------------------

export type DownloadProgress = {bytes: number; totalBytes: number | null};

export type DownloadInput = {
  name: string;
  commit: string;
  dir: string;
  subdirectory?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
};

export type DownloadResult = {
  repository: string;
  commit: string;
  directory: string;
  subdirectory: string | null;
  files: number;
  symlinks: number;
  bytes: number;
  /** HTTP requests made (the archive request and the redirect it followed). */
  requests: number;
};

const commitPattern = /^[0-9a-fA-F]{7,64}$/;

/**
 * Downloads the files of `commit` into `dir` (new or empty) with ONE archive request, streamed
 * into the safe extractor. Complete means: the gzip trailer checked (CRC and length), the tar's
 * end-of-archive marker present, every entry written; anything less is an error and leaves
 * `dir` as it was. (No tree listing request: that would double the requests.)
 */
export async function downloadRepository(
  deps: Deps,
  input: DownloadInput,
): Promise<DownloadResult & {context: ActiveContext}> {
  if (!commitPattern.test(input.commit)) {
    throw new UsageError(`"${input.commit}" is not a commit SHA.`, {
      hint: 'Pass the commit as 7 to 64 hex digits (`git rev-parse HEAD`).',
    });
  }
  const commit = input.commit.toLowerCase();
  const {context, collection} = await repositoriesOf(deps);
  const record = await findRecord(collection, input.name);
  const directory = path.resolve(deps.cwd, input.dir);
  const subdirectory = input.subdirectory?.replace(/^\/+|\/+$/g, '') || null;
  const label = `${record.name} at ${commit}`;

  if (record.type === 'custom') {
    const result = await downloadCustom(record, commit, directory, subdirectory);
    return {
      ...result,
      repository: record.name,
      commit,
      directory,
      subdirectory,
      requests: 0,
      context,
    };
  }

  const secret = await tokenFor(deps, record);
  const where = formatLocation({host: record.host ?? '', path: record.path ?? ''});
  let response;
  if (record.type === 'github') {
    const {GithubClient} = await import('../clients/github.js');
    const [owner = '', repo = ''] = record.path!.split('/');
    response = await new GithubClient({
      apiUrl: record.apiUrl!,
      token: secret,
      timeoutMs: 30_000,
    }).openTarball(owner, repo, commit, {signal: input.signal});
  } else {
    const {GitlabClient} = await import('../clients/gitlab.js');
    response = await new GitlabClient({
      apiUrl: record.apiUrl!,
      token: secret,
      timeoutMs: 30_000,
    }).openArchive(record.providerId ?? record.path!, commit, {signal: input.signal});
  }
  if (response.status === 404) {
    throw new UserError(`commit ${commit} is not in ${record.name} (${where}) (pushed?)`, {
      hint: 'Push the commit (`git push`), check the SHA, and check that the token can read the repository.',
    });
  }
  if (!response.body) {
    throw new UserError(
      `Downloading ${label} failed: ${response.host} answered ${response.status}.`,
      {hint: 'Try again later.'},
    );
  }

  const counter = new ByteCounter(response.contentLength, input.onProgress);
  const {extractTarGz} = await import('../lib/safe-extract.js');
  try {
    const extracted = await extractTarGz(response.body.pipe(counter), directory, {
      stripComponents: 1,
      subdirectory: subdirectory ?? undefined,
      signal: input.signal,
    });
    if (extracted.files === 0 && extracted.symlinks === 0 && !subdirectory) {
      throw new UserError('the archive holds no files');
    }
    return {
      repository: record.name,
      commit,
      directory,
      subdirectory,
      files: extracted.files,
      symlinks: extracted.symlinks,
      bytes: counter.bytes,
      requests: response.requests,
      context,
    };
  } catch (error) {
    response.body.destroy();
    if (error instanceof BerthError && error.exitCode !== 1) throw error;
    if (error instanceof BerthError) {
      throw new UserError(`Downloading ${label} failed: ${lowerFirst(error.message)}`, {
        hint: error.hint,
        cause: error,
      });
    }
    throw error;
  }
}

async function downloadCustom(
  record: CodeRepositoryRecord,
  commit: string,
  directory: string,
  subdirectory: string | null,
) {
  const existing = await stat(directory).catch(() => undefined);
  if (existing && (!existing.isDirectory() || (await readdir(directory)).length > 0)) {
    throw new UserError(`${directory} is not empty.`, {
      hint: 'Choose a new or empty directory: files are never mixed into existing ones.',
    });
  }
  const instance = await openCustomRepository(record);
  await mkdir(directory, {recursive: true});
  try {
    await callCustom(record.name, 'downloadFiles', () =>
      instance.downloadFiles(commit, directory, subdirectory ?? undefined),
    );
  } catch (error) {
    // A partial download is not a result: leave nothing behind.
    if (!existing) await rm(directory, {recursive: true, force: true});
    throw error;
  }
  const counted = await countTree(directory);
  return {files: counted.files, symlinks: counted.symlinks, bytes: counted.bytes};
}

async function countTree(dir: string): Promise<{files: number; symlinks: number; bytes: number}> {
  const total = {files: 0, symlinks: 0, bytes: 0};
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isSymbolicLink()) total.symlinks++;
    else if (entry.isFile()) {
      total.files++;
      total.bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
    }
  }
  return total;
}

class ByteCounter extends Transform {
  bytes = 0;
  private last = 0;

  constructor(
    private readonly total: number | null,
    private readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.bytes += chunk.length;
    const time = Date.now();
    if (this.onProgress && time - this.last >= 100) {
      this.last = time;
      this.onProgress({bytes: this.bytes, totalBytes: this.total});
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback) {
    this.onProgress?.({bytes: this.bytes, totalBytes: this.total});
    if (this.total !== null && this.bytes !== this.total) {
      callback(new Error(`unexpected end of the download: ${this.bytes} of ${this.total} bytes`));
      return;
    }
    callback();
  }
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
