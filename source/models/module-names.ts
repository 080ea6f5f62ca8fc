// The names a module's schema is made of (parameter names, slugs), without zod: publishing
// needs only these at run time, and zod alone costs a code-change publish more than its checks.
// models/module.ts holds the schema's zod form (the CLI contract) and re-exports these.

/**
 * Parameter names become `--name value` flags of the entry point, so they follow argparse:
 * an identifier that may also contain dashes (`input-path`, as MLReef scripts write them).
 */
export const PARAMETER_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Lowercase `[a-z0-9-]`, no leading, trailing or doubled dash: names the module everywhere. */
export const MODULE_SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

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
