// Register (validated against the provider), list, describe, update and delete code
// repositories. The CLI and the TUI screen both call these.
import {randomUUID} from 'node:crypto';
import type {Deps} from '../../deps.js';
import {formatSource, parseSource} from '../../lib/custom-repository.js';
import {
  CancelledError,
  FieldError,
  UserError,
  type FieldLabel,
  type FieldText,
} from '../../lib/errors.js';
import type {ActionLabel} from '../../lib/remedies.js';
import {forgeHost, formatLocation, locationKey, normalizeHost} from '../../lib/git-url.js';
import {validateName} from '../../lib/names.js';
import {refuseSecretOptions} from '../../lib/secret.js';
import type {CodeDetection} from '../../models/code-reference.js';
import {
  publicRecord,
  repositoryTypes,
  type CodeRepositoryRecord,
  type RepositoryType,
  type Visibility,
} from '../../models/code-repository.js';
import {DuplicateKeyError, type Collection} from '../../store/profile-store.js';
import {isFirstRun, now, type ActiveContext} from '../context.js';
import {defaultApiUrl, publicHosts} from '../forges.js';
import {normalizeApiUrl, whileTokenKept} from '../tokens.js';
import {getCodeReference} from './detect.js';
import {
  findRecord,
  loginCustomRepository,
  repositoriesOf,
  tokenFor,
  type AccountHooks,
} from './records.js';

// Register -------------------------------------------------------------------------------------

/** A registration; FieldErrors name these fields. */
export type RegisterRepositoryInput = {
  name: string;
  type: RepositoryType;
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

const typeNames: Record<RepositoryType, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  custom: 'custom',
};

function checkSegment(
  field: 'owner' | 'repository' | 'group' | 'project',
  value: string | undefined,
): string {
  if (value === undefined || value.trim() === '')
    throw new FieldError(field, (f) => `${f(field)} is required.`);
  const trimmed = value.trim();
  if (!segmentPattern.test(trimmed) || trimmed === '.' || trimmed === '..') {
    throw new FieldError(field, `"${trimmed}" is not a valid ${field}.`, {
      hint: 'Use letters, digits, ".", "-" and "_".',
    });
  }
  return trimmed;
}

/** A repository type as typed (`GitHub`, `gitlab`): the CLI's `--type`. */
export function parseRepositoryType(value: string): RepositoryType {
  const type = value.toLowerCase();
  if (!repositoryTypes.includes(type as RepositoryType)) {
    throw new FieldError('type', `"${value}" is not a repository type.`, {
      hint: `Use one of: ${repositoryTypes.join(', ')}.`,
    });
  }
  return type as RepositoryType;
}

function refuseFields(
  type: RepositoryType,
  input: RegisterRepositoryInput,
  fields: Array<keyof RegisterRepositoryInput>,
): void {
  for (const field of fields) {
    if (input[field] !== undefined)
      throw new FieldError(
        field,
        (f) => `${f(field)} does not apply to a ${typeNames[type]} repository.`,
      );
  }
}

/** The record's location and API; validates everything that needs no network. */
function buildLocation(
  type: 'github' | 'gitlab',
  input: RegisterRepositoryInput,
): Pick<CodeRepositoryRecord, 'host' | 'path' | 'locationKey' | 'apiUrl'> {
  if (type === 'github') {
    refuseFields(type, input, ['group', 'project', 'instanceUrl', 'source']);
    const owner = checkSegment('owner', input.owner);
    const repository = checkSegment('repository', input.repository).replace(/\.git$/i, '');
    const host = input.host
      ? normalizeHost(input.host)
      : input.apiUrl
        ? forgeHost(input.apiUrl)
        : publicHosts.github;
    const apiUrl = normalizeApiUrl('github', input.apiUrl ?? defaultApiUrl('github', {host}));
    const repositoryPath = `${owner}/${repository}`;
    return {
      host,
      path: repositoryPath,
      locationKey: locationKey({host, path: repositoryPath}),
      apiUrl,
    };
  }
  refuseFields(type, input, ['owner', 'repository', 'apiUrl', 'source']);
  const groupText = (input.group ?? '').trim().replace(/^\/+|\/+$/g, '');
  if (groupText === '')
    throw new FieldError('group', (f) => `${f('group')} is required.`, {
      hint: 'Subgroups are written a/b/c.',
    });
  const group = groupText.split('/').map((segment) => checkSegment('group', segment));
  const project = checkSegment('project', input.project).replace(/\.git$/i, '');
  const host = input.host
    ? normalizeHost(input.host)
    : input.instanceUrl
      ? normalizeHost(input.instanceUrl)
      : publicHosts.gitlab;
  const apiUrl = normalizeApiUrl('gitlab', input.instanceUrl ?? defaultApiUrl('gitlab', {host}));
  const projectPath = [...group, project].join('/');
  return {host, path: projectPath, locationKey: locationKey({host, path: projectPath}), apiUrl};
}

type ProviderFacts = Pick<CodeRepositoryRecord, 'visibility' | 'defaultBranch' | 'providerId'> & {
  /** The provider's canonical path (after a rename or transfer, not the one asked for). */
  canonicalPath: string;
};

function notFound(deps: Deps, record: CodeRepositoryRecord): UserError {
  const where = formatLocation({host: record.host ?? '', path: record.path ?? ''});
  let hint: FieldText = record.token
    ? `Check the ${record.type === 'github' ? 'owner and repository' : 'group and project'}, and that token "${record.token}" can read it.`
    : (_f: FieldLabel, act: ActionLabel) =>
        `Check the ${record.type === 'github' ? 'owner and repository' : 'group and project'}. A private repository needs a token: ${act({kind: 'token.list'})}.`;
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
async function checkWithProvider(
  deps: Deps,
  context: ActiveContext | undefined,
  record: CodeRepositoryRecord,
  options: CheckOptions & {explicitToken?: string},
): Promise<ProviderFacts> {
  const secret = options.secret ?? (await tokenFor(deps, context, record, options));
  if (record.type === 'github') {
    const {GithubClient} = await import('../../clients/github.js');
    const client = new GithubClient({apiUrl: record.apiUrl!, token: secret});
    const [owner = '', repo = ''] = record.path!.split('/');
    const found = await client.getRepository(owner, repo);
    if (!found) throw notFound(deps, record);
    return {
      visibility: found.private ? 'private' : 'public',
      defaultBranch: found.defaultBranch,
      providerId: found.id,
      canonicalPath: found.fullName || record.path!,
    };
  }
  const {GitlabClient} = await import('../../clients/gitlab.js');
  const client = new GitlabClient({apiUrl: record.apiUrl!, token: secret});
  const found = await client.getProject(record.path!);
  if (!found) throw notFound(deps, record);
  // GitLab's "internal" projects are not public: anyone signed in, not anyone at all.
  const visibility: Visibility = found.visibility === 'public' ? 'public' : 'private';
  return {
    visibility,
    defaultBranch: found.defaultBranch,
    providerId: found.id,
    canonicalPath: found.pathWithNamespace || record.path!,
  };
}

/**
 * Writes what the provider said into `record`. A renamed or transferred repository answers
 * under its canonical path: that becomes the record's path, the old one an alias (detection
 * still matches checkouts cloned under it). Returns the old path when it changed.
 */
function applyProviderFacts(record: CodeRepositoryRecord, facts: ProviderFacts): string | null {
  const {canonicalPath, ...rest} = facts;
  Object.assign(record, rest);
  const old = record.path;
  if (!old || !record.host || canonicalPath.toLowerCase() === old.toLowerCase()) {
    // GitHub and GitLab paths are case-insensitive: keep the canonical spelling.
    if (old) record.path = canonicalPath;
    return null;
  }
  record.path = canonicalPath;
  record.locationKey = locationKey({host: record.host, path: canonicalPath});
  record.aliases = [...(record.aliases ?? []).filter((a) => a !== old), old];
  record.aliasKey = locationKey({host: record.host, path: old});
  return old;
}

/** What a user is told when registration or an update found the repository renamed. */
export function renameNote(renamedFrom: string, repository: CodeRepositoryRecord): string {
  return `${renamedFrom} is now ${repository.path} on ${repository.host}: berth records ${repository.path}, and checkouts cloned as ${renamedFrom} still match.`;
}

/** The same repository (its provider id) registered under another name, if it is. */
async function sameProviderId(
  collection: Collection<CodeRepositoryRecord>,
  record: CodeRepositoryRecord,
): Promise<CodeRepositoryRecord | undefined> {
  if (!record.providerId) return undefined;
  return (await collection.findBy('providerId', [record.providerId])).find(
    (other) =>
      other.name !== record.name && other.type === record.type && other.apiUrl === record.apiUrl,
  );
}

/** The same repository (its provider id) registered under another name is refused. */
async function refuseDuplicateProviderId(
  collection: Collection<CodeRepositoryRecord>,
  record: CodeRepositoryRecord,
): Promise<void> {
  const other = await sameProviderId(collection, record);
  if (other) {
    throw new UserError(
      `${formatLocation({host: record.host ?? '', path: record.path ?? ''})} is already registered as "${other.name}" (${formatLocation({host: other.host ?? '', path: other.path ?? ''})}, the same ${record.type === 'github' ? 'GitHub' : 'GitLab'} repository, id ${record.providerId}).`,
      {
        hint: (_f, act) =>
          `Use "${other.name}", or ${act({kind: 'repo.delete', name: other.name})} first.`,
      },
    );
  }
}

/** The repository at the record's location (host and path) under another name, if any. */
async function sameLocation(
  collection: Collection<CodeRepositoryRecord>,
  record: CodeRepositoryRecord,
): Promise<CodeRepositoryRecord | undefined> {
  if (!record.host || !record.path) return undefined;
  const key = locationKey({host: record.host, path: record.path});
  // Records without a key (written before keys existed) are compared by their host and path.
  return (await collection.findBy('locationKey', [key, null])).find(
    (other) =>
      other.name !== record.name &&
      other.host !== null &&
      other.path !== null &&
      locationKey({host: other.host, path: other.path}) === key,
  );
}

async function refuseDuplicateLocation(
  collection: Collection<CodeRepositoryRecord>,
  record: CodeRepositoryRecord,
): Promise<void> {
  const other = await sameLocation(collection, record);
  if (other) {
    throw new UserError(
      `${formatLocation({host: record.host ?? '', path: record.path ?? ''})} is already registered as "${other.name}".`,
      {
        hint: (_f, act) =>
          `Use "${other.name}", or ${act({kind: 'repo.delete', name: other.name})} first.`,
      },
    );
  }
}

/** Where a custom repository's secret goes instead of an option. */
const customSecretHint: FieldText = (f, act) =>
  `Store it as a token (${act({kind: 'token.add'})}) and pass its name: ${f('token')} NAME (the module gets the secret at login()). Or name an environment variable the module reads: ${f('options')} token_env=MY_TOKEN.`;

/** How registering asks the provider. */
export type CheckOptions = AccountHooks & {
  /** Ask with this secret: a token verified but not stored yet (the setup wizard's). */
  secret?: string;
};

/** The record a registration would insert, validated without the network or the store. */
function newRecord(deps: Deps, input: RegisterRepositoryInput): CodeRepositoryRecord {
  const name = validateName('repository', input.name);
  const type = parseRepositoryType(input.type);
  const token = input.token === undefined ? null : validateName('token', input.token);
  if (type === 'custom') {
    refuseFields(type, input, [
      'owner',
      'repository',
      'group',
      'project',
      'host',
      'apiUrl',
      'instanceUrl',
    ]);
    if (!input.source)
      throw new FieldError('source', (f) => `${f('source')} is required for a custom repository.`, {
        hint: 'Write it as ./module.js#ExportName.',
      });
    refuseSecretOptions(input.options ?? {}, customSecretHint);
    return {
      id: randomUUID(),
      name,
      type,
      host: null,
      path: null,
      apiUrl: null,
      token,
      visibility: null,
      defaultBranch: null,
      providerId: null,
      source: formatSource(parseSource(input.source, deps.cwd)),
      options: input.options ?? {},
      createdAt: now(),
    };
  }
  if (input.options && Object.keys(input.options).length > 0)
    throw new FieldError(
      'options',
      (f) => `${f('options')} does not apply to a ${typeNames[type]} repository.`,
    );
  return {
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

/** Completes `record` with the provider's answer (or loads the custom module); the old path of a renamed repository. */
async function askProvider(
  deps: Deps,
  context: ActiveContext | undefined,
  record: CodeRepositoryRecord,
  options: CheckOptions,
): Promise<string | null> {
  if (record.type === 'custom') {
    await loginCustomRepository(deps, record);
    return null;
  }
  return applyProviderFacts(
    record,
    await checkWithProvider(deps, context, record, {
      ...options,
      explicitToken: record.token ?? undefined,
    }),
  );
}

function nameTaken(name: string): UserError {
  return new UserError(`A code repository named "${name}" exists.`, {
    hint: (_f, act) => `Pick another name, or change it: ${act({kind: 'repo.update', name})}.`,
  });
}

export type RegistrationCheck =
  | {status: 'new'; repository: CodeRepositoryRecord; renamedFrom: string | null}
  /** The same repository (its location, or its provider id) is registered already: reuse it. */
  | {status: 'registered'; repository: CodeRepositoryRecord};

/**
 * What registering checks before its one write, writing nothing: the fields, the name, and
 * the provider's answer (the repository exists, the token reads it). A repository registered
 * already is reported, not refused: the setup wizard reuses it. On a first run nothing is
 * registered, and resolving the context would write the global config: no store is read.
 */
export async function checkRegistration(
  deps: Deps,
  input: RegisterRepositoryInput,
  options: CheckOptions = {},
): Promise<RegistrationCheck> {
  const record = newRecord(deps, input);
  const profile = isFirstRun(deps) ? undefined : await repositoriesOf(deps);
  const registered = async () => {
    if (!profile) return undefined;
    const other =
      (await sameLocation(profile.collection, record)) ??
      (await sameProviderId(profile.collection, record));
    return other && {status: 'registered' as const, repository: publicRecord(other)};
  };
  const before = await registered();
  if (before) return before;
  if (profile && (await profile.collection.get(record.name))) throw nameTaken(record.name);
  const renamedFrom = await askProvider(deps, profile?.context, record, options);
  return (await registered()) ?? {status: 'new', repository: publicRecord(record), renamedFrom};
}

export async function registerRepository(
  deps: Deps,
  input: RegisterRepositoryInput,
  hooks: CheckOptions = {},
): Promise<{
  repository: CodeRepositoryRecord;
  /** The path asked for, when the provider answered with another (a renamed repository). */
  renamedFrom: string | null;
  context: ActiveContext;
}> {
  const record = newRecord(deps, input);
  const {name} = record;
  const {context, store, collection} = await repositoriesOf(deps);
  const refuseTaken = async () => {
    if (await collection.get(name)) throw nameTaken(name);
    await refuseDuplicateLocation(collection, record);
  };
  // Checked before asking the provider (fail fast), and again with the insert in one
  // transaction, while the token can't be removed: two registrations of one location, or a
  // `token remove` running alongside, can't both pass their checks.
  await refuseTaken();
  const renamedFrom = await askProvider(deps, context, record, hooks);
  await whileTokenKept(deps, record.token, () =>
    store.transaction(async () => {
      await refuseTaken();
      await refuseDuplicateProviderId(collection, record);
      try {
        await collection.insert(name, record);
      } catch (error) {
        if (error instanceof DuplicateKeyError) throw nameTaken(name);
        throw error;
      }
    }),
  );
  return {repository: publicRecord(record), renamedFrom, context};
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
  hooks: AccountHooks = {},
): Promise<{
  repository: CodeRepositoryRecord;
  renamedFrom: string | null;
  context: ActiveContext;
}> {
  const {context, store, collection} = await repositoriesOf(deps);
  const current = await findRecord(collection, input.name);
  const next: CodeRepositoryRecord = {...current, updatedAt: now()};
  if (current.type === 'custom') {
    for (const field of ['apiUrl', 'instanceUrl', 'host'] as const) {
      if (input[field] !== undefined)
        throw new FieldError(field, (f) => `${f(field)} does not apply to a custom repository.`);
    }
    refuseSecretOptions(input.options ?? {}, customSecretHint);
    next.options = {...current.options, ...input.options};
    if (input.token !== undefined)
      next.token = input.token === null ? null : validateName('token', input.token);
  } else {
    if (input.options && Object.keys(input.options).length > 0)
      throw new FieldError(
        'options',
        (f) => `${f('options')} applies to custom repositories only.`,
      );
    if (current.type === 'github' && input.instanceUrl !== undefined)
      throw new FieldError(
        'instanceUrl',
        (f) => `${f('instanceUrl')} is for GitLab; use ${f('apiUrl')}.`,
      );
    if (current.type === 'gitlab' && input.apiUrl !== undefined)
      throw new FieldError(
        'apiUrl',
        (f) => `${f('apiUrl')} is for GitHub; use ${f('instanceUrl')}.`,
      );
    if (input.token !== undefined)
      next.token = input.token === null ? null : validateName('token', input.token);
    if (input.host !== undefined) next.host = normalizeHost(input.host);
    if (next.host && next.path) next.locationKey = locationKey({host: next.host, path: next.path});
    const url = input.apiUrl ?? input.instanceUrl;
    if (url !== undefined) next.apiUrl = normalizeApiUrl(current.type, url);
  }
  await refuseDuplicateLocation(collection, next);
  let renamedFrom: string | null = null;
  if (next.type === 'custom') await loginCustomRepository(deps, next);
  else {
    renamedFrom = applyProviderFacts(
      next,
      await checkWithProvider(deps, context, next, {
        ...hooks,
        explicitToken: typeof input.token === 'string' ? next.token! : undefined,
      }),
    );
  }
  // Written only over the record that was read: a `repo delete` or another update that landed
  // while the provider was asked is not undone (a put would bring a deleted record back).
  await whileTokenKept(deps, next.token, () =>
    store.transaction(async () => {
      const stored = await collection.get(current.name);
      if (!stored)
        throw new UserError(`Code repository "${current.name}" was deleted meanwhile.`, {
          hint: (_f, act) => `Register it again: ${act({kind: 'repo.register'})}.`,
        });
      if (JSON.stringify(stored) !== JSON.stringify(current))
        throw new UserError(`Code repository "${current.name}" was changed meanwhile.`, {
          hint: 'Run the update again.',
        });
      await refuseDuplicateLocation(collection, next);
      await refuseDuplicateProviderId(collection, next);
      await collection.put(next.name, next);
    }),
  );
  return {repository: publicRecord(next), renamedFrom, context};
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
