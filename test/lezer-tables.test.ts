// The build decodes the Python parser's tables ahead of time (scripts/lezer-tables.mjs). The
// parser must not notice: its tables hold the same numbers, and real entry points parse to the
// same trees, with and without the edit.
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {lezerTables, predecodeLezerTables} from '../scripts/lezer-tables.mjs';
import {repoRoot} from './support/cli.js';
import {bundleForTest} from './support/publish-pane-bundle.js';

type Parser = {
  tables: {states: number[]; data: number[]; goto: number[]; tokens: number[]};
  tree: (source: string) => string;
};

const entry = `
import {parser} from '@lezer/python';
const group = parser.tokenizers.find((tokenizer) => tokenizer.data);
export const tables = {
  states: Array.from(parser.states),
  data: Array.from(parser.data),
  goto: Array.from(parser.goto),
  tokens: Array.from(group.data),
};
export const tree = (source) => parser.parse(source).toString();
`;

async function bundle(name: string, edited: boolean): Promise<{parser: Parser; source: string}> {
  const outfile = await bundleForTest(`lezer-${name}`, {
    stdin: {contents: entry, resolveDir: repoRoot, loader: 'js'},
    plugins: edited ? [lezerTables] : [],
  });
  return {parser: (await import(outfile)) as Parser, source: readFileSync(outfile, 'utf8')};
}

/** Every Python file of the fixture projects (MLReef's own among them). */
function pythonFiles(dir = path.join(repoRoot, 'test/fixtures/projects')): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pythonFiles(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

describe("the build's decoded Python parser tables", () => {
  let plain: {parser: Parser; source: string};
  let edited: {parser: Parser; source: string};
  beforeAll(async () => {
    plain = await bundle('plain', false);
    edited = await bundle('edited', true);
  });

  it('carries the tables as bytes, not as text to decode', () => {
    expect(plain.source).toMatch(/\n {2}states: "/);
    expect(edited.source).not.toMatch(/\n {2}(states|stateData|goto|tokenData): "/);
    expect(edited.source).toContain('__lezerTable(');
  });

  it('holds the same numbers and parses the same trees', () => {
    expect(edited.parser.tables.states.length).toBeGreaterThan(1000);
    expect(edited.parser.tables).toEqual(plain.parser.tables);
    const files = pythonFiles();
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      expect(edited.parser.tree(source), file).toBe(plain.parser.tree(source));
    }
  });

  it('fails the build when a table is gone from the package', () => {
    expect(() => predecodeLezerTables('export const parser = 1;\n')).toThrow(
      /no states table to decode/,
    );
  });
});
