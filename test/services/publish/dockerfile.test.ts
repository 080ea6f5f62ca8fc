import {describe, expect, test} from 'vitest';
import {FieldError} from '../../../source/lib/errors.js';
import type {ModuleSchema} from '../../../source/models/module.js';
import {
  DEFAULT_BASE_IMAGE,
  DOCKERFILE_TEMPLATE_VERSION,
  dependencyChecksum,
  generateDockerfile,
  type DockerfileInput,
} from '../../../source/services/publish/dockerfile.js';

const schema: ModuleSchema = {
  name: 'Image "Rotation" $HOME',
  slug: 'image-rotation-home',
  description: 'Rotates\nimages by \\ degrees',
  kind: 'data-processor',
  entryPoint: 'src/rotate.py',
  function: 'rotate',
  parameters: [{name: 'angle', type: 'float', required: false, defaultValue: 90, description: ''}],
  metadata: {author: 'MLReef'},
};

function full(overrides: Partial<DockerfileInput> = {}): string {
  return generateDockerfile({
    mode: 'full',
    baseImage: 'berth-test/python:3.11',
    entryPoint: 'src/rotate.py',
    requirements: {present: true},
    berthVersion: '0.1.0',
    schema,
    commit: 'a'.repeat(40),
    moduleVersion: '3',
    ...overrides,
  });
}

/** The instruction keywords in order, e.g. ['FROM', 'ENV', 'WORKDIR', ...]. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(' '))
    .map((l) => l.split(' ')[0]!);
}

/** A label of the one LABEL instruction (`key="value"` per continuation line), unescaped. */
function label(dockerfile: string, key: string): string | undefined {
  const line = dockerfile
    .split('\n')
    .map((l) => l.replace(/^(LABEL)? +/, '').replace(/ \\$/, ''))
    .find((l) => l.startsWith(`${key}="`));
  if (!line) return undefined;
  const quoted = line.slice(`${key}="`.length, -1);
  return quoted.replace(/\\([\\"$])/g, '$1');
}

describe('generateDockerfile: full image', () => {
  test('by how often each part changes: ENTRYPOINT → requirements COPY → pip → code COPY → one LABEL', () => {
    const dockerfile = full();
    const lines = dockerfile.split('\n');
    const index = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(lines[1]).toBe('FROM berth-test/python:3.11');
    expect(index('WORKDIR /berth/module')).toBeGreaterThan(index('FROM '));
    // requirements.txt, the files it includes and the wheel folders, in one layer before pip.
    expect(lines[index('COPY ["deps/"')]).toBe('COPY ["deps/","./"]');
    expect(index('COPY ["deps/"')).toBeGreaterThan(index('WORKDIR'));
    expect(index('RUN ')).toBeGreaterThan(index('COPY ["deps/"'));
    expect(index('COPY ["code/","./"]')).toBeGreaterThan(index('RUN '));
    expect(index('LABEL ')).toBeGreaterThan(index('COPY ["code/","./"]'));
    expect(lines.filter((l) => l.startsWith('COPY ["code/","./"]'))).toHaveLength(1);
    // Metadata costs no step after the code: the ENTRYPOINT comes before the dependencies, and
    // every label is in one instruction at the end.
    expect(lines[index('ENTRYPOINT')]).toBe('ENTRYPOINT ["python3","/berth/module/src/rotate.py"]');
    expect(index('ENTRYPOINT')).toBeLessThan(index('COPY ["deps/"'));
    expect(instructions(dockerfile).filter((i) => i === 'LABEL')).toHaveLength(1);
    expect(instructions(dockerfile).at(-1)).toBe('LABEL');
  });

  test("pip's cache is a BuildKit cache mount, never in a layer; quiet on Debian and as root", () => {
    const lines = full().split('\n');
    const run = lines.find((l) => l.startsWith('RUN '));
    // Build arguments, not ENV: the RUN sees them, the image does not keep them.
    expect(lines.filter((l) => l.startsWith('ARG '))).toEqual([
      'ARG PIP_BREAK_SYSTEM_PACKAGES=1',
      'ARG PIP_ROOT_USER_ACTION=ignore',
    ]);
    expect(lines.findIndex((l) => l.startsWith('ARG '))).toBeLessThan(lines.indexOf(run!));
    expect(run).toBe(
      'RUN --mount=type=cache,target=/root/.cache/pip python3 -m pip install --cache-dir=/root/.cache/pip --disable-pip-version-check --no-input -r requirements.txt',
    );
  });

  test('for the classic builder (no cache mounts) pip runs without a cache', () => {
    const dockerfile = full({builder: 'classic'});
    expect(dockerfile).not.toContain('--mount');
    expect(dockerfile.split('\n').find((l) => l.startsWith('RUN '))).toBe(
      'RUN python3 -m pip install --no-cache-dir --disable-pip-version-check --no-input -r requirements.txt',
    );
    // Otherwise the same instructions.
    expect(instructions(dockerfile)).toEqual(instructions(full()));
  });

  test('berth-level pip options go on the command line, quoted', () => {
    const run = full({
      pip: {
        noIndex: true,
        findLinks: ['http://127.0.0.1:8080/wheels/'],
        indexUrl: "https://pypi.example.org/simple?x='1'",
        extraIndexUrls: ['https://extra.example.org/simple'],
        trustedHosts: ['127.0.0.1'],
      },
    })
      .split('\n')
      .find((l) => l.startsWith('RUN '));
    expect(run).toContain(
      "--no-index --index-url 'https://pypi.example.org/simple?x='\\''1'\\''' --extra-index-url https://extra.example.org/simple --find-links http://127.0.0.1:8080/wheels/ --trusted-host 127.0.0.1 -r requirements.txt",
    );
  });

  test('no requirements.txt: no requirements COPY and no pip', () => {
    const dockerfile = full({requirements: {present: false}});
    expect(dockerfile).not.toContain('requirements.txt');
    expect(dockerfile).not.toContain('deps/');
    expect(instructions(dockerfile)).toEqual([
      'FROM',
      'ENV',
      'WORKDIR',
      'ENTRYPOINT',
      'COPY',
      'LABEL',
    ]);
  });

  test('labels carry the schema, commit, versions and entry point, escaped for the Dockerfile', () => {
    const dockerfile = full({sourceUrl: 'https://github.com/o/r'});
    expect(JSON.parse(label(dockerfile, 'dev.berth.schema')!)).toEqual(schema);
    expect(label(dockerfile, 'dev.berth.commit')).toBe('a'.repeat(40));
    expect(label(dockerfile, 'dev.berth.version')).toBe('0.1.0');
    expect(label(dockerfile, 'dev.berth.entry-point')).toBe('src/rotate.py');
    expect(label(dockerfile, 'dev.berth.mode')).toBe('full');
    expect(label(dockerfile, 'dev.berth.template')).toBe(DOCKERFILE_TEMPLATE_VERSION);
    expect(label(dockerfile, 'org.opencontainers.image.title')).toBe('Image "Rotation" $HOME');
    expect(label(dockerfile, 'org.opencontainers.image.description')).toBe(
      'Rotates images by \\ degrees',
    );
    expect(label(dockerfile, 'org.opencontainers.image.revision')).toBe('a'.repeat(40));
    expect(label(dockerfile, 'dev.berth.slug')).toBe(schema.slug);
    for (const [key, value] of Object.entries(schema.metadata)) {
      expect(label(dockerfile, `dev.berth.metadata.${key}`)).toBe(value);
    }
    expect(label(dockerfile, 'org.opencontainers.image.version')).toBe('3');
    expect(label(dockerfile, 'org.opencontainers.image.authors')).toBe('MLReef');
    expect(label(dockerfile, 'org.opencontainers.image.source')).toBe('https://github.com/o/r');
    // Every line is an instruction or one label of the LABEL instruction: nothing in a value
    // can start a new instruction.
    for (const line of dockerfile.trimEnd().split('\n')) {
      expect(line).toMatch(
        /^((#|FROM|ENV|ARG|WORKDIR|COPY|RUN|LABEL|ENTRYPOINT) | {6}[a-z0-9._-]+=")/,
      );
    }
    expect(dockerfile).not.toMatch(/[^\\]\$HOME/);
  });

  test('without a commit (not in a repository) there is no commit label', () => {
    const dockerfile = full({commit: null});
    expect(label(dockerfile, 'dev.berth.commit')).toBeUndefined();
    expect(label(dockerfile, 'org.opencontainers.image.revision')).toBeUndefined();
  });

  test('the default base image is a Python image', () => {
    const dockerfile = generateDockerfile({
      mode: 'full',
      entryPoint: 'main.py',
      requirements: {present: true},
      berthVersion: '0.1.0',
    });
    expect(dockerfile.split('\n')[1]).toBe(`FROM ${DEFAULT_BASE_IMAGE}`);
    expect(DEFAULT_BASE_IMAGE).toMatch(/^python:/);
  });

  test.each([['python:3.11\nRUN curl evil'], ['my image'], ['']])(
    'refuses base image %j',
    (image) => {
      expect(() => full({baseImage: image})).toThrow(
        expect.objectContaining({name: 'FieldError', field: 'baseImage'}) as FieldError,
      );
    },
  );

  test.each([
    [{indexUrl: 'https://user:secret@pypi.example.org/simple'}, /credentials/],
    [{findLinks: ['/opt/wheels']}, /not a URL/],
    [{extraIndexUrls: ['ftp://example.org/simple']}, /not an http\(s\) URL/],
  ])('refuses pip option %j', (pip, message) => {
    expect(() => full({pip})).toThrow(message);
  });
});

describe('generateDockerfile: dependencies-only image', () => {
  const dependenciesOnly = (overrides: Partial<DockerfileInput> = {}) =>
    generateDockerfile({
      mode: 'dependencies-only',
      baseImage: 'berth-test/python:3.11',
      requirements: {present: true},
      berthVersion: '0.1.0',
      schema,
      commit: 'b'.repeat(40),
      dependencyChecksum: 'c'.repeat(64),
      ...overrides,
    });

  test('no source COPY; the bootstrap is the ENTRYPOINT', () => {
    const dockerfile = dependenciesOnly();
    expect(dockerfile).not.toContain('COPY ["code/","./"]');
    expect(dockerfile).toContain('COPY ["berth-bootstrap.py","/berth/bootstrap.py"]');
    expect(dockerfile).toContain('ENTRYPOINT ["python3","/berth/bootstrap.py"]\n');
    expect(instructions(dockerfile)).toEqual([
      'FROM',
      'ENV',
      'WORKDIR',
      'ENTRYPOINT',
      'COPY',
      'ARG',
      'ARG',
      'RUN',
      'COPY',
      'LABEL',
    ]);
  });

  test('holds nothing of one commit: no schema, commit or entry point, so any commit can reuse it', () => {
    const dockerfile = dependenciesOnly();
    expect(dockerfile).not.toContain('b'.repeat(40));
    expect(label(dockerfile, 'dev.berth.schema')).toBeUndefined();
    expect(label(dockerfile, 'dev.berth.entry-point')).toBeUndefined();
    expect(label(dockerfile, 'dev.berth.dependencies')).toBe('c'.repeat(64));
    expect(label(dockerfile, 'dev.berth.mode')).toBe('dependencies-only');
    expect(dependenciesOnly({commit: 'd'.repeat(40), schema: {...schema, name: 'Other'}})).toBe(
      dockerfile,
    );
  });
});

describe('dependencyChecksum', () => {
  const base = dependencyChecksum('python:3.11-slim', 'numpy==1.26.4\n', '1');

  test('is a sha256 hex, usable as an image tag, and stable', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(dependencyChecksum('python:3.11-slim', 'numpy==1.26.4\n', '1')).toBe(base);
    expect(dependencyChecksum('python:3.11-slim', 'numpy==1.26.4\r\n', '1')).toBe(base);
  });

  test.each<[string, () => string]>([
    ['base image', () => dependencyChecksum('python:3.12-slim', 'numpy==1.26.4\n', '1')],
    ['requirements', () => dependencyChecksum('python:3.11-slim', 'numpy==1.26.3\n', '1')],
    ['template version', () => dependencyChecksum('python:3.11-slim', 'numpy==1.26.4\n', '2')],
    [
      'pip options',
      () => dependencyChecksum('python:3.11-slim', 'numpy==1.26.4\n', '1', {pip: {noIndex: true}}),
    ],
    [
      'local wheel contents',
      () =>
        dependencyChecksum('python:3.11-slim', 'numpy==1.26.4\n', '1', {
          files: [{path: 'wheels/numpy.whl', sha256: 'f'.repeat(64)}],
        }),
    ],
  ])('changes with the %s', (_name, other) => {
    expect(other()).not.toBe(base);
  });

  test('does not depend on the order local files are listed in', () => {
    const a = {path: 'wheels/a.whl', sha256: '1'};
    const b = {path: 'wheels/b.whl', sha256: '2'};
    expect(dependencyChecksum('p', 'r', '1', {files: [a, b]})).toBe(
      dependencyChecksum('p', 'r', '1', {files: [b, a]}),
    );
  });
});
