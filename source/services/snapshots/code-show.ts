// `berth code show MODULE@VERSION|RUN_ID`: the exact code behind a publish or a run — the
// repository and commit, and the snapshot's diff on top of it when there was uncommitted work.
import type {Deps} from '../../deps.js';
import {UserError} from '../../lib/errors.js';
import type {CodeReference} from '../../models/code-reference.js';
import type {RunRecord} from '../../models/run.js';
import {repositoryById} from '../code-repositories/queries.js';
import {resolveContext, type ActiveContext} from '../context.js';
import {findModuleVersion} from '../modules.js';
import {unpackSnapshotInfo, type SnapshotMeta} from './snapshot.js';
import {loadSnapshot} from './snapshot-store.js';

export type CodeShown = {
  subject: string;
  codeReference: CodeReference | null;
  /** HEAD of the checkout when it was published (may differ from the reference's commit). */
  commit: string | null;
  repository: {name: string; type: string; path: string | null} | null;
  snapshot: (SnapshotMeta & {digest: string; from: string}) | null;
  /** The snapshot's `git diff --binary`, byte for byte. */
  patch: Buffer | null;
  context: ActiveContext;
};

export async function showCode(deps: Deps, ref: string): Promise<CodeShown> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  let subject: string;
  let reference: CodeReference | null;
  let commit: string | null;
  if (ref.includes('@')) {
    const {module} = await findModuleVersion(deps, ref, context);
    subject = `${module.slug}@${module.version}`;
    reference = module.codeReference;
    commit = module.commit;
  } else {
    const run = await store.collection<RunRecord>('runs').get(ref);
    if (!run) {
      throw new UserError(`No run with id "${ref}".`, {
        hint: (_f, act) => `Write MODULE@VERSION or a run id (${act({kind: 'runs.list'})}).`,
      });
    }
    subject = `run ${run.id}`;
    reference = run.codeReference;
    commit = run.codeReference?.commit ?? null;
  }
  let repository: CodeShown['repository'] = null;
  if (reference) {
    const record = await repositoryById(store, reference.repositoryId);
    if (record) repository = {name: record.name, type: record.type, path: record.path ?? null};
  }
  if (!reference?.snapshot) {
    return {
      subject,
      codeReference: reference,
      commit,
      repository,
      snapshot: null,
      patch: null,
      context,
    };
  }
  const {data, from} = await loadSnapshot(deps, context, store, reference.snapshot);
  const {meta, patch} = await unpackSnapshotInfo(data);
  return {
    subject,
    codeReference: reference,
    commit,
    repository,
    snapshot: {...meta, digest: reference.snapshot, from},
    patch,
    context,
  };
}
