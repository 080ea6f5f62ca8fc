// The layers of source/ as walls over the import graph: every import (static, dynamic,
// type-only, re-export) of every file, checked against what its folder may reach. Read with
// TypeScript's own import scanner, so a commented-out import does not count and an
// `await import('../clients/git.js')` in a screen does.
import {spawnSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** A folder of source/, a top-level file (`deps`, `app`, `tui`, `cli`), or `ui` for React/Ink. */
export type Layer = string;

const ui: Layer = 'ui';
const uiLayers: Layer[] = ['screens', 'components', 'hooks', 'app', 'tui', ui];
const upward: Layer[] = ['services', 'clients', 'store', 'commands', 'deps', 'cli', ...uiLayers];

export type Wall = {from: Layer[]; forbidden: Layer[]; why: string};

export const walls: Wall[] = [
  {
    from: ['services'],
    forbidden: ['commands', 'cli', ...uiLayers],
    why: 'services hold behaviour once, for the CLI and the TUI: no React, screens or commands',
  },
  {
    from: ['clients'],
    forbidden: ['services', 'store', 'commands', 'cli', ...uiLayers],
    why: 'clients are the outside world behind small interfaces; the services use them, not the reverse',
  },
  {
    from: ['store'],
    forbidden: ['services', 'clients', 'commands', 'cli', ...uiLayers],
    why: 'the store persists; it knows no use case, client or front end',
  },
  {
    from: ['lib', 'models'],
    forbidden: upward,
    why: 'lib and models are the bottom layer: pure helpers and types, importing nothing above them',
  },
  {
    from: ['screens', 'hooks', 'components', 'app', 'tui'],
    forbidden: ['clients', 'store', 'commands', 'cli'],
    why: 'the TUI reaches the world only through services',
  },
];

export type WallCrossing = {file: string; imports: string; layer: Layer; why: string};

/** React, Ink and Ink's components from npm. */
function isUiPackage(specifier: string): boolean {
  return /^(react|react-dom|ink|ink-[\w-]+|@inkjs\/.+)(\/.*)?$/.test(specifier);
}

/** The layer of a file under `root` (`services/tokens.ts` → `services`, `app.tsx` → `app`). */
export function layerOf(root: string, file: string): Layer {
  const relative = path.relative(root, file).split(path.sep);
  return relative.length === 1 ? relative[0]!.replace(/\.[cm]?tsx?$|\.[cm]?js$/, '') : relative[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every import of `file` that crosses a wall, as `{file, imports, layer, why}`. */
export function crossingsOf(root: string, file: string): WallCrossing[] {
  const from = layerOf(root, file);
  const rules = walls.filter((wall) => wall.from.includes(from));
  if (rules.length === 0) return [];
  const {importedFiles} = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const crossings: WallCrossing[] = [];
  for (const {fileName: specifier} of importedFiles) {
    let target: Layer | undefined;
    if (specifier.startsWith('.')) {
      const resolved = path.resolve(path.dirname(file), specifier);
      if (!resolved.startsWith(root + path.sep)) continue;
      target = layerOf(root, resolved);
    } else if (isUiPackage(specifier)) target = ui;
    if (target === undefined || target === from) continue;
    for (const rule of rules) {
      if (rule.forbidden.includes(target)) {
        crossings.push({
          file: path.relative(root, file),
          imports: specifier,
          layer: target,
          why: rule.why,
        });
      }
    }
  }
  return crossings;
}

/** Every wall crossing in the tree under `root` (source/). */
export function findWallCrossings(root: string): WallCrossing[] {
  return sourceFiles(root).flatMap((file) => crossingsOf(root, file));
}

export function describeCrossing(crossing: WallCrossing): string {
  return `${crossing.file} imports ${crossing.imports} (${crossing.layer}): ${crossing.why}`;
}

/** A collection of the profile store that only one folder of source/ opens; the rest ask it. */
export type CollectionOwner = {collection: string; owner: string; why: string};

export const collectionOwners: CollectionOwner[] = [
  {
    collection: 'repositories',
    owner: 'services/code-repositories',
    why: 'the code-repositories service owns the registered repositories; other code calls its queries (services/code-repositories/queries.ts)',
  },
];

export type CollectionReader = {file: string; collection: string; owner: string; why: string};

/** Every `.collection('NAME')` (typed or not) of an owned collection outside its owner. */
export function findCollectionReaders(root: string): CollectionReader[] {
  const readers: CollectionReader[] = [];
  for (const file of sourceFiles(root)) {
    const relative = path.relative(root, file).split(path.sep).join('/');
    const text = readFileSync(file, 'utf8');
    for (const {collection, owner, why} of collectionOwners) {
      if (relative.startsWith(`${owner}/`)) continue;
      const opens = new RegExp(
        String.raw`\.collection\s*(<[^>()]*>)?\s*\(\s*['"\`]${collection}['"\`]`,
      );
      if (opens.test(text)) readers.push({file: relative, collection, owner, why});
    }
  }
  return readers;
}

export function describeReader(reader: CollectionReader): string {
  return `${reader.file} opens the ${reader.collection} collection outside ${reader.owner}: ${reader.why}`;
}

/**
 * `npm run lint`'s wall check (scripts/check-walls.mjs) over the tree at `root`, run by the
 * project's own Node (the `node` devDependency, which strips types), as npm scripts run it.
 */
export function runWallCheck(repoRoot: string, root: string) {
  return spawnSync(
    path.join(repoRoot, 'node_modules/.bin/node'),
    ['scripts/check-walls.mjs', root],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
}
