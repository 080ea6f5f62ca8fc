// The code-repositories collection of the active profile, and what register, detect and
// download share: finding a record, the secret for its token, loading a custom repository.
import type {Deps} from '../../deps.js';
import {callCustom, loadCustomRepository} from '../../lib/custom-repository.js';
import {UserError} from '../../lib/errors.js';
import type {CodeRepository, CodeRepositoryRecord} from '../../models/code-repository.js';
import type {Collection} from '../../store/profile-store.js';
import {forgeCredentials, type ForgeAccount} from '../accounts.js';
import {resolveContext, type ActiveContext} from '../context.js';
import {resolveToken} from '../tokens.js';

export async function repositoriesOf(deps: Deps, context?: ActiveContext) {
  const active = context ?? (await resolveContext(deps));
  const store = await deps.openStore(active.profile);
  return {
    context: active,
    store,
    collection: store.collection<CodeRepositoryRecord>('repositories'),
  };
}

export async function findRecord(
  collection: Collection<CodeRepositoryRecord>,
  name: string,
): Promise<CodeRepositoryRecord> {
  const record = await collection.get(name);
  if (!record) {
    throw new UserError(`No code repository named "${name}".`, {
      hint: (_f, act) => `See the registered repositories: ${act({kind: 'repo.list'})}.`,
    });
  }
  return record;
}

/** Reports the account a forge call is about to use (stderr in the CLI). */
export type AccountHooks = {onAccount?(account: ForgeAccount): void};

/**
 * The secret for a forge call about `record`: the token chosen for its host in this directory,
 * else the profile's, else its registered one (services/accounts.ts). The account is reported
 * before anything is sent.
 */
export async function tokenFor(
  deps: Deps,
  context: ActiveContext | undefined,
  record: Pick<CodeRepositoryRecord, 'type' | 'apiUrl' | 'token'>,
  options: AccountHooks & {explicitToken?: string} = {},
): Promise<string> {
  const {secret, account} = await forgeCredentials(deps, context, record, options.explicitToken);
  if (account) options.onAccount?.(account);
  return secret;
}

export function splitStoredSource(source: string): [string, string] {
  const hash = source.lastIndexOf('#');
  return hash === -1 ? [source, 'default'] : [source.slice(0, hash), source.slice(hash + 1)];
}

/** Loads a registered custom repository (for detection: local, no login, no secret read). */
export async function openCustomRepository(record: CodeRepositoryRecord): Promise<CodeRepository> {
  const [file = '', exportName = 'default'] = splitStoredSource(record.source ?? '');
  return loadCustomRepository({file, exportName}, record.options ?? {});
}

/**
 * Loads a custom repository and logs it in, for registration and downloads: the secret of the
 * token it names is read from the token store (keychain, file or environment) now, handed to
 * login() and nowhere else. Returns it too, for masking the module's later messages.
 */
export async function loginCustomRepository(
  deps: Deps,
  record: CodeRepositoryRecord,
): Promise<{instance: CodeRepository; secret: string | undefined}> {
  const secret = record.token ? (await resolveToken(deps, record.token)).secret : undefined;
  const instance = await openCustomRepository(record);
  await callCustom(
    record.name,
    'login',
    () => instance.login(secret ? {token: secret} : {}),
    secret,
  );
  return {instance, secret};
}
