// A code module: what a published code project declares about itself (its schema, read
// statically from the entry point's annotations) and the states a published version goes through.
import {z} from 'zod';
import {MODULE_SLUG_PATTERN, PARAMETER_NAME_PATTERN} from './module-names.js';

export {MODULE_SLUG_PATTERN, PARAMETER_NAME_PATTERN, moduleSlug} from './module-names.js';

/** The parameter types of the CLI contract. MLReef's spellings are mapped onto these on read. */
export const ParameterType = z.enum(['str', 'int', 'float', 'bool', 'list']);
export type ParameterType = z.infer<typeof ParameterType>;

/** A default value after conversion to its declared type. Lists hold literal values only. */
export type ParameterValue = string | number | boolean | null | ParameterValue[];

export const ParameterValue: z.ZodType<ParameterValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(ParameterValue)]),
);

export const ModuleParameter = z.object({
  name: z.string().regex(PARAMETER_NAME_PATTERN),
  type: ParameterType,
  required: z.boolean(),
  /** `null` when the annotation declares no default (or `None`). */
  defaultValue: ParameterValue,
  description: z.string(),
});
export type ModuleParameter = z.infer<typeof ModuleParameter>;

/** Which MLReef decorator declared the module. */
export const ModuleKind = z.enum(['data-processor', 'model', 'data-visualization']);
export type ModuleKind = z.infer<typeof ModuleKind>;

export const ModuleSchema = z.object({
  /** As declared in `@data_processor(name=...)`. */
  name: z.string().min(1),
  slug: z.string().regex(MODULE_SLUG_PATTERN),
  description: z.string(),
  kind: ModuleKind,
  /** POSIX path of the entry point relative to the project directory. */
  entryPoint: z.string().min(1),
  /** The decorated Python function. */
  function: z.string().min(1),
  parameters: z.array(ModuleParameter),
  /** The remaining MLReef keywords (author, type, visibility, input_type, output_type), as written. */
  metadata: z.record(z.string(), z.string()),
});
export type ModuleSchema = z.infer<typeof ModuleSchema>;

export const ModuleStatus = z.enum([
  'pending',
  'building',
  'pushing',
  'published',
  'failed',
  'cancelled',
  'outdated',
]);
export type ModuleStatus = z.infer<typeof ModuleStatus>;

export const Visibility = z.enum(['private', 'public']);
export type Visibility = z.infer<typeof Visibility>;
