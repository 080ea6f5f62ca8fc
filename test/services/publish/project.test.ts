import {cpSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, test} from 'vitest';
import {cliVocabulary} from '../../../source/commands/context.js';
import {UserError} from '../../../source/lib/errors.js';
import {AnnotationError} from '../../../source/services/publish/annotations.js';
import {BOOTSTRAP_SCRIPT} from '../../../source/services/publish/bootstrap.js';
import {dryRunJson, prepareProject} from '../../../source/services/publish/project.js';
import {tempDir} from '../../support/cli.js';

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/projects',
);

/** A fresh copy of a sample project, plus extra files. */
function copyOf(name: string, extra: Record<string, string> = {}): string {
  const dir = path.join(tempDir('berth-project-'), name);
  cpSync(path.join(fixtures, name), dir, {recursive: true});
  for (const [file, content] of Object.entries(extra)) {
    const absolute = path.join(dir, ...file.split('/'));
    mkdirSync(path.dirname(absolute), {recursive: true});
    writeFileSync(absolute, content);
  }
  return dir;
}

const MODULE = '@data_processor(name="Other")\ndef main():\n    pass\n';

describe('prepareProject', () => {
  test('image-rotation: schema, requirements, Dockerfile and context, as the dry run prints them', async () => {
    const dir = copyOf('image-rotation', {
      'data/train/1.png': 'png',
      'notebook.ipynb': '{}',
      'venv/lib/python3.11/site-packages/pkg/mod.py': MODULE,
      '.venv/lib/mod.py': MODULE,
      'utils/__pycache__/helpers.cpython-311.pyc': 'x',
      'keep.log': 'kept by !keep.log',
      'debug.log': 'dropped by **/*.log',
    });
    const prepared = await prepareProject(dir, {
      berthVersion: '0.1.0',
      baseImage: 'berth-test/python:3.11',
    });
    const json = dryRunJson(prepared, cliVocabulary);

    expect(Object.keys(json).slice(0, 7)).toEqual([
      'name',
      'slug',
      'description',
      'entryPoint',
      'metadata',
      'parameters',
      'dockerfile',
    ]);
    expect(json).toMatchObject({
      name: 'Image Rotation',
      slug: 'image-rotation',
      description: 'Rotates the images of a folder by a fixed angle',
      entryPoint: 'rotate.py',
      parameters: [
        {
          name: 'input-path',
          type: 'str',
          required: true,
          defaultValue: 'train',
          description: 'folder with the images',
        },
        {
          name: 'output-path',
          type: 'str',
          required: true,
          defaultValue: 'output',
          description: 'where the rotated images go',
        },
        {
          name: 'angle',
          type: 'float',
          required: false,
          defaultValue: 90,
          description: 'degrees, counter-clockwise',
        },
        {
          name: 'extensions',
          type: 'list',
          required: false,
          defaultValue: ['.png', '.jpg'],
          description: 'file endings to rotate',
        },
      ],
      mode: 'full',
      requirements: [
        {name: 'numpy', specifier: '==1.26.4'},
        {name: 'Pillow', specifier: '>=10.0,<11'},
      ],
      dependencyChecksum: null,
    });
    expect(json.notes).toEqual([expect.stringContaining('visibility')]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);

    expect(prepared.contextFiles.map((f) => f.path)).toEqual([
      '.dockerignore',
      'README.md',
      'keep.log',
      'requirements.txt',
      'rotate.py',
      'utils/__init__.py',
      'utils/helpers.py',
    ]);
    expect(json.excludedFiles).toEqual([
      {path: '.venv/', reason: 'a virtual environment'},
      {path: 'data/', reason: 'listed in .dockerignore'},
      {path: 'debug.log', reason: 'listed in .dockerignore'},
      {path: 'notebook.ipynb', reason: 'listed in .dockerignore'},
      {path: 'utils/__pycache__/', reason: 'tool state'},
      {path: 'venv/', reason: 'a virtual environment'},
    ]);
    expect(prepared.contextEntries.map((e) => e.name)).toEqual([
      'Dockerfile',
      'deps/requirements.txt',
      'code/.dockerignore',
      'code/README.md',
      'code/keep.log',
      'code/requirements.txt',
      'code/rotate.py',
      'code/utils/__init__.py',
      'code/utils/helpers.py',
    ]);
    const dockerfileEntry = prepared.contextEntries[0];
    expect(dockerfileEntry).toMatchObject({type: 'generated', content: prepared.dockerfile});
    const code = prepared.contextEntries[6];
    expect(code).toMatchObject({type: 'project', sourcePath: path.join(dir, 'rotate.py')});

    expect(prepared.dockerfile).toContain('FROM berth-test/python:3.11\n');
    expect(prepared.dockerfile).toContain('ENTRYPOINT ["python3","/berth/module/rotate.py"]');
    expect(prepared.dockerfile).toContain('LABEL dev.berth.version="0.1.0"');
  });

  test('resnet-trainer: an entry point in a subfolder, with its sibling modules', async () => {
    const prepared = await prepareProject(copyOf('resnet-trainer'), {
      berthVersion: '0.1.0',
      commit: 'f'.repeat(40),
    });
    expect(prepared.entryPoint).toBe('src/train.py');
    expect(prepared.schema.entryPoint).toBe('src/train.py');
    expect(prepared.dockerfile).toContain('ENTRYPOINT ["python3","/berth/module/src/train.py"]');
    expect(prepared.dockerfile).toContain(`      dev.berth.commit="${'f'.repeat(40)}"`);
    expect(prepared.requirements.options.extraIndexUrls).toEqual([
      'https://download.pytorch.org/whl/cpu',
    ]);
    expect(prepared.requirements.requirements.map((r) => r.name)).toEqual([
      'tensorflow',
      'keras',
      'matplotlib',
      'scikit-learn',
    ]);
  });

  test('no requirements.txt: allowed, no pip step, and a note says so', async () => {
    const prepared = await prepareProject(copyOf('wordcloud-visualization'), {
      berthVersion: '0.1.0',
    });
    expect(prepared.requirements.present).toBe(false);
    expect(prepared.dockerfile).not.toContain('pip install');
    expect(prepared.notes).toEqual([expect.stringContaining('No requirements.txt')]);
    expect(prepared.schema.kind).toBe('data-visualization');
  });

  test('malformed annotations fail before anything else, with file:line:column', async () => {
    const error = await prepareProject(copyOf('broken-annotations'), {berthVersion: '0.1.0'}).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AnnotationError);
    expect((error as Error).message).toContain(
      'augment.py:18:52: @parameter "epochs": default "ten" is not an int.',
    );
  });

  test('a bad requirements.txt fails with its line', async () => {
    const dir = copyOf('image-rotation', {'requirements.txt': 'numpy==1.26.4\nPillow=10\n'});
    await expect(prepareProject(dir, {berthVersion: '0.1.0'})).rejects.toThrow(
      /requirements\.txt:2: "=10" is not a version specifier of Pillow/,
    );
  });

  test('several entry points need --entry; --entry picks one', async () => {
    const dir = copyOf('image-rotation', {'tools/other.py': MODULE});
    await expect(prepareProject(dir, {berthVersion: '0.1.0'})).rejects.toMatchObject({
      message: 'Several Python files declare a module: rotate.py, tools/other.py.',
    });
    const prepared = await prepareProject(dir, {berthVersion: '0.1.0', entry: 'tools/other.py'});
    expect(prepared.schema.name).toBe('Other');
  });

  test('.dockerignore excluding the entry point is an error that says why', async () => {
    const dir = copyOf('image-rotation', {'.dockerignore': 'rotate.py\n'});
    const error = await prepareProject(dir, {berthVersion: '0.1.0'}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'The entry point rotate.py is left out of the build context: listed in .dockerignore.',
    );
    expect((error as UserError).hint).toContain('!rotate.py');
  });

  test('.dockerignore listing requirements.txt still installs it (pip reads it before the code)', async () => {
    const dir = copyOf('image-rotation', {'.dockerignore': 'requirements.txt\n'});
    const prepared = await prepareProject(dir, {berthVersion: '0.1.0'});
    expect(prepared.contextFiles.map((f) => f.path)).not.toContain('requirements.txt');
    expect(prepared.contextEntries.map((e) => e.name)).toContain('deps/requirements.txt');
  });
});

describe('prepareProject: dependencies-only', () => {
  const wheelsProject = (wheel = 'wheel bytes') =>
    copyOf('image-rotation', {
      'requirements.txt': '--no-index\n--find-links wheels\nberth-demo==1.0\n',
      'wheels/berth_demo-1.0-py3-none-any.whl': wheel,
      '.dockerignore': '',
    });

  test('sends only the Dockerfile, the bootstrap, requirements.txt and the local wheels', async () => {
    const prepared = await prepareProject(wheelsProject(), {
      berthVersion: '0.1.0',
      mode: 'dependencies-only',
      baseImage: 'berth-test/python:3.11',
    });
    expect(prepared.contextEntries.map((e) => e.name)).toEqual([
      'Dockerfile',
      'berth-bootstrap.py',
      'deps/requirements.txt',
      'deps/wheels/berth_demo-1.0-py3-none-any.whl',
    ]);
    expect(prepared.contextEntries[1]).toMatchObject({
      type: 'generated',
      content: BOOTSTRAP_SCRIPT,
      mode: 0o755,
    });
    expect(prepared.dependencyChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(prepared.dockerfile).toContain(
      `      dev.berth.dependencies="${prepared.dependencyChecksum}"`,
    );
    expect(prepared.dockerfile).toContain('COPY ["deps/","./"]');
    expect(prepared.dockerfile).not.toContain('COPY ["code/","./"]');
  });

  test('the checksum follows the dependencies, not the code', async () => {
    const options = {berthVersion: '0.1.0', mode: 'dependencies-only' as const};
    const first = await prepareProject(wheelsProject(), options);
    const codeChanged = wheelsProject();
    writeFileSync(path.join(codeChanged, 'rotate.py'), `${MODULE}# changed\n`);
    const second = await prepareProject(codeChanged, options);
    expect(second.dependencyChecksum).toBe(first.dependencyChecksum);
    expect(second.dockerfile).toBe(first.dockerfile);

    const wheelChanged = await prepareProject(wheelsProject('other wheel bytes'), options);
    expect(wheelChanged.dependencyChecksum).not.toBe(first.dependencyChecksum);
  });

  test('a --find-links folder excluded by .dockerignore is an error', async () => {
    const dir = wheelsProject();
    writeFileSync(path.join(dir, '.dockerignore'), 'wheels\n');
    await expect(
      prepareProject(dir, {berthVersion: '0.1.0', mode: 'dependencies-only'}),
    ).rejects.toThrow(/The --find-links folder wheels has no files in the build context/);
  });
});
