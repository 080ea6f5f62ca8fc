// The code-repositories collection of the active profile, and what register, detect and
// download share: finding a record, the secret for its token, loading a custom repository.
import type {Deps} from '../../deps.js';
import {loadCustomRepository} from '../../lib/custom-repository.js';
import {UsageError, UserError} from '../../lib/errors.js';
import type {CodeRepository, CodeRepositoryRecord} from '../../models/code-repository.js';
import type {TokenProvider} from '../../models/token.js';
import type {Collection} from '../../store/profile-store.js';
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
      hint: 'Run `berth repo list` to see the registered repositories.',
    });
  }
  return record;
}

/** The secret for a record's token, refusing a token made for another provider or host. */
export async function tokenFor(
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

export function splitStoredSource(source: string): [string, string] {
  const hash = source.lastIndexOf('#');
  return hash === -1 ? [source, 'default'] : [source.slice(0, hash), source.slice(hash + 1)];
}

/** Loads a registered custom repository (for download and detection). */
export async function openCustomRepository(record: CodeRepositoryRecord): Promise<CodeRepository> {
  const [file = '', exportName = 'default'] = splitStoredSource(record.source ?? '');
  return loadCustomRepository({file, exportName}, record.options ?? {});
}
