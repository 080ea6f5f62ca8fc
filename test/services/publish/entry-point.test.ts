import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {cliVocabulary} from '../../../source/commands/context.js';
import {BerthError, describeError, ExitCode} from '../../../source/lib/errors.js';
import {findEntryPoint, pythonFiles} from '../../../source/services/publish/entry-point.js';
import {tempDir} from '../../support/cli.js';

const MODULE = '@data_processor(name="Demo")\ndef main():\n    pass\n';
const PLAIN = 'def helper():\n    return 1\n';

/** A project directory holding `files` (POSIX path → content). */
function project(files: Record<string, string>): string {
  const dir = tempDir('berth-entry-');
  for (const [file, content] of Object.entries(files)) {
    const absolute = path.join(dir, ...file.split('/'));
    mkdirSync(path.dirname(absolute), {recursive: true});
    writeFileSync(absolute, content);
  }
  return dir;
}

/** The refusal as the CLI reports it (fields named as flags), exit 1. */
async function failure(promise: Promise<unknown>): Promise<{message: string; hint?: string}> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BerthError);
  const report = describeError(error, cliVocabulary);
  expect(report.exitCode).toBe(ExitCode.failure);
  return {message: report.message, ...(report.hint ? {hint: report.hint} : {})};
}

describe('findEntryPoint', () => {
  test('finds the one declaring file among others', async () => {
    const dir = project({'main.py': MODULE, 'utils.py': PLAIN, 'README.md': MODULE});
    await expect(findEntryPoint(dir)).resolves.toBe('main.py');
  });

  test('finds it in a subfolder and returns a POSIX path', async () => {
    const dir = project({'src/models/train.py': MODULE, 'src/__init__.py': ''});
    await expect(findEntryPoint(dir)).resolves.toBe('src/models/train.py');
  });

  test.each([
    ['venv/lib/python3.11/site-packages/pkg/mod.py'],
    ['.venv/lib/mod.py'],
    ['env311/lib/mod.py', 'env311/pyvenv.cfg'],
    ['.hidden/mod.py'],
    ['.github/scripts/mod.py'],
    ['__pycache__/mod.py'],
    ['node_modules/pkg/mod.py'],
    ['lib/site-packages/mod.py'],
    ['.hidden_module.py'],
  ])('skips %s', async (skipped, marker?: string) => {
    const files: Record<string, string> = {'train.py': MODULE, [skipped]: MODULE};
    if (marker) files[marker] = 'home = /usr/bin\n';
    await expect(findEntryPoint(project(files))).resolves.toBe('train.py');
  });

  test('a folder named like a skipped one deeper down is only skipped by its own name', async () => {
    const dir = project({'pkg/environment/train.py': MODULE});
    await expect(findEntryPoint(dir)).resolves.toBe('pkg/environment/train.py');
  });

  test('a commented-out declaration does not make an entry point', async () => {
    const dir = project({'old.py': `# ${MODULE}`, 'new.py': MODULE});
    await expect(findEntryPoint(dir)).resolves.toBe('new.py');
  });

  test('none: says so and names --entry', async () => {
    const error = await failure(findEntryPoint(project({'a.py': PLAIN, 'venv/x.py': MODULE})));
    expect(error.message).toMatch(
      /^No Python file in .* declares a module with @data_processor\.$/,
    );
    expect(error.hint).toContain('--entry FILE');
  });

  test('several: lists them all, sorted, and names --entry', async () => {
    const error = await failure(
      findEntryPoint(project({'b.py': MODULE, 'a/x.py': MODULE, 'c.py': PLAIN})),
    );
    expect(error.message).toBe('Several Python files declare a module: a/x.py, b.py.');
    expect(error.hint).toBe('Choose one with --entry, e.g. --entry a/x.py.');
  });

  test('--entry picks one of several', async () => {
    const dir = project({'b.py': MODULE, 'a/x.py': MODULE});
    await expect(findEntryPoint(dir, {entry: 'b.py'})).resolves.toBe('b.py');
    await expect(findEntryPoint(dir, {entry: './a/../a/x.py'})).resolves.toBe('a/x.py');
  });

  test.each([
    ['missing.py', /does not exist/],
    ['../outside.py', /is not inside/],
    ['notes.txt', /is not a Python file/],
    ['src', /does not exist/],
  ])('--entry %s is refused', async (entry, message) => {
    const dir = project({'main.py': MODULE, 'notes.txt': 'x', 'src/a.py': MODULE});
    const error = await failure(findEntryPoint(dir, {entry}));
    expect(error.message).toMatch(message);
    expect(error.hint).toContain('--entry');
  });

  test('symbolic links to folders are not followed (no loops)', async () => {
    const dir = project({'main.py': MODULE});
    symlinkSync(dir, path.join(dir, 'loop'));
    await expect(pythonFiles(dir)).resolves.toEqual(['main.py']);
    await expect(findEntryPoint(dir)).resolves.toBe('main.py');
  });
});
