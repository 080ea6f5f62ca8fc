// A reader for the YAML berth itself writes into `.berth/config.yaml`: `key: value` lines and
// one level of nested `key:` blocks, plain or simply quoted scalars, comments. Anything else
// (flow style, anchors, tags, block scalars, escapes, several documents) returns undefined and
// the caller parses with the real YAML library. It exists for start-up time: loading the
// library costs more than a whole `berth status --prompt`.

type Flat = Record<string, string | null | Record<string, string | null>>;

const keyPattern = /^([A-Za-z0-9_.-]+(?::[0-9]+)?):(?:\s+(.*))?$/;
// Plain scalars that YAML reads as strings whatever the schema: no leading digit or sign
// (numbers), no booleans. The rest goes to the library, which knows.
const plainPattern = /^[A-Za-z_][A-Za-z0-9_./@+-]*$/;
const notStrings = /^(true|false|yes|no|on|off|y|n)$/i;

function scalar(raw: string | undefined): string | null | undefined {
  const text = (raw ?? '').replace(/\s+#.*$/, '').trim();
  if (text === '' || text === '~' || text === 'null') return null;
  if (/^'[^']*'$/.test(text)) return text.slice(1, -1);
  if (/^"[^"\\]*"$/.test(text)) return text.slice(1, -1);
  return plainPattern.test(text) && !notStrings.test(text) ? text : undefined;
}

export function parseFlatYaml(text: string): Flat | undefined {
  const result: Flat = {};
  let block: Record<string, string | null> | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (line === '---' && Object.keys(result).length === 0) continue;
    const indented = /^\s/.test(line);
    const match = keyPattern.exec(line.trim());
    if (!match) return undefined;
    const [, key = '', rest] = match;
    if (indented) {
      if (!block || !/^ {2}\S/.test(line)) return undefined;
      const value = scalar(rest);
      if (value === undefined || key in block) return undefined;
      block[key] = value;
      continue;
    }
    if (key in result) return undefined;
    if (rest === undefined || rest.trim() === '' || rest.trim().startsWith('#')) {
      block = {};
      result[key] = block;
      continue;
    }
    block = undefined;
    const value = scalar(rest);
    if (value === undefined) return undefined;
    result[key] = value;
  }
  // An empty `key:` block is YAML null.
  for (const [key, value] of Object.entries(result))
    if (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
      result[key] = null;
  return result;
}
