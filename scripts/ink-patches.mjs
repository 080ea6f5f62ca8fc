// Ink redraws the whole frame on every key, and most of a switcher key's time and memory is
// spent there (bench/tui). Ink builds the frame as a grid of cells (output.js): one fresh object
// per cell of the terminal's width times the frame's height, every row then turned back into a
// string, trailing blanks included: over 60 % of the memory a key allocated (about 1 MB), and
// the garbage collector's pauses are what the slowest keys wait for. This esbuild plugin edits
// Ink's files as the build reads them, to the same frame text (test/build.test.ts compares):
// - output.js: its caches (pure functions of a text: tokens, widths, lines, clipped lines)
//   outlive the frame, dropped past 20,000 entries so a streaming log cannot grow them without
//   bound; the grid starts as one shared blank cell (cells are replaced, never changed in
//   place), and a row's trailing blank cells are not turned into spaces only to be trimmed;
// - render-node-to-output.js: a text's width comes from Ink's own cache (measure-text.js), not
//   measured again on every frame;
// - wrap-text.js: a wrapped row never starts with the space that followed a word ending at the
//   right edge (wrap-ansi without trimming moves it there: "…registered\n repository"), so
//   the rows of a wrapped value line up (the one edit that changes what is drawn).
// The build fails if a line it edits is gone from Ink's file, rather than silently losing this.
import {readFile} from 'node:fs/promises';

const outputEdits = [
  ['    caches = new OutputCaches();', '    caches = sharedOutputCaches();'],
  [
    `        const characterLines = [[]];
        for (const character of this.caches.getStyledChars(text)) {
            if (character.value === '\\n') {
                characterLines.push([]);
            }
            else {
                characterLines.at(-1).push(character);
            }
        }
        let lines = characterLines.map(line => styledCharsToString(line));`,
    `        let lines = this.caches.getLines(text);`,
  ],
  [
    `                    return this.sliceLineToColumns(line, from, to);`,
    `                    return this.caches.getSlice(line, from, to, this);`,
  ],
  [
    `        for (let [index, line] of lines.entries()) {`,
    `        for (let index = 0; index < lines.length; index++) {
            let line = lines[index];`,
  ],
  [
    `            const row = [];
            for (let x = 0; x < this.width; x++) {
                row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });
            }
            output.push(row);`,
    `            output.push(new Array(this.width).fill(blankOutputCell));`,
  ],
  [
    `            const lineWithoutEmptyItems = line.filter(item => item !== undefined);`,
    `            let end = line.length;
            while (end > 0 && (line[end - 1] === blankOutputCell || line[end - 1] === undefined)) {
                end--;
            }
            const lineWithoutEmptyItems = [];
            for (let x = 0; x < end; x++) {
                if (line[x] !== undefined) {
                    lineWithoutEmptyItems.push(line[x]);
                }
            }`,
  ],
];

const outputAppended = `
const blankOutputCell = Object.freeze({
    type: 'char',
    value: ' ',
    fullWidth: false,
    styles: Object.freeze([]),
});
OutputCaches.prototype.getLines = function (text) {
    this.lines ??= new Map();
    let cached = this.lines.get(text);
    if (cached === undefined) {
        const characterLines = [[]];
        for (const character of this.getStyledChars(text)) {
            if (character.value === '\\n') {
                characterLines.push([]);
            }
            else {
                characterLines.at(-1).push(character);
            }
        }
        cached = Object.freeze(characterLines.map(line => styledCharsToString(line)));
        this.lines.set(text, cached);
    }
    return cached;
};
OutputCaches.prototype.getSlice = function (line, from, to, output) {
    this.slices ??= new Map();
    let byLine = this.slices.get(line);
    if (byLine === undefined) {
        byLine = new Map();
        this.slices.set(line, byLine);
    }
    const key = from * 65536 + to;
    let cached = byLine.get(key);
    if (cached === undefined) {
        cached = output.sliceLineToColumns(line, from, to);
        byLine.set(key, cached);
    }
    return cached;
};
let sharedCaches;
function sharedOutputCaches() {
    const size = sharedCaches
        ? sharedCaches.styledChars.size + sharedCaches.widths.size + (sharedCaches.lines?.size ?? 0) +
          (sharedCaches.slices?.size ?? 0)
        : 0;
    if (!sharedCaches || size > 20000) sharedCaches = new OutputCaches();
    return sharedCaches;
}
`;

const renderNodeToOutputEdits = [
  [`import widestLine from 'widest-line';`, `import measureText from './measure-text.js';`],
  [
    `            const currentWidth = widestLine(text);`,
    `            const currentWidth = measureText(text).width;`,
  ],
];

const wrapTextEdits = [
  [
    `        wrappedText = wrapAnsi(text, maxWidth, {
            trim: false,
            hard: true,
        });`,
    `        wrappedText = wrapWords(text, maxWidth);`,
  ],
];

const wrapTextAppended = `
/** wrap-ansi's word wrap, each line of the text on its own, without the space it moves to the
 *  start of a row after a word that ends at the edge (styles may open the row first). */
function wrapWords(text, maxWidth) {
    return text
        .split('\\n')
        .map(line => wrapAnsi(line, maxWidth, { trim: false, hard: true }).replace(/\\n((?:\\u001B\\[[0-9;]*m)*) /g, '\\n$1'))
        .join('\\n');
}
`;

/** The files edited, each with its edits ([line, replacement]) and what is appended. */
const patches = [
  {
    file: /node_modules\/ink\/build\/wrap-text\.js$/,
    edits: wrapTextEdits,
    appended: wrapTextAppended,
  },
  {file: /node_modules\/ink\/build\/output\.js$/, edits: outputEdits, appended: outputAppended},
  {
    file: /node_modules\/ink\/build\/render-node-to-output\.js$/,
    edits: renderNodeToOutputEdits,
    appended: '',
  },
];

/** An Ink file's source with its edits; throws naming the edit whose line is gone. */
export function patchInk(path, source) {
  const patch = patches.find(({file}) => file.test(path));
  if (!patch) return source;
  let patched = source;
  for (const [from, to] of patch.edits) {
    if (!patched.includes(from))
      throw new Error(`ink-patches: "${from.trim().split('\n')[0]}" is gone from ${path}`);
    patched = patched.replace(from, to);
  }
  return patched + patch.appended;
}

/** The esbuild plugin editing the files `only` matches (by default every edited file). */
export function inkPatchesFor(only = /./) {
  return {
    name: 'ink-patches',
    setup(builder) {
      builder.onLoad(
        {filter: /node_modules\/ink\/build\/(output|render-node-to-output|wrap-text)\.js$/},
        async (args) => {
          const source = await readFile(args.path, 'utf8');
          return {
            contents: only.test(args.path) ? patchInk(args.path, source) : source,
            loader: 'js',
          };
        },
      );
    },
  };
}

export const inkPatches = inkPatchesFor();
