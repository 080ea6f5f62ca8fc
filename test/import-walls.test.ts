// The layers hold by construction: a test over the import graph of source/ fails on any import
// that crosses a wall, and the walls are shown to catch a crossing planted in a copy of the tree.
import {appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeEach, describe, expect, it} from 'vitest';
import {repoRoot} from './support/cli.js';
import {
  describeCrossing,
  describeReader,
  findCollectionReaders,
  runWallCheck,
  findWallCrossings,
} from './support/import-walls.js';

const source = path.join(repoRoot, 'source');

describe('import walls', () => {
  it('source/ crosses none', () => {
    expect(findWallCrossings(source).map(describeCrossing)).toEqual([]);
  });

  const copy = mkdtempSync(path.join(tmpdir(), 'berth-walls-'));
  afterAll(() => rmSync(copy, {recursive: true, force: true}));

  // Each row plants one file in a copy of source/ that crosses one wall, the way it could slip
  // in: a static import, a dynamic one, a type-only one, a re-export, a package.
  beforeEach(() => {
    rmSync(copy, {recursive: true, force: true});
    cpSync(source, copy, {recursive: true});
  });

  it.each([
    [
      'services import a screen',
      'services/planted.ts',
      "import {HomeScreen} from '../screens/home.js';",
      '../screens/home.js',
    ],
    [
      'services import React',
      'services/publish/planted.ts',
      "import {useState} from 'react';",
      'react',
    ],
    [
      'services import a command',
      'services/planted.ts',
      "export {registerRepoCommands} from '../commands/repo.js';",
      '../commands/repo.js',
    ],
    [
      'clients import a service',
      'clients/planted.ts',
      "const tokens = await import('../services/tokens.js');",
      '../services/tokens.js',
    ],
    [
      'the store imports a client',
      'store/planted.ts',
      "import type {GitClient} from '../clients/git.js';",
      '../clients/git.js',
    ],
    [
      'lib imports a service',
      'lib/planted.ts',
      "import {resolveContext} from '../services/context.js';",
      '../services/context.js',
    ],
    [
      'models import the store',
      'models/planted.ts',
      "import type {ProfileStore} from '../store/profile-store.js';",
      '../store/profile-store.js',
    ],
    [
      'a screen imports a client',
      'screens/planted.tsx',
      "const {readCheckout} = await import('../clients/git.js');",
      '../clients/git.js',
    ],
    [
      'a hook imports the store',
      'hooks/use-planted.ts',
      "import {findRepositoryRoot} from '../store/repository-config.js';",
      '../store/repository-config.js',
    ],
    [
      'a component imports a client',
      'components/planted.tsx',
      "import {createDocker} from '../clients/docker.js';",
      '../clients/docker.js',
    ],
    [
      'the TUI root imports the store',
      'app.tsx',
      "import {GlobalConfigStore} from './store/global-config.js';",
      './store/global-config.js',
    ],
  ])('catches %s', (_what, file, line, specifier) => {
    // A new file, or a line added to an existing one (app.tsx).
    appendFileSync(path.join(copy, file), `\n${line}\nexport const planted = 1;\n`);
    const crossings = findWallCrossings(copy);
    expect(crossings.map((crossing) => [crossing.file, crossing.imports])).toEqual([
      [file, specifier],
    ]);
    expect(crossings[0]!.why).not.toBe('');
  });

  it('fails the lint gate too: `npm run lint` runs the same check, which refuses a planted crossing', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['lint']).toContain('node scripts/check-walls.mjs');
    const lint = (root: string) => runWallCheck(repoRoot, root);
    const clean = lint(source);
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    appendFileSync(
      path.join(copy, 'app.tsx'),
      "\nimport {createDocker} from './clients/docker.js';\n",
    );
    const planted = lint(copy);
    expect(planted.status).toBe(1);
    expect(planted.stderr).toContain(
      'import wall: app.tsx imports ./clients/docker.js (clients): the TUI reaches the world only through services',
    );
  });

  it('only services/code-repositories opens the repositories collection', () => {
    expect(findCollectionReaders(source).map(describeReader)).toEqual([]);
    // A service reading the records itself is caught, typed or not, in the lint gate too...
    writeFileSync(
      path.join(copy, 'services/planted.ts'),
      "export const all = (store: any) =>\n  store.collection<{id: string}>( 'repositories' ).list();\n",
    );
    writeFileSync(
      path.join(copy, 'screens/planted.tsx'),
      'export const one = (store: any) => store.collection("repositories").get("x");\n',
    );
    expect(findCollectionReaders(copy).map((reader) => reader.file)).toEqual([
      'screens/planted.tsx',
      'services/planted.ts',
    ]);
    const lint = runWallCheck(repoRoot, copy);
    expect(lint.status).toBe(1);
    expect(lint.stderr).toContain(
      'collection wall: services/planted.ts opens the repositories collection outside services/code-repositories',
    );
    // ...while the service itself, and other collections, are not.
    rmSync(path.join(copy, 'services/planted.ts'));
    rmSync(path.join(copy, 'screens/planted.tsx'));
    writeFileSync(
      path.join(copy, 'services/code-repositories/planted.ts'),
      "export const all = (store: any) => store.collection('repositories').list();\n" +
        "export const runs = (store: any) => store.collection('runs').list();\n",
    );
    expect(findCollectionReaders(copy)).toEqual([]);
  });

  it('does not count an import in a comment', () => {
    cpSync(source, copy, {recursive: true});
    const planted = path.join(copy, 'services/planted.ts');
    writeFileSync(
      planted,
      "// import {HomeScreen} from '../screens/home.js';\nexport const x = 1;\n",
    );
    try {
      expect(findWallCrossings(copy)).toEqual([]);
    } finally {
      rmSync(planted);
    }
  });
});
