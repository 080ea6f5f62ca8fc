import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
  buildContextFiles,
  isIgnored,
  parseDockerignore,
} from '../../../source/services/publish/context.js';
import {tempDir} from '../../support/cli.js';

function project(files: Record<string, string>): string {
  const dir = tempDir('berth-context-');
  for (const [file, content] of Object.entries(files)) {
    const absolute = path.join(dir, ...file.split('/'));
    mkdirSync(path.dirname(absolute), {recursive: true});
    writeFileSync(absolute, content);
  }
  return dir;
}

describe('.dockerignore patterns (Docker semantics)', () => {
  test.each<[string, string, boolean]>([
    // pattern, path, ignored
    ['*.pyc', 'a.pyc', true],
    ['*.pyc', 'pkg/a.pyc', false], // anchored at the root, unlike .gitignore
    ['**/*.pyc', 'pkg/deep/a.pyc', true],
    ['**/*.pyc', 'a.pyc', true],
    ['data', 'data/train/img.png', true], // a folder excludes its contents
    ['data/', 'data/img.png', true], // trailing slash changes nothing
    ['/data', 'data/img.png', true], // neither does a leading slash
    ['data', 'src/data/img.png', false],
    ['**/data', 'src/data/img.png', true],
    ['src/*/test.py', 'src/a/test.py', true],
    ['src/*/test.py', 'src/a/b/test.py', false],
    ['src/**/test.py', 'src/a/b/test.py', true],
    ['src/**/test.py', 'src/test.py', true],
    ['logs/**', 'logs/a/b.txt', true],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[ab].txt', 'b.txt', true],
    ['[^ab].txt', 'b.txt', false],
    ['[^ab].txt', 'c.txt', true],
    ['[a-c]x', 'bx', true],
    ['file.(1).txt', 'file.(1).txt', true],
    ['file.txt', 'fileatxt', false], // the dot is literal
    ['./notes.md', 'notes.md', true],
    ['a/../b.txt', 'b.txt', true],
  ])('%s on %s → %s', (pattern, file, ignored) => {
    expect(isIgnored(file, parseDockerignore(pattern))).toBe(ignored);
  });

  test('! re-includes, and the last matching pattern wins', () => {
    const patterns = parseDockerignore('*.md\n!README.md\nREADME.md\n!keep/**\nkeep/secret.txt\n');
    expect(isIgnored('NOTES.md', patterns)).toBe(true);
    expect(isIgnored('README.md', patterns)).toBe(true);
    expect(isIgnored('keep/a.txt', patterns)).toBe(false);
    expect(isIgnored('keep/secret.txt', patterns)).toBe(true);
    const reinclude = parseDockerignore('data\n!data/keep.csv\n');
    expect(isIgnored('data/drop.csv', reinclude)).toBe(true);
    expect(isIgnored('data/keep.csv', reinclude)).toBe(false);
  });

  test('comments, blank lines, surrounding spaces and CRLF', () => {
    const patterns = parseDockerignore('# comment\r\n\r\n   *.log   \r\n! important.log\r\n');
    expect(patterns.map((p) => [p.pattern, p.exclusion])).toEqual([
      ['*.log', false],
      ['important.log', true],
    ]);
    expect(isIgnored('a.log', patterns)).toBe(true);
    expect(isIgnored('important.log', patterns)).toBe(false);
  });
});

describe('buildContextFiles', () => {
  test('excludes tool state, caches and virtual environments; sorted by path', async () => {
    const dir = project({
      'train.py': 'x',
      'requirements.txt': 'numpy\n',
      'utils/__init__.py': '',
      'utils/__pycache__/x.cpython-311.pyc': 'x',
      '.git/HEAD': 'ref',
      '.berth/config.yaml': 'active_profile: p\n',
      'venv/bin/python': 'x',
      '.venv/bin/python': 'x',
      'myenv/pyvenv.cfg': 'home = /usr\n',
      'myenv/lib/x.py': 'x',
      '.github/workflows/ci.yml': 'on: push\n',
      'B.txt': 'upper case sorts first',
    });
    const files = await buildContextFiles(dir);
    expect(files.map((f) => f.path)).toEqual([
      '.github/workflows/ci.yml',
      'B.txt',
      'requirements.txt',
      'train.py',
      'utils/__init__.py',
    ]);
  });

  test('honours .dockerignore, including re-included files inside excluded folders', async () => {
    const dir = project({
      '.dockerignore': '# data stays out\ndata/\n*.ipynb\n**/*.log\n!data/labels.csv\n',
      'train.py': 'x',
      'explore.ipynb': '{}',
      'sub/explore.ipynb': '{}',
      'data/img/1.png': 'png',
      'data/labels.csv': 'a,b',
      'logs/run.log': 'x',
      'run.log': 'x',
    });
    const files = await buildContextFiles(dir);
    expect(files.map((f) => f.path)).toEqual([
      '.dockerignore',
      'data/labels.csv',
      'sub/explore.ipynb',
      'train.py',
    ]);
  });

  test('keeps executable bits and symlinks as links', async () => {
    const dir = project({'run.sh': '#!/bin/sh\n', 'train.py': 'x'});
    chmodSync(path.join(dir, 'run.sh'), 0o755);
    symlinkSync('train.py', path.join(dir, 'main.py'));
    const files = await buildContextFiles(dir);
    expect(files).toEqual([
      {path: 'main.py', type: 'symlink', mode: expect.any(Number), size: 0, linkTarget: 'train.py'},
      {path: 'run.sh', type: 'file', mode: 0o755, size: 10},
      {path: 'train.py', type: 'file', mode: expect.any(Number), size: 1},
    ]);
  });
});
