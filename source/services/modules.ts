// Published code modules: listing and describing versions. Two things are computed at query
// time, never stored: visibility (the code repository's, when the module came from one) and
// `outdated` (the entry point on this machine no longer matches what was published).
import os from 'node:os';
import type {Deps} from '../deps.js';
import {UsageError, UserError} from '../lib/errors.js';
import type {ModuleVersionRecord} from '../models/module-version.js';
import {listRepositories} from './code-repositories/queries.js';
import {resolveContext, type ActiveContext} from './context.js';
import {entryPointSha256} from './publish/entry-hash.js';

export type ModuleStatusView = ModuleVersionRecord['status'] | 'outdated';

export type ModuleView = ModuleVersionRecord & {
  /** The status shown: `outdated` replaces `published` when the entry point changed since. */
  displayStatus: ModuleStatusView;
  effectiveVisibility: 'private' | 'public';
  visibilitySource: 'repository' | 'publish';
};

/** `module list --json` (names fixed by the CLI contract; more fields are extra). */
export function moduleListJson(view: ModuleView) {
  return {
    name: view.slug,
    version: view.version,
    status: view.displayStatus,
    visibility: view.effectiveVisibility,
    image: view.image,
    digest: view.digest,
    commit: view.commit,
    parameters: view.schema.parameters,
    displayName: view.name,
    description: view.schema.description,
    entryPoint: view.entryPoint,
    mode: view.mode,
    reused: view.reused,
    error: view.error,
    createdAt: view.createdAt,
    finishedAt: view.finishedAt,
    logFile: view.logFile,
  };
}

export function parseModuleRef(value: string): {slug: string; version: number | undefined} {
  const at = value.lastIndexOf('@');
  const slug = (at < 0 ? value : value.slice(0, at)).trim();
  if (!slug)
    throw new UsageError(`"${value}" is not a module reference.`, {
      hint: 'Write NAME or NAME@VERSION.',
    });
  if (at < 0) return {slug, version: undefined};
  const version = Number(value.slice(at + 1));
  if (!Number.isInteger(version) || version < 1) {
    throw new UsageError(`"${value}" has no valid version.`, {
      hint: 'Versions are 1, 2, 3…: write NAME@2.',
    });
  }
  return {slug, version};
}

async function entryPointChanged(record: ModuleVersionRecord): Promise<boolean> {
  if (record.hostname !== os.hostname()) return false;
  try {
    return entryPointSha256(record) !== record.entryPointSha256;
  } catch {
    // Moved or deleted locally: nothing to compare against.
    return false;
  }
}

async function toViews(
  deps: Deps,
  context: ActiveContext,
  records: ModuleVersionRecord[],
): Promise<ModuleView[]> {
  const store = await deps.openStore(context.profile);
  const repositories = await listRepositories(store);
  const byId = new Map(repositories.map((r) => [r.id, r]));
  const hashes = new Map<string, Promise<boolean>>();
  return Promise.all(
    records.map(async (record) => {
      const repository = record.codeReference
        ? byId.get(record.codeReference.repositoryId)
        : undefined;
      let displayStatus: ModuleStatusView = record.status;
      if (record.status === 'published') {
        const key = `${record.projectPath}\0${record.entryPoint}\0${record.entryPointSha256}`;
        let changed = hashes.get(key);
        if (!changed) hashes.set(key, (changed = entryPointChanged(record)));
        if (await changed) displayStatus = 'outdated';
      }
      return {
        ...record,
        displayStatus,
        effectiveVisibility: repository?.visibility ?? record.visibility,
        visibilitySource: repository?.visibility ? 'repository' : 'publish',
      } satisfies ModuleView;
    }),
  );
}

function compareVersions(a: ModuleVersionRecord, b: ModuleVersionRecord): number {
  return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : a.version - b.version;
}

export async function listModules(
  deps: Deps,
  options: {name?: string} = {},
): Promise<{modules: ModuleView[]; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const records = (await store.collection<ModuleVersionRecord>('modules').list())
    .filter((r) => options.name === undefined || r.slug === options.name)
    .sort(compareVersions);
  return {modules: await toViews(deps, context, records), context};
}

/** NAME → its latest published version; NAME@VERSION → that version, whatever its state. */
export async function findModuleVersion(
  deps: Deps,
  ref: string,
  context?: ActiveContext,
): Promise<{module: ModuleView; context: ActiveContext}> {
  const active = context ?? (await resolveContext(deps));
  const {slug, version} = parseModuleRef(ref);
  const store = await deps.openStore(active.profile);
  const records = (await store.collection<ModuleVersionRecord>('modules').list())
    .filter((r) => r.slug === slug)
    .sort(compareVersions);
  if (records.length === 0) {
    throw new UserError(`No module named "${slug}".`, {
      hint: (_f, act) =>
        `See the modules: ${act({kind: 'module.list'})}. Or publish one: ${act({kind: 'publish'})}.`,
    });
  }
  let record: ModuleVersionRecord | undefined;
  if (version !== undefined) {
    record = records.find((r) => r.version === version);
    if (!record) {
      throw new UserError(`Module "${slug}" has no version ${version}.`, {
        hint: `Its versions: ${records.map((r) => `${r.version} (${r.status})`).join(', ')}.`,
      });
    }
  } else {
    record = records.filter((r) => r.status === 'published').at(-1);
    if (!record) {
      const last = records.at(-1)!;
      throw new UserError(`Module "${slug}" has no published version.`, {
        hint: `Version ${last.version} is ${last.status}${last.error ? `: ${last.error}` : ''}. Log: ${last.logFile}`,
      });
    }
  }
  const [view] = await toViews(deps, active, [record]);
  return {module: view!, context: active};
}
