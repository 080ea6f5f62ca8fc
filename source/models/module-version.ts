// A published (or attempted) version of a code module, as stored in the profile's `modules`
// collection under `SLUG@VERSION`. Plain types: `module list` reads these without a schema library.
import type {CodeReference} from './code-reference.js';
import type {ModuleSchema} from './module.js';
import type {PublishState} from './publish-events.js';

/** One difference between a version's parameters and the latest published version's. */
export type SchemaChange = {
  parameter: string;
  kind: 'removed' | 'type-changed' | 'now-required' | 'now-optional' | 'default-changed' | 'added';
  /** A caller of the previous version could fail against this one. */
  breaking: boolean;
  message: string;
};

/** The requirements files one pip layer of a full image installed (path and text). */
export type DependencyLayer = {path: string; text: string}[];

export type StepRecord = {index: number; instruction: string; durationMs: number; cached: boolean};

export type ModuleVersionRecord = {
  slug: string;
  /** As declared in `@data_processor(name=...)`. */
  name: string;
  /** 1, 2, 3… per module; every publish attempt takes the next number, so logs never collide. */
  version: number;
  status: PublishState;
  /** The --visibility given at publish time; the code repository's wins at query time. */
  visibility: 'private' | 'public';
  /** `REGISTRY/SLUG:VERSION-IMAGEID12` once pushed. */
  image: string | null;
  /** The manifest digest the registry confirmed; the image ID for a `local` registry. */
  digest: string | null;
  /** HEAD of the project's git checkout, whether or not it was clean. */
  commit: string | null;
  codeReference: CodeReference | null;
  schema: ModuleSchema;
  /** Absolute path of the project on the machine that published it (for `outdated`). */
  projectPath: string;
  hostname: string;
  entryPoint: string;
  /** sha256 of the entry point's content when it was published ('' until then). */
  entryPointSha256: string;
  mode: 'full' | 'dependencies-only';
  /** Dependencies-only: the checksum the image is tagged by. */
  dependencyChecksum: string | null;
  /** Full images: the requirements of each pip layer, oldest first (absent on old records). */
  dependencyLayers?: DependencyLayer[];
  /** Dependencies-only: the image existed in the registry and nothing was built. */
  reused: boolean;
  baseImage: string;
  stack: string;
  /** The oci registry's `host[:port][/namespace]`, or `local` (the engine's own image store). */
  registry: string | null;
  engine: string | null;
  sizeBytes: number | null;
  steps: StepRecord[];
  labels: Record<string, string>;
  logFile: string;
  /** The parameter changes against the latest published version at publish time (absent on old records). */
  schemaDiff?: {against: number | null; changes: SchemaChange[]};
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
};

export function moduleVersionKey(slug: string, version: number): string {
  return `${slug}@${version}`;
}

/** `registry` of a version kept in the engine's own image store (a `local` container registry). */
export const localRegistryUri = 'local';
