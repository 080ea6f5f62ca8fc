// Fuzzing names and .berth/config.yaml values through the built CLI. Names are generated from
// hostile pieces (unicode, controls, bidi, path separators, shell and format characters, very
// long) by a seeded generator: BERTH_FUZZ_SEED=N reproduces a run, and the seed is in each
// test's name. Every outcome is a clean one: exit 0 for a valid name, else 1 or 2 with an
// "Error:" line, never a crash, never a raw control character, no file outside the config dir,
// and nothing written for a refused name.
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {runBerth, tempDir, type RunResult} from '../support/cli.js';
import {expectInert, hostile} from '../support/hostile.js';

const seed = Number(process.env.BERTH_FUZZ_SEED ?? 20261202);

/** mulberry32: small, seeded, good enough to pick pieces. */
function generator(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pieces = [
  ...hostile.filter((piece) => piece !== '\ud800'),
  'ok',
  'é',
  '日本',
  '😀',
  'ﬁ', // a ligature that NFKC folds to "fi"
  'ｓｔａｃｋ', // full-width letters
  '/',
  '\\',
  '..',
  '../',
  '.',
  '-',
  ' ',
  '\t',
  '\n',
  '$(id)',
  '`id`',
  '%s%n',
  '"',
  "'",
  '*',
  '~',
  ':',
  'x'.repeat(70),
];

/** Names a user could type or paste: one to four pieces (a few are valid on purpose). */
function names(count: number): string[] {
  const random = generator(seed);
  const pick = () => pieces[Math.floor(random() * pieces.length)]!;
  const found = new Set<string>(['fuzz-ok_1', '.hidden', '-flag', 'x'.repeat(65)]);
  while (found.size < count) {
    const parts = 1 + Math.floor(random() * 4);
    found.add(Array.from({length: parts}, pick).join(''));
  }
  return [...found];
}

/** berth's name rule, as documented: letters, digits, `.`, `-`, `_`, not first `.`/`-`, ≤ 64. */
const valid = (name: string) => name.length <= 64 && /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name);

let base: string;
let configDir: string;
const berth = (args: string[], cwd?: string): Promise<RunResult> =>
  runBerth(args, {cwd: cwd ?? base, env: {BERTH_CONFIG_DIR: configDir}, timeoutMs: 60_000});

/** A clean outcome: 0, or 1/2 with one "Error:" message; no crash; nothing a terminal obeys. */
function expectClean(result: RunResult, allowed: number[]): void {
  const both = `${result.stdout}\n${result.stderr}`;
  expect(allowed, both).toContain(result.code);
  expect(both).not.toMatch(/berth hit a bug|Unhandled| {4}at .*:\d+:\d+/);
  if (result.code !== 0) expect(result.stderr).toMatch(/^Error: /m);
  expectInert(both);
}

beforeAll(async () => {
  base = tempDir('berth-fuzz-');
  configDir = path.join(base, 'config');
  expect((await berth(['stack', 'list'])).code).toBe(0);
});

describe(`generated names (BERTH_FUZZ_SEED=${seed})`, () => {
  const generated = names(12);

  it('stack register, stack set and profile create: clean outcomes; only valid names stored', async () => {
    const registered: string[] = [];
    const created: string[] = [];
    for (const name of generated) {
      const register = await berth(['stack', 'register', name]);
      expectClean(register, valid(name) ? [0] : [2]);
      if (register.code === 0) registered.push(name);
      const set = await berth(['stack', 'set', name]);
      expectClean(set, valid(name) ? [0] : [1, 2]);
      const create = await berth(['profile', 'create', name]);
      expectClean(create, valid(name) ? [0] : [2]);
      if (create.code === 0) created.push(name);
    }
    expect(registered).toContain('fuzz-ok_1');

    const stacks = (await berth(['stack', 'list', '--json'])).json<Array<{name: string}>>();
    expect(stacks.map((stack) => stack.name).sort()).toEqual(['default', ...registered].sort());
    const profiles = (await berth(['profile', 'list', '--json'])).json<Array<{name: string}>>();
    expect(profiles.map((profile) => profile.name).sort()).toEqual(['default', ...created].sort());
    // Nothing escaped the config dir (../ in a name), and one store per profile, nothing else.
    expect(readdirSync(base)).toEqual(['config']);
    const stores = readdirSync(path.join(configDir, 'profiles')).filter((f) => f.endsWith('.db'));
    expect(stores.sort()).toEqual(['default', ...created].map((name) => `${name}.db`).sort());
  }, 300_000);
});

describe(`generated .berth/config.yaml values (BERTH_FUZZ_SEED=${seed})`, () => {
  /** A YAML double-quoted scalar: every character escaped, so NUL and controls get through. */
  const quoted = (value: string) =>
    `"${[...value].map((c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`).join('')}"`;

  const values = [...names(6), '\u0000', 'default\u0000x'].filter((v) => !v.includes('\ud800'));

  it('status and stack list: a warning or a clear error naming the file; the file is left as it was', async () => {
    const project = path.join(base, 'project');
    mkdirSync(path.join(project, '.berth'), {recursive: true});
    const file = path.join(project, '.berth', 'config.yaml');
    for (const value of values) {
      for (const key of ['active_stack', 'active_profile']) {
        const text = `${key}: ${quoted(value)}\n`;
        writeFileSync(file, text);
        for (const args of [['status'], ['stack', 'list']]) {
          const result = await berth(args, project);
          expectClean(result, [0, 1, 2]);
          if (result.code !== 0 || !valid(value)) expect(result.stderr).toContain(file);
          expect(readFileSync(file, 'utf8')).toBe(text);
        }
      }
    }
    expect(existsSync(path.join(project, '.berth', 'config.yaml'))).toBe(true);
  }, 300_000);
});
