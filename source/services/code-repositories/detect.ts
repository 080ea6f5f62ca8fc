// Detect a local checkout's code reference: local only (git and the profile store), never the
// network.
import path from 'node:path';
import {trace} from '../../lib/trace.js';
import type {Deps} from '../../deps.js';
import {callCustom} from '../../lib/custom-repository.js';
import {createGitClient, type Checkout} from '../../clients/git.js';
import {locationKey} from '../../lib/git-url.js';
import type {CodeDetection, CodeReference} from '../../models/code-reference.js';
import {publicRecord, type CodeRepositoryRecord} from '../../models/code-repository.js';
import type {Collection, ProfileStore} from '../../store/profile-store.js';
import {chooseAccount, type ForgeAccount} from '../accounts.js';
import {resolveCodeReference} from '../code-reference.js';
import type {ActiveContext} from '../context.js';
import {openCustomRepository, repositoriesOf} from './records.js';

/** `BERTH_IGNORE_UNTRACKED=1`: untracked files do not make a checkout dirty. */
export function ignoreUntrackedFromEnv(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes|on)$/i.test(env.BERTH_IGNORE_UNTRACKED ?? '');
}

export type CodeReferenceResult = {
  detection: CodeDetection;
  /** What a run or publish records; null when the checkout is dirty, unmatched or empty. */
  codeReference: CodeReference | null;
  repository: CodeRepositoryRecord | null;
  /** The forge account a call for the matched repository would use from here (no secret read). */
  account: ForgeAccount | null;
};

/**
 * This directory's code reference against the active profile's repositories. Local only: git
 * and the profile store, no network. Custom repositories are asked (`getLocalContext`) only
 * when no GitHub/GitLab repository matched.
 *
 * The checkout's remotes are read first and only the records under their location keys are
 * read from the store, so the cost does not grow with the number of registered repositories.
 * Git starts first and works while the context (which may still be resolving: `context` can be
 * a promise) and the store are read.
 */
export async function getCodeReference(
  deps: Deps,
  dir: string,
  options: {context?: ActiveContext | Promise<ActiveContext>; ignoreUntracked?: boolean} = {},
): Promise<CodeReferenceResult & {context: ActiveContext}> {
  const ignoreUntracked = options.ignoreUntracked ?? ignoreUntrackedFromEnv(deps.env);
  const target = path.resolve(deps.cwd, dir);
  const reading = createGitClient().readCheckout(target, {ignoreUntracked});
  const [repositories, read] = await Promise.allSettled([
    Promise.resolve(options.context).then((context) => repositoriesOf(deps, context)),
    reading,
  ]);
  // The context's failure first, as when it was read before the checkout.
  if (repositories.status === 'rejected') throw repositories.reason;
  if (read.status === 'rejected') throw read.reason;
  const {context, store, collection} = repositories.value;
  const checkout = read.value;
  trace('detect: checkout read');
  const records = await candidateRecords(store, collection, checkout);
  // Candidates stay in registration order: resolveCodeReference lets the first one win.
  // A renamed repository also matches checkouts still cloned under a former path.
  const candidates = records.flatMap((record) => {
    const host = record.host;
    if (!host || !record.path) return [];
    return [record.path, ...(record.aliases ?? [])].map((candidatePath) => ({
      id: record.id,
      name: record.name,
      host,
      path: candidatePath,
    }));
  });
  trace('detect: records found');
  let detection = resolveCodeReference(checkout, candidates);
  if (!detection.repository && detection.reason !== 'repository has no commits') {
    detection = (await detectCustom(records, target, detection)) ?? detection;
  }
  const repository = records.find((record) => record.name === detection.repository);
  return {
    detection,
    codeReference: detection.codeReference,
    repository: repository ? publicRecord(repository) : null,
    account: repository ? (chooseAccount(deps, context, repository) ?? null) : null,
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
  // Former paths of renamed repositories are asked for only when no current path matched.
  if (keys.size > 0 && !records.some((record) => keys.has(record.locationKey ?? ''))) {
    records.push(...(await collection.findBy('aliasKey', [...keys])));
  }
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
