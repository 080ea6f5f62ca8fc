// The build edits Ink's frame building for speed (scripts/ink-patches.mjs). A person must see the
// same terminal: Ink with and without the edits renders the same trees (colors, wide characters,
// clipping, truncation, borders, backgrounds, trailing styled blanks) to the same text, and the
// edited Ink gives the same text again once its caches are warm. The one edit meant to change
// what is drawn, wrapping (wrap-text.js), is in both and checked against Ink itself on its own.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {inkPatches, inkPatchesFor, patchInk} from '../scripts/ink-patches.mjs';
import {repoRoot} from './support/cli.js';
import {bundleForTest} from './support/publish-pane-bundle.js';

type Frames = {frames: (columns: number) => string[]};

const entry = `
import {createElement as h} from 'react';
import {Box, Text, renderToString} from 'ink';

const trees = (columns) => [
  h(Text, {color: 'cyan', bold: true}, 'berth', h(Text, {dimColor: true}, ' · stacks')),
  h(Box, {flexDirection: 'column', paddingX: 1},
    h(Text, {backgroundColor: 'blue'}, 'styled to the end   '),
    h(Text, {inverse: true}, '  '),
    h(Text, null, 'plain', h(Text, {color: 'red'}, ' red ')),
  ),
  h(Box, {width: 12, overflow: 'hidden'}, h(Text, {color: 'green'}, 'a line wider than its box, clipped')),
  h(Box, {width: 9, overflow: 'hidden'}, h(Text, null, '漢字テスト漢字テスト')),
  ...[6, 11].map((width) =>
    h(Box, {width, overflow: 'hidden'}, h(Box, {width: 30, flexShrink: 0}, h(Text, null, 'one line, two clips'))),
  ),
  h(Box, {width: 10, height: 2, overflow: 'hidden', flexDirection: 'column'},
    h(Box, {width: 20, overflow: 'hidden'}, h(Text, {bold: true}, 'nested clip 漢字 one\\ntwo\\nthree')),
  ),
  h(Box, {width: 14}, h(Text, {wrap: 'truncate-end', color: 'yellow'}, 'truncate-end with a long tail')),
  h(Box, {width: 14}, h(Text, {wrap: 'truncate-middle'}, 'middle 👍🏽 of a long name')),
  h(Box, {width: 16}, h(Text, {wrap: 'wrap'}, 'words wrap over several lines here')),
  h(Box, {borderStyle: 'round', borderColor: 'magenta', paddingX: 1, width: Math.min(columns, 30)},
    h(Text, null, 'in a border')),
  h(Box, {backgroundColor: 'gray', width: 12, height: 2}, h(Text, null, 'bg')),
  h(Box, {columnGap: 2},
    h(Box, {width: 10, flexShrink: 0, flexDirection: 'column'},
      h(Text, {color: 'cyan', bold: true, wrap: 'truncate-end'}, '› vision-gpu.001 ● current'),
      h(Text, {wrap: 'truncate-end'}, '  nlp-cpu.002')),
    h(Text, {wrap: 'wrap'}, 'details beside the list, wrapping')),
  h(Text, null, 'tab\\there, multi\\nline ', h(Text, {underline: true}, 'under\\nlined')),
];

export function frames(columns) {
  return trees(columns).map((tree) => renderToString(tree, {columns}));
}
`;

/** Ink with every edit, with the wrapping edit only, or as published. */
async function bundle(name: string, edits: 'all' | 'wrapping' | 'none'): Promise<Frames> {
  const plugins = {all: [inkPatches], wrapping: [inkPatchesFor(/wrap-text\.js$/)], none: []};
  const outfile = await bundleForTest(`ink-${name}`, {
    stdin: {contents: entry, resolveDir: repoRoot, loader: 'js'},
    plugins: plugins[edits],
  });
  const source = readFileSync(outfile, 'utf8');
  expect(source.includes('blankOutputCell')).toBe(edits === 'all');
  expect(source.includes('function wrapWords')).toBe(edits !== 'none');
  return (await import(outfile)) as Frames;
}

describe("the build's edits to Ink", () => {
  let plain: Frames;
  let wrapping: Frames;
  let patched: Frames;
  const forceColor = process.env.FORCE_COLOR;
  beforeAll(async () => {
    // Colors on, so styles (and where they end) are part of what is compared.
    process.env.FORCE_COLOR = '3';
    plain = await bundle('plain', 'none');
    wrapping = await bundle('wrapping', 'wrapping');
    patched = await bundle('patched', 'all');
  });
  afterAll(() => {
    if (forceColor === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = forceColor;
  });

  it('draw the same frames as Ink itself, with warm caches too', () => {
    for (const columns of [100, 40, 12]) {
      const expected = wrapping.frames(columns);
      expect(expected.join('\n')).toContain('\u001b[');
      expect(patched.frames(columns)).toEqual(expected);
      expect(patched.frames(columns)).toEqual(expected);
    }
  });

  it('wrap a word ending at the right edge without moving the next space onto the next row', () => {
    // 'a line wider' fills the 12 columns of its box; the rest lines up under it, styled.
    const row = (frames: string[]) =>
      frames[2]!.split('\n').map((line) => stripVTControlCharacters(line).trimEnd());
    expect(row(plain.frames(100))).toEqual(['a line wider', ' than its', 'box, clipped']);
    expect(row(patched.frames(100))).toEqual(['a line wider', 'than its', 'box, clipped']);
    expect(patched.frames(100)[2]).toContain('\u001b[32m');
    // Elsewhere wrapping is Ink's own.
    const others = (frames: string[]) => frames.filter((_frame, index) => index !== 2);
    expect(others(patched.frames(100))).toEqual(others(plain.frames(100)));
  });

  it('fail the build when a line they edit is gone from Ink', () => {
    const file = path.join(repoRoot, 'node_modules/ink/build/output.js');
    const source = readFileSync(file, 'utf8').replace('    caches = new OutputCaches();', '');
    expect(() => patchInk(file, source)).toThrow(/caches = new OutputCaches\(\);" is gone/);
  });
});
