import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
  RequirementsError,
  parseRequirements,
  readRequirements,
} from '../../../source/services/publish/requirements.js';
import {tempDir, tempProject} from '../../support/cli.js';

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

  test.each<[string, Record<string, unknown>]>([
    // Wheel and sdist URLs name their package in the file name; a marker follows "; ".
    [
      'https://github.com/PanQiWei/AutoGPTQ/releases/download/v0.4.2/auto_gptq-0.4.2+cu117-cp310-cp310-linux_x86_64.whl; platform_system == "Linux"',
      {name: 'auto_gptq', normalizedName: 'auto-gptq', marker: 'platform_system == "Linux"'},
    ],
    [
      'https://github.com/explosion/spacy-models/releases/download/en_core_web_sm-3.7.1/en_core_web_sm-3.7.1.tar.gz',
      {name: 'en_core_web_sm', specifier: '', marker: null},
    ],
    [
      'https://download.pytorch.org/whl/cu118/torch-2.1.0%2Bcu118-cp311-cp311-linux_x86_64.whl#sha256=a81b554184492005543ddc32e96469f9369d778dedd195d73bda9bed407d6589',
      {name: 'torch', url: expect.stringContaining('torch-2.1.0%2Bcu118')},
    ],
    // VCS URLs: #egg= names the package; without it pip finds the name when it builds.
    [
      'git+https://github.com/Birch-san/k-diffusion.git@363386981fee88620709cf8f6f2eea167bd6cd74#egg=k_diffusion',
      {name: 'k_diffusion', normalizedName: 'k-diffusion'},
    ],
    [
      'git+https://github.com/huggingface/diffusers@b76d9fde8de381a50d64c401b5d12864a28c5556',
      {name: null, normalizedName: null, url: expect.stringContaining('diffusers@b76d9f')},
    ],
    [
      'git+https://github.com/openai/CLIP.git ; sys_platform != "win32"',
      {name: null, marker: 'sys_platform != "win32"'},
    ],
    [
      'torch==2.1.0 --config-settings="--build-option=--cpp_ext" --hash=sha256:abc',
      {name: 'torch', hashes: ['sha256:abc']},
    ],
  ])('%s', (line, expected) => {
    const result = parseRequirements(`${line}\n`);
    expect(result.requirements).toHaveLength(1);
    expect(result.requirements[0]).toMatchObject({line: 1, file: 'requirements.txt', ...expected});
  });

  test('-r and -c lines are accepted in every spelling pip reads', () => {
    const result = parseRequirements(
      [
        '-r base.txt',
        '--requirement=dev/extra.txt',
        '-rother.txt',
        '-c constraints.txt',
        '--constraint ./pins/more.txt',
        '--require-hashes',
        '--use-feature=truststore',
        'numpy',
      ].join('\n'),
    );
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
      '-e with a VCS URL: the non-editable form is spelled out',
      '-e git+https://github.com/openai/CLIP.git@main#egg=clip\n',
      /^requirements\.txt:1: -e installs an editable checkout, which needs its source tree at run time\. Install it normally instead: write clip @ git\+https:\/\/github\.com\/openai\/CLIP\.git@main$/,
    ],
    [
      '-e . (the project itself)',
      '-e .\n',
      /^requirements\.txt:1: -e \. installs the project itself from its source folder, .* remove this line/,
    ],
    [
      '--editable with a folder',
      '--editable=./libs/mylib\n',
      /^requirements\.txt:1: --editable \.\/libs\/mylib installs from a source folder, .*Build a wheel of it \(pip wheel \.\/libs\/mylib -w wheels\), add --find-links wheels to requirements\.txt, and require the package by name\.$/,
    ],
    [
      'a local path',
      './libs/mylib\n',
      /^requirements\.txt:1: \.\/libs\/mylib is a path on this machine/,
    ],
    [
      'a local wheel',
      'dist/mylib-1.0-py3-none-any.whl\n',
      /^requirements\.txt:1: dist\/mylib-1\.0-py3-none-any\.whl is a path on this machine/,
    ],
    [
      '-r leaving the project',
      '-r ../shared/requirements.txt\n',
      /^requirements\.txt:1: -r \.\.\/shared\/requirements\.txt is outside the project, so it cannot be copied into the image\. Move or copy that requirements file into the project/,
    ],
    [
      '-c with an absolute path',
      '--constraint=/etc/constraints.txt\n',
      /^requirements\.txt:1: --constraint \/etc\/constraints\.txt is outside the project.*Move or copy that constraints file into the project .* and write --constraint with its path there\.$/,
    ],
    [
      '-r with a URL',
      '-r https://example.org/requirements.txt\n',
      /^requirements\.txt:1: -r https:\/\/example\.org\/requirements\.txt is a URL; .* Save that requirements file in the project/,
    ],
    [
      'a git URL over ssh',
      'git+ssh://git@github.com/o/r.git#egg=r\n',
      /^requirements\.txt:1: git\+ssh:\/\/git@github\.com\/o\/r\.git#egg=r needs an SSH key, and images are built without yours/,
    ],
    [
      'a wheel URL whose file name is not a wheel name',
      'https://example.org/mylib.whl\n',
      /^requirements\.txt:1: mylib\.whl is not a wheel file name/,
    ],
    [
      'credentials in an index URL, masked',
      '--index-url https://user:secret@pypi.example.org/simple\n',
      /^requirements\.txt:1: has credentials in it \(--index-url https:\/\/\*\*\*\*@pypi\.example\.org\/simple\); a requirements file is copied into the image/,
    ],
    [
      'a token in a query, masked',
      '-i http://127.0.0.1:8080/simple?token=s3cr3t-value\n',
      /^requirements\.txt:1: has a credential in its query \(-i http:\/\/127\.0\.0\.1:8080\/simple\?token=\*\*\*\*\)/,
    ],
    [
      'a bare token before a VCS host, masked',
      'git+https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/private.git\n',
      /^requirements\.txt:1: has a token in it \(git\+https:\/\/\*\*\*\*@github\.com\/o\/private\.git\)/,
    ],
    [
      'credentials in an unparseable URL, masked',
      'lib @ https://user:p a s s@example.org/lib.whl\n',
      /^requirements\.txt:1: has credentials in it \(lib @ https:\/\/\*\*\*\*@example\.org\/lib\.whl\)/,
    ],
    [
      'an environment variable',
      '--extra-index-url https://${TOKEN}@pypi.example.org/simple\n',
      /^requirements\.txt:1: uses an environment variable/,
    ],
    [
      'an unknown option',
      '--no-deps\n',
      /^requirements\.txt:1: pip option --no-deps is not supported here/,
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
      /^requirements\.txt:1: option --global-option=x is not supported after a requirement \(only --hash and --config-settings are\)/,
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
      parseRequirements('numpy\nscipy=1\nok\n-e x\n');
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

function project(files: Record<string, string>): string {
  return tempProject(files, 'berth-req-');
}

describe('readRequirements: -r and -c, as pip reads them', () => {
  test('nested includes, each path relative to the file that names it, each file once', async () => {
    // Home Assistant's layout: constraints in a package folder, a file per purpose.
    const dir = project({
      'requirements.txt': '-c homeassistant/package_constraints.txt\n-r requirements/base.txt\n',
      'homeassistant/package_constraints.txt':
        '# Automatically generated\nhttplib2>=0.19.0\nuuid==1000000000.0.0\n-c ../pins/extra.txt\n',
      'pins/extra.txt': 'protobuf==4.25.1\n',
      'requirements/base.txt': '-r ml.txt\naiohttp==3.9.5\n',
      'requirements/ml.txt':
        '--extra-index-url https://download.pytorch.org/whl/cu118\ntorch==2.1.0+cu118 ; platform_system == "Linux"\n-r ml.txt\n',
    });
    const result = await readRequirements(dir).catch((e: unknown) => e);
    // ml.txt includes itself: a cycle is named, with the chain.
    expect(result).toBeInstanceOf(RequirementsError);
    expect((result as RequirementsError).problems).toEqual([
      {
        file: 'requirements/ml.txt',
        line: 3,
        message:
          'requirements/ml.txt includes itself (through requirements.txt → requirements/base.txt → requirements/ml.txt). Remove one of the -r/-c lines.',
      },
    ]);

    writeFileSync(
      path.join(dir, 'requirements/ml.txt'),
      'torch==2.1.0+cu118 ; platform_system == "Linux"\n',
    );
    const ok = await readRequirements(dir);
    expect(ok.files.map((f) => [f.path, f.kind])).toEqual([
      ['requirements.txt', 'requirements'],
      ['homeassistant/package_constraints.txt', 'constraints'],
      ['pins/extra.txt', 'constraints'],
      ['requirements/base.txt', 'requirements'],
      ['requirements/ml.txt', 'requirements'],
    ]);
    expect(ok.requirements.map((r) => [r.file, r.line, r.name])).toEqual([
      ['requirements/ml.txt', 1, 'torch'],
      ['requirements/base.txt', 2, 'aiohttp'],
    ]);
    expect(ok.constraints.map((r) => r.name)).toEqual(['httplib2', 'uuid', 'protobuf']);
    expect(ok.files[1]!.text).toContain('uuid==1000000000.0.0');
  });

  test('a problem in an included file names that file and line', async () => {
    const dir = project({
      'requirements.txt': 'numpy\n-r reqs/extra.txt\n',
      'reqs/extra.txt': 'scipy\nPillow=10\n',
    });
    await expect(readRequirements(dir)).rejects.toThrow(
      /reqs\/extra\.txt:2: "=10" is not a version specifier of Pillow/,
    );
  });

  test('a missing included file is named with the line that includes it', async () => {
    const dir = project({'requirements.txt': '\n-r base.txt\n'});
    await expect(readRequirements(dir)).rejects.toMatchObject({
      message: 'requirements.txt:2: base.txt does not exist in the project.',
    });
  });

  test('a path that leaves the project through ../ is refused', async () => {
    const dir = project({
      'requirements/dev.txt': '-r ../../outside.txt\n',
      'requirements.txt': '-r requirements/dev.txt\n',
    });
    await expect(readRequirements(dir)).rejects.toThrow(
      /requirements\/dev\.txt:1: -r \.\.\/\.\.\/outside\.txt is outside the project/,
    );
  });

  test('symbolic links out of the project are never followed, nor their target quoted', async () => {
    const outside = project({shadow: 'root:$6$secret-hash:19000:0:99999:7:::\n'});
    const dir = project({'requirements.txt': '-r base.txt\n'});
    symlinkSync(path.join(outside, 'shadow'), path.join(dir, 'base.txt'));
    const included = (await readRequirements(dir).catch((e: unknown) => e)) as Error;
    expect(included.message).toBe(
      'requirements.txt:1: base.txt is a symbolic link that leads out of the project; berth does not follow it.',
    );

    const rootLink = project({});
    symlinkSync(path.join(outside, 'shadow'), path.join(rootLink, 'requirements.txt'));
    const root = (await readRequirements(rootLink).catch((e: unknown) => e)) as Error;
    expect(root.message).toMatch(
      /^requirements\.txt is a symbolic link that leads out of the project/,
    );
    expect(root.message).not.toContain('secret-hash');

    // A link inside the project is fine: pip would read the same file.
    const inside = project({'reqs/prod.txt': 'numpy\n'});
    symlinkSync('reqs/prod.txt', path.join(inside, 'requirements.txt'));
    expect((await readRequirements(inside)).requirements.map((r) => r.name)).toEqual(['numpy']);
  });

  test('an InvokeAI-style requirements.txt: index options, markers, VCS lines and an include', async () => {
    const dir = project({
      'requirements.txt': [
        '# pinned for CUDA 11.7',
        '--extra-index-url https://download.pytorch.org/whl/cu117',
        '--trusted-host https://download.pytorch.org',
        '-r environments-and-requirements/requirements-base.txt',
        'torch==1.13.1 ; platform_system == "Windows"',
        'torchvision==0.14.1 ; platform_system == "Windows"',
        'git+https://github.com/openai/CLIP.git@main#egg=clip',
        'git+https://github.com/invoke-ai/k-diffusion.git@mps#egg=k_diffusion',
        '',
      ].join('\n'),
      'environments-and-requirements/requirements-base.txt': [
        'albumentations',
        'diffusers[torch]~=0.11',
        'einops',
        'numpy<1.24',
        'opencv-python',
        'pytorch-lightning==1.7.7',
        'realesrgan',
        'send2trash',
        'transformers~=4.25',
        'picklescan',
        '',
      ].join('\n'),
    });
    const result = await readRequirements(dir);
    expect(result.options.extraIndexUrls).toEqual(['https://download.pytorch.org/whl/cu117']);
    expect(result.requirements.map((r) => r.name)).toEqual([
      // pip's order: the included file's lines where the -r line is.
      'albumentations',
      'diffusers',
      'einops',
      'numpy',
      'opencv-python',
      'pytorch-lightning',
      'realesrgan',
      'send2trash',
      'transformers',
      'picklescan',
      'torch',
      'torchvision',
      'clip',
      'k_diffusion',
    ]);
  });
});
