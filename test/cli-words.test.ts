// Services, clients, the store, lib and models hold no CLI text: a hint there names an action
// (lib/remedies.ts) or a field, and each front end words it. The rule reads berth's commands and
// flags from source/commands, and is shown to catch CLI text planted in a copy of the tree.
import {appendFileSync, cpSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeEach, describe, expect, it} from 'vitest';
import {repoRoot} from './support/cli.js';
import {cliWordsOf, describeCliText, findCliText} from './support/cli-words.js';
import {runWallCheck} from './support/import-walls.js';

const source = path.join(repoRoot, 'source');

describe('no CLI text below the commands', () => {
  it('source/ has none', () => {
    expect(findCliText(source).map(describeCliText)).toEqual([]);
  });

  it("reads berth's commands and flags from what the commands declare", () => {
    const {commands, flags} = cliWordsOf(source);
    expect(commands).toEqual(expect.arrayContaining(['token', 'stack', 'profile', 'repo', 'init']));
    expect(flags).toEqual(
      expect.arrayContaining(['--replace', '--global', '--api-url', '--option', '--stdin']),
    );
    // pip's and git's own flags are not berth's.
    expect(flags).not.toContain('--find-links');
    expect(flags).not.toContain('--all');
  });

  const copy = mkdtempSync(path.join(tmpdir(), 'berth-cli-words-'));
  afterAll(() => rmSync(copy, {recursive: true, force: true}));
  beforeEach(() => {
    rmSync(copy, {recursive: true, force: true});
    cpSync(source, copy, {recursive: true});
  });

  const plant = (file: string, code: string) =>
    appendFileSync(path.join(copy, file), `\n${code}\n`);

  it.each([
    [
      'a service hint spelling a command',
      'services/planted.ts',
      "export const hint = 'Add it again: `berth token add github --name work --replace`.';",
      'berth token',
    ],
    [
      'a client hint naming a flag',
      'clients/planted.ts',
      'export const hint = `Fix ${"the URL"} with --api-url.`;',
      '--api-url',
    ],
    [
      'a template literal in the store',
      'store/planted.ts',
      'export const hint = (name: string) => `Run \\`berth profile set ${name}\\` first.`;',
      'berth profile',
    ],
    ['a flag in lib', 'lib/planted.ts', 'export const hint = "Pipe it to --stdin.";', '--stdin'],
    [
      'a command in a model',
      'models/planted.ts',
      "export const hint = 'See berth stack list.';",
      'berth stack',
    ],
    [
      'a line added to an existing service',
      'services/tokens.ts',
      "export const planted = 'Or pass --global.';",
      '--global',
    ],
  ])('catches %s', (_what, file, code, words) => {
    plant(file, code);
    const found = findCliText(copy);
    expect(found.map((f) => [f.file, f.words])).toEqual([[file, words]]);
    expect(describeCliText(found[0]!)).toContain(`${file}:`);
  });

  it('does not count comments, other layers, or the allowed vocabulary of pip and git', () => {
    plant(
      'services/planted.ts',
      '// Run `berth token add github --name x`.\n/** `--global` */\nexport const x = 1;',
    );
    plant('commands/planted.ts', "export const hint = 'Run `berth token add github --name x`.';");
    plant(
      'screens/planted.ts',
      "export const hint = 'Not --global here either, but screens may.';",
    );
    plant('services/publish/requirements.ts', "export const planted = 'Use --find-links FOLDER.';");
    plant('clients/git.ts', "export const planted = ['config', '--global', '--add'];");
    // A pip option that is not berth's is not CLI text anywhere.
    plant('services/planted2.ts', "export const hint = 'pip --index-url is in requirements.txt';");
    expect(findCliText(copy)).toEqual([]);
  });

  it('fails the lint gate: `npm run lint` runs the check over source/', () => {
    const lint = (root: string) => runWallCheck(repoRoot, root);
    const clean = lint(source);
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    plant('clients/planted.ts', "export const hint = 'Store it with `berth token add registry`.';");
    const planted = lint(copy);
    expect(planted.status).toBe(1);
    expect(planted.stderr).toContain('CLI text: clients/planted.ts:2 spells "berth token"');
  });
});
