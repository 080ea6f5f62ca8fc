// Fuzz tests of the two parsers that read user files: random and deeply nested input must be
// accepted or refused with a bounded message, never crash, exhaust a capped heap or hang. Each
// batch runs in a worker thread with a 512 MB heap; the deadline only catches a hang (the
// speed targets are in bench/parsers.mjs).
import {mkdirSync, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {Worker} from 'node:worker_threads';
import {build} from 'esbuild';
import {beforeAll, describe, expect, test} from 'vitest';
import {repoRoot} from '../../support/cli.js';
import type {FuzzOutcome, FuzzRequest} from '../../support/parser-fuzz-worker.js';

const HEAP_MB = 512;
const HANG_DEADLINE_MS = 120_000;
/** No refusal may print more than this, whatever the input (100,000 decorators printed 8.7 MB). */
const MAX_MESSAGE = 16 * 1024;

let workerFile = '';

beforeAll(async () => {
  const outdir = path.join(repoRoot, 'node_modules/.cache/berth-test');
  mkdirSync(outdir, {recursive: true});
  workerFile = path.join(outdir, `parser-fuzz-worker-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(repoRoot, 'test/support/parser-fuzz-worker.ts')],
    outfile: workerFile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'warning',
  });
});

function runInWorker(request: FuzzRequest): Promise<FuzzOutcome[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, {resourceLimits: {maxOldGenerationSizeMb: HEAP_MB}});
    const deadline = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the ${request.parser} parser did not finish: a hang`));
    }, HANG_DEADLINE_MS);
    worker.once('message', (outcomes: FuzzOutcome[]) => {
      clearTimeout(deadline);
      void worker.terminate();
      resolve(outcomes);
    });
    worker.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    worker.postMessage(request);
  });
}

/** mulberry32: the same inputs on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function soup(next: () => number, pieces: string[], length: number): string {
  let text = '';
  while (text.length < length) text += pieces[Math.floor(next() * pieces.length)];
  return text;
}

const PYTHON_PIECES = [
  '@data_processor(',
  '@parameter(',
  'name=',
  '"x"',
  "'y'",
  '"""',
  "f'{",
  '}',
  '(',
  ')',
  '[',
  ']',
  '{',
  ',',
  ':',
  '=',
  '\n',
  '\n    ',
  '\t',
  '\\',
  '#',
  'def f():',
  'print ',
  'lambda ',
  '1.',
  '0x',
  '07',
  ' ',
  'é',
  '\u202e',
  '\0',
  '🙂',
  '\r\n',
];

const REQUIREMENT_PIECES = [
  'numpy',
  '==',
  '>=1.0',
  ',',
  ';',
  ' ; ',
  'python_version',
  '"3.8"',
  '(',
  ')',
  ' and ',
  ' or ',
  '[',
  ']',
  '@',
  'https://',
  'git+https://',
  'user:pw@',
  '?token=',
  '#egg=',
  '-r ',
  '-c ',
  '-e ',
  '--hash=sha256:',
  '\\\n',
  '\n',
  '#',
  ' ',
  '${X}',
  '../',
  'a.b-c_d',
  '.whl',
  '\u202e',
];

/** Every file of the sample projects (real MLReef code) whose name passes `keep`. */
function fixtureFiles(keep: (name: string) => boolean): string[] {
  const root = path.join(repoRoot, 'test/fixtures/projects');
  return readdirSync(root, {recursive: true, encoding: 'utf8'})
    .filter((file) => keep(path.basename(file)))
    .sort()
    .map((file) => readFileSync(path.join(root, file), 'utf8'));
}

/**
 * A real file after 1–8 random edits of the kinds a bad save, a merge or a paste makes: a range
 * deleted, duplicated, moved or cut off, a piece of syntax inserted, a character replaced.
 */
function mutate(next: () => number, text: string, pieces: string[]): string {
  const at = (limit: number) => Math.floor(next() * (limit + 1));
  let result = text;
  for (let edits = 1 + at(7); edits > 0; edits--) {
    const from = at(result.length);
    const to = Math.min(result.length, from + at(200));
    const piece = pieces[at(pieces.length - 1)]!;
    switch (at(5)) {
      case 0:
        result = result.slice(0, from) + result.slice(to);
        break;
      case 1:
        result = result.slice(0, to) + result.slice(from, to).repeat(1 + at(50)) + result.slice(to);
        break;
      case 2: {
        const moved = result.slice(from, to);
        const rest = result.slice(0, from) + result.slice(to);
        const where = at(rest.length);
        result = rest.slice(0, where) + moved + rest.slice(where);
        break;
      }
      case 3:
        result = result.slice(0, from);
        break;
      case 4:
        result = result.slice(0, from) + piece.repeat(1 + at(3)) + result.slice(from);
        break;
      default:
        result = result.slice(0, from) + String.fromCharCode(at(0x2fff)) + result.slice(from + 1);
    }
  }
  return result;
}

function mutations(seed: number, files: string[], count: number, pieces: string[]): string[] {
  const next = random(seed);
  return Array.from({length: count}, (_, i) => mutate(next, files[i % files.length]!, pieces));
}

/** The first problem of a refusal, or the outcome. */
function firstLine(outcome: FuzzOutcome): string {
  return outcome.outcome === 'refused' ? outcome.firstLine.trim() : outcome.outcome;
}

function checkOutcomes(outcomes: FuzzOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.outcome === 'crashed') throw new Error(`the parser crashed: ${outcome.error}`);
    if (outcome.outcome === 'refused') expect(outcome.messageLength).toBeLessThan(MAX_MESSAGE);
  }
}

describe('the annotation parser on hostile input', () => {
  test('deep nesting, huge files and floods of decorators are refused, each naming the limit', async () => {
    const header = '@data_processor(name="x")\n';
    const inputs = [
      `x = ${'('.repeat(1_000_000)}`,
      '('.repeat(5_000_000),
      `${header}${'@parameter("a", "int")\n'.repeat(100_000)}def f():\n    pass\n`,
      `${header}${'@parameter("a", "int")\n'.repeat(40_000)}def f():\n    pass\n`,
      `${header}@parameter("l", "list", False, "${'['.repeat(300_000)}")\ndef f():\n    pass\n`,
      `${header}def f():\n${Array.from({length: 150}, (_, i) => `${' '.repeat(i + 1)}if x:\n`).join('')}`,
    ];
    const outcomes = await runInWorker({parser: 'annotations', inputs});
    checkOutcomes(outcomes);
    expect(outcomes.map(firstLine)).toEqual([
      'fuzz.py:1:205: too many nested parentheses (Python allows 200)',
      'fuzz.py:1:1: is 4.8 MiB; berth reads entry points up to 1.0 MiB. Move code into modules the entry point imports.',
      'fuzz.py:1:1: is 2.2 MiB; berth reads entry points up to 1.0 MiB. Move code into modules the entry point imports.',
      'fuzz.py:2001:1: has more than 2000 decorators; berth reads at most 2000',
      `fuzz.py:2:32: @parameter "l": default "${'['.repeat(159)}…${'['.repeat(19)}" is not a list. Write a list, e.g. defaultValue=[] or defaultValue=["a", "b"].`,
      'fuzz.py:102:101: too many levels of indentation (Python allows 100)',
    ]);
  });

  test('long flat input: long expressions, a huge string, operator runs, a flood of bad lines', async () => {
    const module = '@data_processor(name="x")\ndef f():\n    pass\n';
    const inputs = [
      `${module}x = ${'1 + '.repeat(200_000)}1\n`,
      `${module}s = "${'a'.repeat(900_000)}"\n`,
      `${module}x = a${'.b'.repeat(300_000)}\n`,
      `${module}x = ${'not '.repeat(200_000)}y\n`,
      `${module}${'f"""{'.repeat(100_000)}`,
      `${module}${'x x x x\n'.repeat(100_000)}`,
    ];
    const outcomes = await runInWorker({parser: 'annotations', inputs});
    checkOutcomes(outcomes);
    expect(outcomes.map(firstLine)).toEqual([
      'fuzz.py:4:200001: has a statement of more than 100000 tokens; berth reads at most 100000',
      'accepted',
      'fuzz.py:4:100003: has a statement of more than 100000 tokens; berth reads at most 100000',
      'fuzz.py:4:4005: has more than 1000 operators in a row; berth reads at most 1000',
      'fuzz.py:4:2010: too many nested parentheses (Python allows 200)',
      // Lezer recovers from every error, slowly: berth stops at the first.
      'fuzz.py:4:3: invalid syntax at "x"',
    ]);
  });

  test('random token soup: 400 inputs up to 20,000 characters', async () => {
    const next = random(20_251_201);
    const inputs = Array.from({length: 400}, () =>
      soup(next, PYTHON_PIECES, Math.floor(next() * 20_000)),
    );
    checkOutcomes(await runInWorker({parser: 'annotations', inputs}));
  });
});

test("random edits of the sample projects' entry points: read or refused, never a crash", async () => {
  const files = fixtureFiles((name) => name.endsWith('.py'));
  expect(files.length).toBeGreaterThanOrEqual(5);
  const inputs = mutations(20_251_203, files, 600, PYTHON_PIECES);
  const outcomes = await runInWorker({parser: 'annotations', inputs});
  checkOutcomes(outcomes);
  // The edits must exercise both paths, or the test proves little.
  const refused = outcomes.filter((o) => o.outcome === 'refused').length;
  expect(refused).toBeGreaterThan(60);
  expect(refused).toBeLessThan(600);
});

describe('the requirements parser on hostile input', () => {
  test('deeply nested markers, floods of bad lines and very long lines are refused, bounded', async () => {
    const inputs = [
      `pkg; ${'('.repeat(6000)}os_name == "nt"${')'.repeat(6000)}\n`,
      'scipy=1\n'.repeat(100_000),
      `numpy${' '.repeat(1_000_000)}x\n`,
      `-i https://${'a.'.repeat(400_000)}\n`,
      `x ${';'.repeat(500_000)}\n`,
      `${'a.'.repeat(300_000)}://x\n`,
      `-i http://h/?${'&k'.repeat(300_000)}\n`,
      'x'.repeat(2_000_000),
    ];
    const outcomes = await runInWorker({parser: 'requirements', inputs});
    checkOutcomes(outcomes);
    // Long but valid URLs are accepted; the point is that nothing takes long or prints much.
    expect(outcomes.map((o) => o.outcome)).toEqual([
      'refused',
      'refused',
      'refused',
      'accepted',
      'refused',
      'refused',
      'accepted',
      'refused',
    ]);
    expect(firstLine(outcomes.at(-1)!)).toBe(
      'requirements.txt:1: is 1.9 MiB; berth reads requirements files up to 1.0 MiB.',
    );
    const [marker, flood] = outcomes as [
      FuzzOutcome & {firstLine: string},
      FuzzOutcome & {firstLine: string},
    ];
    expect(marker.firstLine).toBe(
      '  requirements.txt:1: the environment marker of pkg nests parentheses more than 32 deep; berth reads at most 32. Write e.g. ; python_version >= "3.8".',
    );
    expect(flood.firstLine).toMatch(
      /^ {2}requirements\.txt:1: "=1" is not a version specifier of scipy/,
    );
  });

  test('random token soup: 400 inputs up to 20,000 characters', async () => {
    const next = random(20_251_202);
    const inputs = Array.from({length: 400}, () =>
      soup(next, REQUIREMENT_PIECES, Math.floor(next() * 20_000)),
    );
    checkOutcomes(await runInWorker({parser: 'requirements', inputs}));
  });
});

test("random edits of the sample projects' requirements files: read or refused, never a crash", async () => {
  const files = fixtureFiles((name) => name === 'requirements.txt');
  expect(files.length).toBeGreaterThanOrEqual(4);
  const inputs = mutations(20_251_204, files, 600, REQUIREMENT_PIECES);
  const outcomes = await runInWorker({parser: 'requirements', inputs});
  checkOutcomes(outcomes);
  const refused = outcomes.filter((o) => o.outcome === 'refused').length;
  expect(refused).toBeGreaterThan(60);
  expect(refused).toBeLessThan(600);
});
