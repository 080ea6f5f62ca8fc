// The TUI's words for a next step (lib/remedies.ts): the screen and the key that do it, never a
// flag. What no screen does is said as the file to edit or, last, the command to run in a shell
// (its name only). No React here: hooks and screens render errors with screenVocabulary.
import {assertNever, humanFieldLabel, type FieldLabel, type Vocabulary} from '../lib/errors.js';
import type {Action, ActionLabel} from '../lib/remedies.js';
import {pluginScreens, type PluginScreenId} from './registry.js';

/** "open Tokens (t)": the screen as home's key opens it. */
const open = (id: PluginScreenId) => `open ${pluginScreens[id].title} (${pluginScreens[id].key})`;
const inShell = (command: string) => `run "berth ${command}" in a shell (no screen does it)`;
const named = (name: string | undefined) => (name === undefined ? '' : ` ${name}`);

/** What to do in the TUI for `action`, as a clause: "open Tokens (t) and press a". */
export const screenAction: ActionLabel = (action: Action) => {
  switch (action.kind) {
    case 'token.add':
      if (action.provider === 'registry') return inShell('token add registry');
      if (action.replace && action.name)
        return `${open('tokens')}, select ${action.name} and press r to paste its secret`;
      return `${open('tokens')} and press a${action.provider ? ` (${action.provider}${action.apiUrl ? `, API URL ${action.apiUrl}` : ''})` : ''}${action.name ? `, naming it ${action.name}` : ''}`;
    case 'token.list':
    case 'token.status':
      return open('tokens');
    case 'token.use':
      return action.global
        ? "name it under the active profile's tokens in berth's config.yaml"
        : 'name it under tokens: in .berth/config.yaml';
    case 'token.remove':
      return `${open('tokens')}, select ${action.name} and press d`;
    case 'stack.list':
    case 'stack.describe':
      return 'press s on home (the switcher shows each stack and its components)';
    case 'stack.set':
      return `press s on home and pick${named(action.name) || ' one'}`;
    case 'stack.delete':
      return inShell(`stack delete${named(action.name)}`);
    case 'stack.register':
      return 'run setup (w on home) and choose + New stack';
    case 'profile.list':
    case 'profile.describe':
      return 'press p on home';
    case 'profile.set':
      if (action.file) return `set "activeProfile" to it in ${action.file}`;
      return `press p on home and pick${named(action.name) || ' one'}${action.global ? ' (tab applies it globally)' : ''}`;
    case 'profile.create':
      return inShell('profile create');
    case 'repo.list':
      return open('repositories');
    case 'repo.register':
      return `${open('repositories')} and press n`;
    case 'repo.update':
      return `${open('repositories')}, delete${named(action.name)} (d) and register it again (n) with ${typeof action.token === 'string' ? `token ${action.token}` : 'another token'}`;
    case 'repo.delete':
      return `${open('repositories')}, select ${action.name} and press d`;
    case 'repo.detect':
      return 'see the Code line on home: it is what publishing records';
    case 'component.list':
      return inShell(`component list ${action.type}`);
    case 'component.register':
      return inShell(`component register ${action.type}`);
    case 'component.delete':
      return inShell(`component delete ${action.type} ${action.name}`);
    case 'module.list':
    case 'runs.list':
    case 'runs.describe':
      return `${open('modules')} and a version: its runs`;
    case 'publish':
      return action.dryRun
        ? `${open('publish')}: it checks the project before you confirm`
        : `${open('publish')} and press ${action.full ? 'f (code in the image)' : 'enter'}`;
    case 'run':
      return action.sweep
        ? inShell(`run${named(action.module)}`)
        : `${open('modules')}, select a published version${action.module ? ` of ${action.module}` : ''} and press r`;
    case 'init':
      return 'press i on home (it makes the current directory a berth repository)';
    default:
      return assertNever(action);
  }
};

/** The TUI's words: fields by their labels, next steps by screen and key. */
export const screenVocabulary: Vocabulary = {field: humanFieldLabel, action: screenAction};

/** screenVocabulary with a screen's own labels for its fields. */
export function screenVocabularyWith(label: FieldLabel): Vocabulary {
  return {field: label, action: screenAction};
}
