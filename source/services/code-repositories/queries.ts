// Reading the code repositories of a profile for other services (modules, runs, code show,
// completion, tokens): the one place outside register/detect/download that reads the
// repositories collection. Type imports only, so a TAB completion loads nothing more.
import type {Deps} from '../../deps.js';
import type {CodeRepositoryRecord} from '../../models/code-repository.js';
import type {Profile} from '../../models/profile.js';
import type {ProfileStore} from '../../store/profile-store.js';

function repositories(store: ProfileStore) {
  return store.collection<CodeRepositoryRecord>('repositories');
}

/** Every code repository registered in the store's profile, in registration order. */
export function listRepositories(store: ProfileStore): Promise<CodeRepositoryRecord[]> {
  return repositories(store).list();
}

/**
 * The code repository with berth's id `id` (what modules and runs record), or undefined when
 * it is no longer registered.
 */
export async function repositoryById(
  store: ProfileStore,
  id: string,
): Promise<CodeRepositoryRecord | undefined> {
  const [record] = await repositories(store).findBy('id', [id]);
  return record;
}

/** The names of `profile`'s code repositories that use the token named `token`. */
export async function repositoriesUsingTokenIn(
  deps: Deps,
  profile: Profile,
  token: string,
): Promise<string[]> {
  const store = await deps.openStore(profile);
  const records = await repositories(store).findBy('token', [token]);
  return records.map((record) => record.name);
}
