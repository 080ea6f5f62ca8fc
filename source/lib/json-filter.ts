// `--json FIELDS` (keep some top-level fields, as gh does) and `--jq EXPR` (real jq 1.7, built
// to WebAssembly: the jq-wasm package, loaded only when --jq is given).
import {UsageError} from './errors.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keeps `fields` of an object, or of each object in a list; an unknown field is a usage error. */
export function pickFields(value: unknown, fields: readonly string[]): unknown {
  const items = Array.isArray(value) ? value : [value];
  const available = new Set<string>();
  for (const item of items)
    if (isRecord(item)) for (const key of Object.keys(item)) available.add(key);
  if (items.length > 0) {
    const unknown = fields.filter((field) => !available.has(field));
    if (unknown.length > 0) {
      throw new UsageError(
        `Unknown JSON field${unknown.length > 1 ? 's' : ''}: ${unknown.map((f) => `"${f}"`).join(', ')}.`,
        {hint: `Available fields: ${[...available].sort().join(', ')}.`},
      );
    }
  }
  const pick = (item: unknown) =>
    isRecord(item)
      ? Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]]))
      : item;
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

type JqModule = {raw(data: string | object, filter: string, flags?: string[]): Promise<string>};

async function loadJq(): Promise<JqModule> {
  const module = (await import('jq-wasm')) as JqModule & {default?: JqModule};
  return module.default ?? module;
}

function jqError(expression: string, error: unknown): UsageError {
  const message = (error instanceof Error ? error.message : String(error))
    .replace(/^Failed to execute raw query: /, '')
    .replace(/^jq: error(: | \(at [^)]*\): )/, '')
    .split('\n')[0]!
    .trim();
  return new UsageError((f) => `${f('jq')} '${expression}': ${message}`, {
    hint: (f) =>
      `The expression is jq (1.7) syntax, e.g. ${f('jq')} '.[].name' or ${f('jq')} 'map(select(.active))'.`,
  });
}

/** Refuses an expression jq cannot compile, before the command does anything. */
export async function checkJqExpression(expression: string): Promise<void> {
  const jq = await loadJq();
  try {
    await jq.raw('null', expression);
  } catch (error) {
    // Errors at run time on `null` say nothing about the real input; only compile errors count.
    if (/compile error/.test(String((error as Error)?.message))) throw jqError(expression, error);
  }
}

/** jq's output for `value`, strings raw (as `jq -r` and gh's --jq), with a final newline. */
export async function applyJq(value: unknown, expression: string): Promise<string> {
  const jq = await loadJq();
  try {
    const output = await jq.raw(JSON.stringify(value ?? null), expression, ['-r']);
    return output === '' || output.endsWith('\n') ? output : `${output}\n`;
  } catch (error) {
    throw jqError(expression, error);
  }
}
