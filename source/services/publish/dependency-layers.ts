// Requirements installed in layers, so a package added to requirements.txt installs (and pushes)
// only itself. A full image's pip step is a chain of layers: the first installs the requirements
// as they were when the chain began, each next one `pip install -r` of the requirements as a
// later publish had them — pip finds the earlier packages satisfied and installs only what was
// added. Every layer is the same COPY + RUN with the same files as when it was built, so the
// engine's build cache answers for all but the last; the registry has their blobs already.
//
// The chain grows only by additions: a publish whose requirements keep every line of the last
// layer's (in every file) adds a layer; anything else (a line removed or changed, another base
// image or engine, a local wheel folder whose files the record does not keep, the layer limit)
// starts a new chain with one layer, installing everything as a fresh build would. The layers'
// files are kept in the version's record.
import type {DependencyLayer, ModuleVersionRecord} from '../../models/module-version.js';
import type {Requirements} from './requirements.js';

export type {DependencyLayer};

/** Pip layers at most: each costs a pip start on an engine without the build cache. */
export const MAX_DEPENDENCY_LAYERS = 4;

export type DependencyLayerPlan = {
  /** Oldest first; the last holds this publish's requirements files. */
  layers: DependencyLayer[];
  /** What the chain means for this build, for the log; null when there is nothing to say. */
  note: string | null;
};

/** The pip layers of a full image with `requirements`, continuing `previous`'s when it can. */
export function planDependencyLayers(
  requirements: Requirements,
  previous: ModuleVersionRecord | undefined,
  where: {engine: string; baseImage: string},
): DependencyLayerPlan {
  const current: DependencyLayer = requirements.files.map(({path, text}) => ({path, text}));
  const fresh = {layers: [current], note: null};
  if (!requirements.present || requirements.localFindLinks.length > 0) return fresh;
  const chain = previous?.dependencyLayers;
  if (
    !previous ||
    !chain?.length ||
    previous.mode !== 'full' ||
    previous.engine !== where.engine ||
    previous.baseImage !== where.baseImage
  )
    return fresh;
  const last = chain.at(-1)!;
  if (sameFiles(last, current)) return {layers: chain, note: null};
  if (!extendsLayer(last, current)) return fresh;
  if (chain.length >= MAX_DEPENDENCY_LAYERS) {
    return {
      layers: [current],
      note: `requirements installed in one layer again (the last ${MAX_DEPENDENCY_LAYERS} publishes each added packages)`,
    };
  }
  return {
    layers: [...chain, current],
    note: `requirements add to version ${previous.version}'s: pip installs only what was added, in a layer of its own (${chain.length + 1} of at most ${MAX_DEPENDENCY_LAYERS})`,
  };
}

function sameFiles(a: DependencyLayer, b: DependencyLayer): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Lines pip reads (not blank, not comments), each counted. */
function lineCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return counts;
}

/** Every line of every file of `before` is still in the same file of `after`. */
function extendsLayer(before: DependencyLayer, after: DependencyLayer): boolean {
  return before.every((file) => {
    const now = after.find((candidate) => candidate.path === file.path);
    if (!now) return false;
    const kept = lineCounts(now.text);
    for (const [line, count] of lineCounts(file.text))
      if ((kept.get(line) ?? 0) < count) return false;
    return true;
  });
}
