// Comparing a new version's parameter schema with the latest published one. A caller who ran
// `berth run NAME --param …` against the old version must still work against the new one, so a
// removed parameter, a changed type, or a parameter that became required without a default is
// breaking; everything else (new optional parameters, new defaults, new descriptions) is a note.
import {ExitCode, FieldError} from '../../lib/errors.js';
import type {ModuleParameter} from '../../models/module.js';
import type {ModuleVersionRecord, SchemaChange} from '../../models/module-version.js';
import type {ProfileStore} from '../../store/profile-store.js';
import {latestVersionWhere} from './versions.js';

export type {SchemaChange};

export type SchemaDiff = {
  /** The version compared against; null for a module's first publish. */
  against: number | null;
  changes: SchemaChange[];
};

function mandatory(parameter: ModuleParameter): boolean {
  return parameter.required && parameter.defaultValue === null;
}

export function diffParameters(
  previous: readonly ModuleParameter[],
  next: readonly ModuleParameter[],
): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const before = new Map(previous.map((p) => [p.name, p]));
  const after = new Map(next.map((p) => [p.name, p]));
  for (const old of previous) {
    const now = after.get(old.name);
    if (!now) {
      changes.push({
        parameter: old.name,
        kind: 'removed',
        breaking: true,
        message: `parameter "${old.name}" (${old.type}) is removed`,
      });
      continue;
    }
    if (now.type !== old.type) {
      changes.push({
        parameter: old.name,
        kind: 'type-changed',
        breaking: true,
        message: `parameter "${old.name}" changes type from ${old.type} to ${now.type}`,
      });
    }
    if (mandatory(now) && !mandatory(old)) {
      changes.push({
        parameter: old.name,
        kind: 'now-required',
        breaking: true,
        message: `parameter "${old.name}" becomes required without a default`,
      });
    } else if (!mandatory(now) && mandatory(old)) {
      changes.push({
        parameter: old.name,
        kind: 'now-optional',
        breaking: false,
        message: `parameter "${old.name}" is no longer required`,
      });
    }
    if (
      now.type === old.type &&
      JSON.stringify(now.defaultValue) !== JSON.stringify(old.defaultValue)
    ) {
      changes.push({
        parameter: old.name,
        kind: 'default-changed',
        breaking: false,
        message: `parameter "${old.name}" default changes from ${JSON.stringify(old.defaultValue)} to ${JSON.stringify(now.defaultValue)}`,
      });
    }
  }
  for (const added of next) {
    if (before.has(added.name)) continue;
    const required = mandatory(added);
    changes.push({
      parameter: added.name,
      kind: 'added',
      breaking: required,
      message: required
        ? `parameter "${added.name}" (${added.type}) is added as required without a default`
        : `parameter "${added.name}" (${added.type}) is added${added.defaultValue === null ? '' : ` with default ${JSON.stringify(added.defaultValue)}`}`,
    });
  }
  return changes;
}

/** The latest published version of `slug` in the store, if any. */
export async function latestPublished(
  store: ProfileStore,
  slug: string,
): Promise<ModuleVersionRecord | undefined> {
  return latestVersionWhere(store, slug, (m) => m.status === 'published');
}

export async function diffAgainstLatest(
  store: ProfileStore,
  slug: string,
  parameters: readonly ModuleParameter[],
): Promise<SchemaDiff> {
  return diffAgainst(await latestPublished(store, slug), parameters);
}

/** The diff against `latest` (the latest published version), or none when there is none. */
export function diffAgainst(
  latest: ModuleVersionRecord | undefined,
  parameters: readonly ModuleParameter[],
): SchemaDiff {
  if (!latest) return {against: null, changes: []};
  return {against: latest.version, changes: diffParameters(latest.schema.parameters, parameters)};
}

/** Stops a publish before anything is built when the diff breaks callers and nobody allowed it. */
export function checkBreaking(slug: string, diff: SchemaDiff, allowBreaking: boolean): void {
  const breaking = diff.changes.filter((change) => change.breaking);
  if (breaking.length === 0 || allowBreaking) return;
  throw new FieldError(
    'allowBreaking',
    `The new schema of ${slug} breaks version ${diff.against}: ${breaking.map((c) => c.message).join('; ')}.`,
    {
      hint: (f) =>
        `Keep the parameter (or give it a default), or publish anyway with ${f('allowBreaking')}. Nothing was built.`,
      exitCode: ExitCode.failure,
    },
  );
}

/** One line per change, for the plain printer, the pane summary and `module describe`. */
export function schemaChangeLines(diff: SchemaDiff): string[] {
  if (diff.against === null) return [];
  if (diff.changes.length === 0) return [`schema unchanged since version ${diff.against}`];
  return diff.changes.map(
    (change) =>
      `${change.breaking ? 'BREAKING' : 'note'}: ${change.message} (since version ${diff.against})`,
  );
}
