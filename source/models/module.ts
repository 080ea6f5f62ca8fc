// A code module: what a published code project declares about itself (its schema, read
// statically from the entry point's annotations) and the states a published version goes through.
import {z} from 'zod';

/** The parameter types of the CLI contract. MLReef's spellings are mapped onto these on read. */
export const ParameterType = z.enum(['str', 'int', 'float', 'bool', 'list']);
export type ParameterType = z.infer<typeof ParameterType>;

/** A default value after conversion to its declared type. Lists hold literal values only. */
export type ParameterValue = string | number | boolean | null | ParameterValue[];

export const ParameterValue: z.ZodType<ParameterValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(ParameterValue)]),
);

/**
 * Parameter names become `--name value` flags of the entry point, so they follow argparse:
 * an identifier that may also contain dashes (`input-path`, as MLReef scripts write them).
 */
export const PARAMETER_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

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

/** Lowercase `[a-z0-9-]`, no leading, trailing or doubled dash: names the module everywhere. */
export const MODULE_SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

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

/** `Resnet 2.0 Filter` → `resnet-2-0-filter`. Returns '' when nothing usable is left. */
export function moduleSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}
