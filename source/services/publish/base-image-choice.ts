// The image a publish builds FROM: the one given for this publish (the baseImage field), else the
// one the module's latest version was built from, else berth's default. Every version's record
// keeps its base image, so a base image given once (e.g. the Python image an offline engine has)
// is remembered for the module's later publishes without another file: nothing is written into
// the project, and a checkout stays as clean as it was.
import type {FieldLabel} from '../../lib/errors.js';
import type {ProfileStore} from '../../store/profile-store.js';
import {DEFAULT_BASE_IMAGE} from './dockerfile.js';
import {latestVersionWhere} from './versions.js';
import {
  assembleProject,
  scanProject,
  type PrepareOptions,
  type PreparedProject,
} from './project.js';

/** Where the base image came from: this publish's input, the latest version, or the default. */
export type BaseImageSource = 'given' | 'remembered' | 'default';

export type BaseImageChoice = {
  image: string;
  source: BaseImageSource;
  /** The version it is remembered from (`remembered` only). */
  version: number | null;
};

export async function chooseBaseImage(
  store: ProfileStore,
  slug: string,
  given: string | undefined,
): Promise<BaseImageChoice> {
  if (given) return {image: given, source: 'given', version: null};
  const latest = await latestVersionWhere(store, slug, (record) => Boolean(record.baseImage));
  if (latest) return {image: latest.baseImage, source: 'remembered', version: latest.version};
  return {image: DEFAULT_BASE_IMAGE, source: 'default', version: null};
}

/** A log line for a remembered base image (the others need none: given or the default). */
export function rememberedBaseImageLine(
  choice: BaseImageChoice,
  slug: string,
  label: FieldLabel,
): string | undefined {
  if (choice.source !== 'remembered') return undefined;
  return `base image ${choice.image}, remembered from ${slug} version ${choice.version} (another with ${label('baseImage')})`;
}

/** The project read and made ready to build FROM its chosen base image (`baseImage` given or not). */
export async function prepareWithBaseImage(
  store: ProfileStore,
  projectDir: string,
  options: PrepareOptions,
): Promise<{prepared: PreparedProject; baseImage: BaseImageChoice}> {
  const scan = await scanProject(projectDir, options);
  const baseImage = await chooseBaseImage(store, scan.annotations.schema.slug, options.baseImage);
  const prepared = await assembleProject(scan, {...options, baseImage: baseImage.image});
  return {prepared, baseImage};
}
