import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
  RequirementsError,
  parseRequirements,
  readRequirements,
} from '../../../source/services/publish/requirements.js';
import {tempDir} from '../../support/cli.js';

function problemsOf(text: string): string[] {
  try {
    parseRequirements(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RequirementsError);
    return (error as RequirementsError).problems.map(
      (p) => `requirements.txt:${p.line}: ${p.message}`,
    );
  }
  throw new Error('expected requirements.txt to be refused');
}

describe('parseRequirements: accepted', () => {
  test.each<[string, Record<string, unknown>]>([
    ['numpy', {name: 'numpy', specifier: '', extras: [], marker: null, url: null}],
    ['numpy==1.26.4', {name: 'numpy', specifier: '==1.26.4'}],
    ['Pillow >= 10.0 , < 11', {name: 'Pillow', normalizedName: 'pillow', specifier: '>=10.0,<11'}],
    ['scikit_learn~=1.3', {normalizedName: 'scikit-learn', specifier: '~=1.3'}],
    ['zope.interface===5.0', {normalizedName: 'zope-interface', specifier: '===5.0'}],
    ['torch==2.1.*', {specifier: '==2.1.*'}],
    ['torch (>=2.0)', {specifier: '>=2.0'}],
    ['torch==2.1.0+cpu', {specifier: '==2.1.0+cpu'}],
    ['requests[socks, security]>=2.31', {extras: ['socks', 'security'], specifier: '>=2.31'}],
    [
      'tensorflow==2.15; python_version >= "3.9" and platform_machine != "arm64"',
      {specifier: '==2.15', marker: 'python_version >= "3.9" and platform_machine != "arm64"'},
    ],
    [
      "pywin32 ; sys_platform == 'win32' or (os_name == 'nt' and extra == 'win')",
      {specifier: '', marker: "sys_platform == 'win32' or (os_name == 'nt' and extra == 'win')"},
    ],
    ['pkg; "linux" in sys_platform', {marker: '"linux" in sys_platform'}],
    ['pkg; python_version not in "2.7"', {marker: 'python_version not in "2.7"'}],
    [
      'mylib @ https://example.org/wheels/mylib-1.0-py3-none-any.whl',
      {name: 'mylib', url: 'https://example.org/wheels/mylib-1.0-py3-none-any.whl', specifier: ''},
    ],
    [
      'tool @ git+https://github.com/o/tool.git@v1.2 ; python_version >= "3.8"',
      {url: 'git+https://github.com/o/tool.git@v1.2', marker: 'python_version >= "3.8"'},
    ],
    [
      'numpy==1.26.4 --hash=sha256:abc123 --hash sha256:def456',
      {specifier: '==1.26.4', hashes: ['sha256:abc123', 'sha256:def456']},
    ],
  ])('%s', (line, expected) => {
    const result = parseRequirements(`${line}\n`);
    expect(result.requirements).toHaveLength(1);
    expect(result.requirements[0]).toMatchObject({line: 1, ...expected});
  });

  test('comments, blank lines, CRLF, a BOM, continuations and line numbers', () => {
    const text =
      '\uFEFF# pinned\r\n\r\nnumpy==1.26.4  # inline comment\r\nmatplotlib>=3.7, \\\r\n    <4\r\n  # indented comment\r\nurl-pkg @ https://h/p.whl#sha256=ab\r\nlast';
    const result = parseRequirements(text);
    expect(result.requirements.map((r) => [r.line, r.name, r.specifier, r.url])).toEqual([
      [3, 'numpy', '==1.26.4', null],
      [4, 'matplotlib', '>=3.7,<4', null],
      [7, 'url-pkg', '', 'https://h/p.whl#sha256=ab'],
      [8, 'last', '', null],
    ]);
    expect(result.text).toBe(text);
  });

  test('option lines are recognised and returned separately', () => {
    const result = parseRequirements(
      [
        '--index-url https://pypi.example.org/simple',
        '--extra-index-url=https://download.pytorch.org/whl/cpu',
        '-f https://example.org/links.html',
        '--find-links ./wheels/',
        '--no-index',
        '--trusted-host pypi.example.org',
        '--pre',
        '--prefer-binary',
        '--only-binary :all:',
        '--no-binary=lxml',
        'numpy',
      ].join('\n'),
    );
    expect(result.options).toEqual({
      indexUrl: 'https://pypi.example.org/simple',
      extraIndexUrls: ['https://download.pytorch.org/whl/cpu'],
      findLinks: ['https://example.org/links.html', 'wheels'],
      noIndex: true,
      trustedHosts: ['pypi.example.org'],
      pre: true,
      preferBinary: true,
      onlyBinary: [':all:'],
      noBinary: ['lxml'],
    });
    expect(result.localFindLinks).toEqual(['wheels']);
    expect(result.requirements.map((r) => r.name)).toEqual(['numpy']);
  });

  test('an empty file has no requirements and no options', () => {
    const result = parseRequirements('\n# nothing yet\n');
    expect(result.requirements).toEqual([]);
    expect(result.options.noIndex).toBe(false);
    expect(result.present).toBe(true);
  });
});

describe('parseRequirements: refused with the line number', () => {
  test.each<[string, string, RegExp]>([
    [
      'a bad version specifier',
      'numpy==1.26.4\nscipy=1.11\n',
      /^requirements\.txt:2: "=1\.11" is not a version specifier of scipy\. Write e\.g\. scipy==1\.2\.3/,
    ],
    [
      'a name that is not one',
      'numpy\n==1.0\n',
      /^requirements\.txt:2: "==1\.0" does not start with a package name/,
    ],
    [
      'unclosed extras',
      'requests[socks\n',
      /^requirements\.txt:1: the extras of requests are not closed/,
    ],
    [
      'a bad extra',
      'requests[so cks]\n',
      /^requirements\.txt:1: "so cks" is not a valid extra of requests/,
    ],
    [
      'a bad marker variable',
      'pkg; python == "3"\n',
      /^requirements\.txt:1: the environment marker of pkg has "python" where a variable/,
    ],
    [
      'an unfinished marker',
      'pkg; python_version >=\n',
      /^requirements\.txt:1: the environment marker of pkg ends too early/,
    ],
    [
      'an unclosed marker parenthesis',
      'pkg; (os_name == "nt"\n',
      /^requirements\.txt:1: the environment marker of pkg has an unclosed "\("/,
    ],
    [
      '-r',
      '\n-r other.txt\n',
      /^requirements\.txt:2: -r includes another file, but only requirements\.txt is in the image when dependencies install\. Copy that file's lines/,
    ],
    [
      '--constraint',
      '--constraint=c.txt\n',
      /^requirements\.txt:1: --constraint includes another file/,
    ],
    ['-e', '-e .\n', /^requirements\.txt:1: -e installs from a source tree/],
    ['a local path', './libs/mylib\n', /^requirements\.txt:1: \.\/libs\/mylib is a file path/],
    [
      'a local wheel',
      'dist/mylib-1.0-py3-none-any.whl\n',
      /^requirements\.txt:1: dist\/mylib-1\.0-py3-none-any\.whl is a file path/,
    ],
    [
      'a bare URL',
      'https://example.org/mylib-1.0.tar.gz\n',
      /^requirements\.txt:1: https:\/\/example\.org\/mylib-1\.0\.tar\.gz is a URL without a package name\. Write name @ /,
    ],
    [
      'a legacy VCS line',
      'git+https://github.com/o/r.git#egg=tool\n',
      /^requirements\.txt:1: .* is a URL without a package name\. Write tool @ git\+https:\/\/github\.com\/o\/r\.git\.$/,
    ],
    [
      'credentials in an index URL',
      '--index-url https://user:secret@pypi.example.org/simple\n',
      /^requirements\.txt:1: --index-url has credentials in its URL; they would be stored in the image/,
    ],
    [
      'credentials in a requirement URL',
      'lib @ https://tok@example.org/lib.whl\n',
      /^requirements\.txt:1: the URL of lib has credentials in it/,
    ],
    [
      'an environment variable',
      '--extra-index-url https://${TOKEN}@pypi.example.org/simple\n',
      /^requirements\.txt:1: uses an environment variable/,
    ],
    [
      'an unknown option',
      '--use-feature=truststore\n',
      /^requirements\.txt:1: pip option --use-feature is not supported here/,
    ],
    [
      'an option without its value',
      '--index-url\n',
      /^requirements\.txt:1: --index-url needs a value/,
    ],
    [
      'an index that is not a URL',
      '-i pypi.example.org\n',
      /^requirements\.txt:1: -i pypi\.example\.org is not a URL/,
    ],
    [
      'a find-links folder outside the project',
      '--find-links ../wheels\n',
      /^requirements\.txt:1: --find-links \.\.\/wheels is outside the project/,
    ],
    [
      'a find-links file URL',
      '--find-links file:///opt/wheels\n',
      /^requirements\.txt:1: --find-links file:\/\/\/opt\/wheels is a path on this machine/,
    ],
    [
      'an unknown per-requirement option',
      'numpy --global-option=x\n',
      /^requirements\.txt:1: option --global-option=x is not supported after a requirement/,
    ],
    ['a bad hash', 'numpy --hash=md5:abc\n', /^requirements\.txt:1: --hash md5:abc is not a hash/],
    [
      'trailing junk',
      'numpy==1.0 extra\n',
      /^requirements\.txt:1: "==1\.0 extra" is not a version specifier of numpy/,
    ],
  ])('%s', (_name, text, expected) => {
    const found = problemsOf(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  test('every bad line is reported, and the message names each file:line', () => {
    let error: RequirementsError | undefined;
    try {
      parseRequirements('numpy\nscipy=1\nok\n-r x.txt\n');
    } catch (caught) {
      error = caught as RequirementsError;
    }
    expect(error?.problems.map((p) => p.line)).toEqual([2, 4]);
    expect(error?.message).toMatch(
      /^requirements\.txt has 2 problems:\n {2}requirements\.txt:2: .*\n {2}requirements\.txt:4: /,
    );
    expect(error?.hint).toContain('berth publish --dry-run');
  });
});

describe('readRequirements', () => {
  test('a missing requirements.txt means no dependencies, with a note', async () => {
    const dir = tempDir('berth-req-');
    const result = await readRequirements(dir);
    expect(result.present).toBe(false);
    expect(result.requirements).toEqual([]);
    expect(result.notes).toEqual([expect.stringContaining('No requirements.txt')]);
  });

  test("MLReef's misspelled requirement.txt is pointed out instead of ignored", async () => {
    const dir = tempDir('berth-req-');
    writeFileSync(path.join(dir, 'requirement.txt'), 'numpy\n');
    await expect(readRequirements(dir)).rejects.toMatchObject({
      message: 'The project has requirement.txt but no requirements.txt.',
      hint: expect.stringContaining('git mv requirement.txt requirements.txt'),
    });
  });

  test('a --find-links folder must exist in the project', async () => {
    const dir = tempDir('berth-req-');
    writeFileSync(path.join(dir, 'requirements.txt'), 'numpy\n--no-index\n--find-links wheels\n');
    await expect(readRequirements(dir)).rejects.toThrow(
      /requirements\.txt:3: --find-links wheels is not a folder of the project/,
    );
    mkdirSync(path.join(dir, 'wheels'));
    await expect(readRequirements(dir)).resolves.toMatchObject({
      localFindLinks: ['wheels'],
      present: true,
    });
  });
});
