// A next step is an action (lib/remedies.ts) that each front end words its own way: the CLI as
// the exact command line, the TUI as the screen and key (or, where no screen does it, the file
// to edit or the command's name), never a flag. Every kind is covered, so a new one without
// words on either side fails here (and in tsc: the renderers switch exhaustively).
import {describe, expect, test} from 'vitest';
import {cliVocabulary} from '../source/commands/context.js';
import {commandLine} from '../source/commands/remedies.js';
import {
  AuthError,
  describeError,
  errorText,
  FieldError,
  plainVocabulary,
  restate,
  UserError,
} from '../source/lib/errors.js';
import type {Action, ActionKind} from '../source/lib/remedies.js';
import {screenAction, screenVocabulary} from '../source/screens/remedies.js';

/** One action of every kind, and its command line on the CLI. */
const every: {[K in ActionKind]: [Extract<Action, {kind: K}>, string]} = {
  'token.add': [
    {kind: 'token.add', provider: 'github', name: 'work', replace: true},
    'berth token add github --name work --replace',
  ],
  'token.list': [{kind: 'token.list'}, 'berth token list'],
  'token.use': [{kind: 'token.use', global: true}, 'berth token use NAME --global'],
  'token.remove': [{kind: 'token.remove', name: 'work'}, 'berth token remove work'],
  'token.status': [{kind: 'token.status'}, 'berth token status'],
  'stack.list': [{kind: 'stack.list'}, 'berth stack list'],
  'stack.describe': [{kind: 'stack.describe'}, 'berth stack describe'],
  'stack.set': [{kind: 'stack.set'}, 'berth stack set NAME'],
  'stack.delete': [{kind: 'stack.delete', name: 'gpu'}, 'berth stack delete gpu'],
  'stack.register': [
    {kind: 'stack.register', imageBuilder: 'docker', activate: true},
    'berth stack register NAME -i docker -c REGISTRY --set',
  ],
  'profile.list': [{kind: 'profile.list'}, 'berth profile list'],
  'profile.describe': [{kind: 'profile.describe'}, 'berth profile describe'],
  'profile.set': [{kind: 'profile.set', global: true}, 'berth profile set NAME --global'],
  'profile.create': [
    {kind: 'profile.create', storeUrl: 'postgres://ROLE@HOST/DB'},
    'berth profile create NAME --store-url postgres://ROLE@HOST/DB',
  ],
  'repo.list': [{kind: 'repo.list'}, 'berth repo list'],
  'repo.register': [{kind: 'repo.register'}, 'berth repo register'],
  'repo.update': [{kind: 'repo.update', token: true}, 'berth repo update NAME --token OTHER'],
  'repo.delete': [{kind: 'repo.delete', name: 'models'}, 'berth repo delete models'],
  'repo.detect': [{kind: 'repo.detect'}, 'berth repo detect'],
  'component.list': [
    {kind: 'component.list', type: 'orchestrator'},
    'berth component list orchestrator',
  ],
  'component.register': [
    {kind: 'component.register', type: 'container_registry', options: {snapshot_max_size: '50MiB'}},
    'berth component register container_registry NAME --option snapshot_max_size=50MiB',
  ],
  'component.delete': [
    {kind: 'component.delete', type: 'image_builder', name: 'docker'},
    'berth component delete image_builder docker',
  ],
  'module.list': [{kind: 'module.list'}, 'berth module list'],
  publish: [{kind: 'publish', full: true}, 'berth publish --full'],
  run: [{kind: 'run', module: 'trainer', sweep: true}, 'berth run trainer --sweep …'],
  'runs.list': [{kind: 'runs.list', json: true}, 'berth runs list --json'],
  'runs.describe': [{kind: 'runs.describe'}, 'berth runs describe RUN'],
  init: [{kind: 'init', path: '/work/p'}, 'berth init --path /work/p'],
};
const actions = Object.values(every) as Array<[Action, string]>;

describe('the CLI spells the command', () => {
  test.each(actions)('%o', (action, line) => {
    expect(commandLine(action)).toBe(line);
    expect(cliVocabulary.action(action)).toBe(`\`${line}\``);
  });

  test('a registry login names everything it needs; a forge token only what is known', () => {
    expect(commandLine({kind: 'token.add', provider: 'registry'})).toBe(
      'berth token add registry --name NAME --api-url HOST:PORT --username USER --stdin',
    );
    expect(commandLine({kind: 'token.add', provider: 'gitlab'})).toBe('berth token add gitlab');
    expect(
      commandLine({kind: 'token.add', provider: 'github', apiUrl: 'http://127.0.0.1:9/api/v3'}),
    ).toBe('berth token add github --api-url http://127.0.0.1:9/api/v3');
  });
});

describe('the TUI names the screen and key, never a flag', () => {
  test.each(actions)('%o', (action) => {
    const words = screenAction(action);
    expect(words).not.toMatch(/--|`/);
    // A key on a screen, a file to edit, or (last) the command's name to run in a shell.
    expect(words).toMatch(/\((t|r|b|m|w)\b|press [a-z] on home|config\.yaml|in a shell|Code line/);
  });

  test('what the tokens and repositories screens do, they say with their keys', () => {
    expect(screenAction(every['token.add'][0])).toBe(
      'open Tokens (t), select work and press r to paste its secret',
    );
    expect(screenAction({kind: 'token.add', provider: 'gitlab'})).toBe(
      'open Tokens (t) and press a (gitlab)',
    );
    expect(screenAction(every['token.remove'][0])).toBe('open Tokens (t), select work and press d');
    expect(screenAction(every['repo.delete'][0])).toBe(
      'open Repositories (r), select models and press d',
    );
    expect(screenAction(every['profile.set'][0])).toBe(
      'press p on home and pick one (tab applies it globally)',
    );
    expect(screenAction({kind: 'token.use'})).toBe('name it under tokens: in .berth/config.yaml');
    // The switcher needs the active profile itself: when that is broken, the file to edit.
    expect(screenAction({kind: 'profile.set', global: true, file: '/c/config.json'})).toBe(
      'set "activeProfile" to it in /c/config.json',
    );
    expect(commandLine({kind: 'profile.set', global: true, file: '/c/config.json'})).toBe(
      'berth profile set NAME --global',
    );
    expect(screenAction({kind: 'run', module: 'trainer'})).toBe(
      'open Modules (m), select a published version of trainer and press r',
    );
    // A registry login has no screen: its command, without flags.
    expect(screenAction({kind: 'token.add', provider: 'registry'})).toBe(
      'run "berth token add registry" in a shell (no screen does it)',
    );
  });
});

describe('one error, two wordings', () => {
  const missing = new AuthError('The secret of token "work" is missing from the OS keychain.', {
    hint: (_f, act) =>
      `Add it again: ${act({kind: 'token.add', provider: 'github', name: 'work', replace: true})}.`,
  });

  test('the CLI keeps the command it always printed; the TUI says where to press', () => {
    expect(describeError(missing, cliVocabulary).hint).toBe(
      'Add it again: `berth token add github --name work --replace`.',
    );
    expect(errorText(missing, screenVocabulary)).toBe(
      'The secret of token "work" is missing from the OS keychain. Add it again: open Tokens (t), select work and press r to paste its secret.',
    );
    // Text no front end words (logs, .hint) says the action plainly, without flags.
    expect(missing.hint).toBe('Add it again: token add (provider github, name work, replace).');
  });

  test('fields and actions together, through restate and a FieldError', () => {
    const error = new FieldError('force', 'Token "work" is used by models.', {
      hint: (f, act) =>
        `Point it at another token (${act({kind: 'repo.update', token: true})}), or remove it anyway (${f('force')}).`,
    });
    const said = restate(error, "Can't remove: ", 'Nothing was removed.');
    expect(describeError(said, cliVocabulary)).toMatchObject({
      message: 'Can\'t remove: Token "work" is used by models.',
      hint: 'Point it at another token (`berth repo update NAME --token OTHER`), or remove it anyway (--force).\nNothing was removed.',
    });
    const tui = errorText(said, screenVocabulary);
    expect(tui).toContain(
      'open Repositories (r), delete (d) and register it again (n) with another token',
    );
    expect(tui).not.toContain('--');
    expect(errorText(new UserError('Plain.', {hint: 'No action.'}), plainVocabulary)).toBe(
      'Plain. No action.',
    );
  });
});
