// What publishing a directory would do, read without building or recording anything: the same
// reading as `berth publish --dry-run` (entry point, parameters, where the code comes from).
// The TUI shows it before the user confirms a publish.
import type {Deps} from '../../deps.js';
import {plainVocabulary, renderText} from '../../lib/errors.js';
import type {ModuleParameter} from '../../models/module.js';
import {protectedActiveStack} from '../stack-protection.js';
import {prepareWithBaseImage, type BaseImageChoice} from './base-image-choice.js';
import {planPublishMode, type PublishMode} from './publish.js';

export type PublishPreview = {
  name: string;
  slug: string;
  /** Relative to the project. */
  entryPoint: string;
  parameters: ModuleParameter[];
  /** The image the build starts FROM: given, remembered from the latest version, or the default. */
  baseImage: BaseImageChoice;
  stack: string;
  /** Where the code comes from (full image or dependencies only, and why). */
  mode: string;
  /** The active stack's name when it is protected: the user confirms it by name. */
  protectedStack: string | undefined;
};

export async function previewPublish(
  deps: Deps,
  input: {path: string; berthVersion: string; mode?: PublishMode; baseImage?: string},
): Promise<PublishPreview> {
  const plan = await planPublishMode(deps, input.path, input.mode ?? 'auto');
  const store = await deps.openStore(plan.context.profile);
  const {prepared, baseImage} = await prepareWithBaseImage(store, input.path, {
    berthVersion: input.berthVersion,
    mode: plan.mode,
    commit: plan.commit,
    ...(plan.sourceUrl ? {sourceUrl: plan.sourceUrl} : {}),
    ...(input.baseImage ? {baseImage: input.baseImage} : {}),
  });
  return {
    name: prepared.schema.name,
    slug: prepared.schema.slug,
    entryPoint: prepared.entryPoint,
    parameters: prepared.schema.parameters,
    baseImage,
    stack: plan.context.stackName,
    // The TUI asks for a full image in its own way (`f`), so it says so in its own words.
    mode:
      input.mode === 'full'
        ? 'full image: the code goes into the image'
        : renderText(plan.message, plainVocabulary),
    protectedStack: await protectedActiveStack(deps, plan.context),
  };
}
