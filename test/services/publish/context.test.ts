import {chmodSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {buildContext, buildContextFiles} from '../../../source/services/publish/context.js';
import {isIgnored, parseDockerignore} from '../../../source/lib/docker-patterns.js';
import {cliVocabulary} from '../../../source/commands/context.js';
import {renderText} from '../../../source/lib/errors.js';
import {tempProject} from '../../support/cli.js';
import {runGit} from '../../support/git.js';

function project(files: Record<string, string>): string {
  return tempProject(files, 'berth-context-');
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
  test('a project of thousands of files is read while the event loop keeps turning (a screen keeps drawing)', async () => {
    const data = Array.from({length: 5000}, (_, i) => [`data/${i % 50}/f${i}.txt`, 'x']);
    const dir = project({'train.py': 'x', ...Object.fromEntries(data)});
    let turns = 0;
    let counting = true;
    const turn = () => {
      if (!counting) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const context = await buildContext(dir, {listIgnored: async () => []});
    counting = false;
    expect(context.files).toHaveLength(5001);
    expect(turns).toBeGreaterThanOrEqual(2);
  });
});

describe('buildContext: secrets and files git ignores stay out, and the dry run says why', () => {
  const secrets = {
    '.env': 'OPENAI_API_KEY=sk-live\n',
    '.env.production': 'DB_PASSWORD=x\n',
    '.env.example': 'OPENAI_API_KEY=\n',
    id_rsa: '-----BEGIN OPENSSH PRIVATE KEY-----\n',
    '.ssh/id_ed25519': 'key',
    '.aws/credentials': '[default]\naws_secret_access_key=x\n',
    '.netrc': 'machine h login u password p\n',
    'kaggle.json': '{"username":"u","key":"k"}',
    'certs/server.key': 'key',
    'train.py': 'x',
  };

  test('outside git: secret files are left out even when .dockerignore re-includes everything', async () => {
    const dir = project({...secrets, '.dockerignore': '!*\n'});
    const context = await buildContext(dir);
    expect(context.files.map((f) => f.path)).toEqual(['.dockerignore', '.env.example', 'train.py']);
    // The CLI names the field that sends a secret anyway as its flag.
    const asCli = context.excluded.map((e) => ({
      ...e,
      reason: renderText(e.reason, cliVocabulary),
    }));
    expect(asCli).toEqual([
      {
        path: '.aws/',
        kind: 'secret',
        reason: '.aws/ holds credentials; pass --include .aws to send it',
      },
      {
        path: '.env',
        kind: 'secret',
        reason: '.env looks like a secret file; pass --include .env to send it',
      },
      {
        path: '.env.production',
        kind: 'secret',
        reason:
          '.env.production looks like a secret file; pass --include .env.production to send it',
      },
      {
        path: '.netrc',
        kind: 'secret',
        reason: '.netrc looks like a secret file; pass --include .netrc to send it',
      },
      {
        path: '.ssh/',
        kind: 'secret',
        reason: '.ssh/ holds credentials; pass --include .ssh to send it',
      },
      {
        path: 'certs/server.key',
        kind: 'secret',
        reason: 'server.key looks like a secret file; pass --include certs/server.key to send it',
      },
      {
        path: 'id_rsa',
        kind: 'secret',
        reason: 'id_rsa looks like a secret file; pass --include id_rsa to send it',
      },
      {
        path: 'kaggle.json',
        kind: 'secret',
        reason: 'kaggle.json looks like a secret file; pass --include kaggle.json to send it',
      },
    ]);
    expect(context.excludedCount).toBe(8);
  });

  test('an explicit include sends exactly the files it names', async () => {
    const dir = project(secrets);
    const context = await buildContext(dir, {include: ['kaggle.json', '.aws/credentials']});
    expect(context.files.map((f) => f.path)).toEqual([
      '.aws/credentials',
      '.env.example',
      'kaggle.json',
      'train.py',
    ]);
  });

  test('in a git checkout: what .gitignore lists stays out, unless .dockerignore brings it back', async () => {
    const dir = project({
      ...secrets,
      '.gitignore': '.env\ndata/\n*.ckpt\nsettings.local.py\n',
      'data/train/1.png': 'png',
      'model.ckpt': 'weights',
      'settings.local.py': 'TOKEN = "x"\n',
      'wheels/pkg-1.0-py3-none-any.whl': 'wheel',
      '.dockerignore': '!model.ckpt\n',
    });
    runGit(dir, 'init', '-q');
    writeFileSync(
      path.join(dir, '.gitignore'),
      '.env\ndata/\n*.ckpt\nsettings.local.py\nwheels/\n',
    );
    const context = await buildContext(dir, {needed: ['wheels']});
    expect(context.files.map((f) => f.path)).toEqual([
      '.dockerignore',
      '.env.example',
      '.gitignore',
      'model.ckpt',
      'train.py',
      'wheels/pkg-1.0-py3-none-any.whl',
    ]);
    expect(context.excluded.filter((e) => e.kind === 'git-ignored')).toEqual([
      {path: 'data/', kind: 'git-ignored', reason: 'ignored by git'},
      {
        path: 'settings.local.py',
        kind: 'git-ignored',
        reason: 'ignored by git; add !settings.local.py to .dockerignore to send it',
      },
    ]);
    // A secret git ignores is still a secret: only --include sends it.
    expect(context.excluded.find((e) => e.path === '.env')?.kind).toBe('secret');
  });

  test('outside git, .gitignore files still say what to keep out', async () => {
    const dir = project({
      '.gitignore': 'outputs/\n',
      'outputs/run1/metrics.json': '{}',
      'train.py': 'x',
    });
    const context = await buildContext(dir);
    expect(context.files.map((f) => f.path)).toEqual(['.gitignore', 'train.py']);
    expect(context.excluded).toEqual([
      {path: 'outputs/', kind: 'git-ignored', reason: 'ignored by git'},
    ]);
  });
});
