// A module's versions, found by their keys (`SLUG@VERSION`) and read newest first: a publish reads
// the one or two records it needs, not the module's whole history.
import {moduleVersionKey, type ModuleVersionRecord} from '../../models/module-version.js';
import type {ProfileStore} from '../../store/profile-store.js';

/** The version numbers recorded for `slug`, highest first. */
export async function versionNumbers(store: ProfileStore, slug: string): Promise<number[]> {
  const prefix = `${slug}@`;
  return (await store.collection<ModuleVersionRecord>('modules').keys(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((rest) => /^\d+$/.test(rest))
    .map(Number)
    .sort((a, b) => b - a);
}

/** The newest version of `slug` that `wanted` accepts. */
export async function latestVersionWhere(
  store: ProfileStore,
  slug: string,
  wanted: (record: ModuleVersionRecord) => boolean,
): Promise<ModuleVersionRecord | undefined> {
  const modules = store.collection<ModuleVersionRecord>('modules');
  for (const version of await versionNumbers(store, slug)) {
    const record = await modules.get(moduleVersionKey(slug, version));
    if (record?.slug === slug && wanted(record)) return record;
  }
  return undefined;
}
