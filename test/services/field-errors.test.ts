// Services speak in fields, not CLI flags: each error below names an input the user can change.
// The TUI renders it with words (errorText, the screens' formatter) and must show no flag; the
// CLI renders the same error with flags (describeError with cliVocabulary, as invocation.ts does) and
// must name the flag the user types.
import {describe, expect, test} from 'vitest';
import {cliVocabulary} from '../../source/commands/context.js';
import {screenVocabulary} from '../../source/screens/remedies.js';
import type {Deps} from '../../source/deps.js';
import {
  describeError,
  errorText,
  ExitCode,
  FieldError,
  renderText,
  UserError,
  wrapError,
} from '../../source/lib/errors.js';
import type {ModuleParameter} from '../../source/models/module.js';
import type {ActiveContext} from '../../source/services/context.js';
import {parseOptions, registerComponent} from '../../source/services/components.js';
import type {ModuleView} from '../../source/services/modules.js';
import {runInSwarm} from '../../source/services/orchestrators/swarm.js';
import {buildContext} from '../../source/services/publish/context.js';
import {generateDockerfile} from '../../source/services/publish/dockerfile.js';
import {findEntryPoint} from '../../source/services/publish/entry-point.js';
import {prepareProject} from '../../source/services/publish/project.js';
import {decidePublishMode} from '../../source/services/publish/publish.js';
import {checkBreaking} from '../../source/services/publish/schema-diff.js';
import {parseRunParameters} from '../../source/services/runs.js';
import {parseSweepAxes, planSweep} from '../../source/services/sweeps.js';
import {checkSecret} from '../../source/lib/secret.js';
import {tempProject} from '../support/cli.js';

const MODULE =
  'from berth import data_processor\n\n@data_processor(name="Rotate")\ndef rotate():\n    pass\n';

const project = (files: Record<string, string>) => tempProject(files, 'berth-field-errors-');

async function thrown(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** Checks that run before any store or engine is reached: no dependencies are used. */
const unused = {} as Deps;
const epochs: ModuleParameter = {
  name: 'epochs',
  type: 'int',
  required: true,
  defaultValue: null,
  description: '',
};
const noCode = {
  commit: null,
  codeReference: null,
  reason: 'not a checkout',
  repository: null,
  gitRoot: null,
  remote: null,
  subdirectory: null,
  clean: false,
  pushed: false,
};

const cases: Array<[string, string, () => unknown]> = [
  ['a sweep not written as name=values', '--sweep', () => parseSweepAxes(['angle'])],
  ['a sweep without values', '--sweep', () => parseSweepAxes(['angle='])],
  ['a parameter swept twice', '--sweep', () => parseSweepAxes(['a=1', 'a=2'])],
  ['a sweep with no axes', '--sweep', () => planSweep(unused, {ref: 'm', sweeps: [], params: []})],
  [
    'parallel out of range',
    '--parallel',
    () => planSweep(unused, {ref: 'm', sweeps: ['a=1'], params: [], parallel: 0}),
  ],
  [
    'a parameter given plainly and swept',
    '--param',
    () => planSweep(unused, {ref: 'm', sweeps: ['a=1'], params: ['a=2']}),
  ],
  ['a parameter not written key=value', '--param', () => parseRunParameters([epochs], ['x'])],
  ['a missing required parameter', '--param', () => parseRunParameters([epochs], [])],
  ['a parameter of the wrong type', '--param', () => parseRunParameters([epochs], ['epochs=a'])],
  ['an option not written key=value', '--option', () => parseOptions(['uri'])],
  [
    'an unknown flavor',
    '--flavor',
    () =>
      registerComponent(unused, {type: 'image_builder', name: 'b', flavor: 'nope', options: {}}),
  ],
  [
    'a required option missing',
    '--option',
    () =>
      registerComponent(unused, {
        type: 'container_registry',
        name: 'r',
        flavor: 'oci',
        options: {},
      }),
  ],
  [
    'a module not in a registry, run on a swarm',
    '--flavor',
    () =>
      runInSwarm(unused, {} as ActiveContext, {
        runId: 'r',
        module: {slug: 'm', version: '1', registry: null, image: null} as unknown as ModuleView,
        args: [],
        orchestrator: {} as never,
        components: {},
      }),
  ],
  ['no entry point', '--entry', () => findEntryPoint(project({'a.py': 'x = 1\n'}))],
  [
    'several entry points',
    '--entry',
    () => findEntryPoint(project({'a.py': MODULE, 'b.py': MODULE})),
  ],
  [
    'an entry point outside the project',
    '--entry',
    () => findEntryPoint(project({'a.py': MODULE}), {entry: '../x.py'}),
  ],
  [
    'a missing entry point',
    '--entry',
    () => findEntryPoint(project({'a.py': MODULE}), {entry: 'b.py'}),
  ],
  [
    'an entry point that is not Python',
    '--entry',
    () => findEntryPoint(project({'a.py': MODULE, 'n.txt': 'x'}), {entry: 'n.txt'}),
  ],
  [
    'a secret-looking entry point',
    '--include',
    () => prepareProject(project({'.env.py': MODULE}), {berthVersion: '0', entry: '.env.py'}),
  ],
  [
    'a schema that breaks the latest version',
    '--allow-breaking',
    () =>
      checkBreaking(
        'm',
        {
          against: 1,
          changes: [{parameter: 'a', kind: 'removed', breaking: true, message: 'a is removed'}],
        } as never,
        false,
      ),
  ],
  [
    'dependencies only without a pushed checkout',
    '--dependencies-only',
    () => decidePublishMode(noCode, 'dependencies-only'),
  ],
  [
    'a base image that is not a reference',
    '--base-image',
    () =>
      generateDockerfile({
        mode: 'dependencies-only',
        berthVersion: '0',
        baseImage: 'a b',
        requirements: {present: false},
      }),
  ],
  [
    'a publish that fails around a field error',
    '--entry',
    () => {
      throw wrapError(
        new FieldError('entry', 'No entry point.', {hint: (f) => `Pass ${f('entry')} FILE.`}),
        (cause) => ({message: `Can't publish m: ${cause.message}`, hint: `${cause.hint}\nDone.`}),
      );
    },
  ],
];

describe('errors name fields: words in the TUI, flags on the CLI', () => {
  test.each(cases)('%s', async (_what, flag, work) => {
    const error = await thrown(work);
    const tui = errorText(error, screenVocabulary);
    const cli = describeError(error, cliVocabulary);
    expect(cli.bug, String(error)).toBe(false);
    expect(tui).not.toContain('--');
    // Fields read as words on a screen, not as identifiers (`dependenciesOnly`, `baseImage`);
    // a temporary folder's random name does not count.
    expect(tui).not.toMatch(/(?<![\w/-])[a-z]+[A-Z][a-z]+\b/);
    expect(`${cli.message} ${cli.hint ?? ''}`).toContain(flag);
  });

  test('a wrapped field error keeps its exit code choice and both renderings', () => {
    const wrapped = wrapError(
      new FieldError('baseImage', 'Not there.', {hint: (f) => `Use ${f('baseImage')} IMAGE.`}),
      (cause) => ({message: `Failed: ${cause.message}`, hint: `${cause.hint} Log: x`}),
    );
    expect(wrapped.exitCode).toBe(ExitCode.failure);
    expect(describeError(wrapped, cliVocabulary)).toMatchObject({
      message: 'Failed: Not there.',
      hint: 'Use --base-image IMAGE. Log: x',
    });
    expect(errorText(wrapped, screenVocabulary)).toBe(
      'Failed: Not there. Use base image IMAGE. Log: x',
    );
    // Any other error is wrapped as a plain one of the chosen exit code.
    const plain = wrapError(new UserError('Broken.'), (cause) => ({
      message: `Failed: ${cause.message}`,
    }));
    expect(plain).toBeInstanceOf(UserError);
    expect(plain.message).toBe('Failed: Broken.');
  });

  test('a secret file left out says how to send it: --include on the CLI, words in the TUI', async () => {
    const {excluded} = await buildContext(project({'.env': 'A=1', 'a.py': MODULE}));
    const reason = excluded.find((e) => e.path === '.env')!.reason;
    expect(renderText(reason, cliVocabulary)).toBe(
      '.env looks like a secret file; pass --include .env to send it',
    );
    expect(renderText(reason, screenVocabulary)).not.toContain('--');
  });

  test('a full image asked for: the publish log names --full on the CLI only', () => {
    const {message} = decidePublishMode(noCode, 'full');
    expect(renderText(message, cliVocabulary)).toBe('full image (--full): code in the image');
    expect(renderText(message, screenVocabulary)).not.toContain('--');
  });

  test('labels read as words in a sentence on a screen: no "publish with full"', async () => {
    const tui = async (work: () => unknown) => errorText(await thrown(work), screenVocabulary);
    // A switch reads as what it asks for.
    expect(
      await tui(() =>
        checkBreaking(
          'm',
          {
            against: 1,
            changes: [{parameter: 'a', kind: 'removed', breaking: true, message: 'a is removed'}],
          } as never,
          false,
        ),
      ),
    ).toContain('or publish anyway with breaking changes allowed.');
    // A message that opens with a field starts with a capital, as a sentence does.
    const dependenciesOnly = await tui(() => decidePublishMode(noCode, 'dependencies-only'));
    expect(dependenciesOnly).toMatch(/^A dependencies-only image needs a clean, pushed checkout/);
    expect(dependenciesOnly).toContain('or publish without a dependencies-only image.');
    // The CLI's line names the flag; the screen's says the full image was asked for.
    const {message} = decidePublishMode(noCode, 'full');
    expect(renderText(message, screenVocabulary)).toBe('full image (as asked): code in the image');
    expect(await tui(() => checkSecret('', 'token'))).toBe(
      'The token is empty. Paste the token at the prompt, or pipe it to standard input.',
    );
    expect(describeError(await thrown(() => checkSecret('', 'token')), cliVocabulary).hint).toBe(
      'Paste the token at the prompt, or pipe it to --stdin.',
    );
  });
});
