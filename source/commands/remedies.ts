// The CLI's words for a next step (lib/remedies.ts): the command to type, flags and all.
// Services name the action; only this file spells berth's command lines in a hint.
import {assertNever} from '../lib/errors.js';
import type {Action, ActionLabel} from '../lib/remedies.js';

const flag = (name: string, value: string | undefined) =>
  value === undefined ? [] : [`--${name}`, value];
const when = (condition: boolean | undefined, ...words: string[]) => (condition ? words : []);

/** The command line that does `action`, placeholders (NAME) for what is not known. */
export function commandLine(action: Action): string {
  return ['berth', ...commandWords(action)].join(' ');
}

function commandWords(action: Action): string[] {
  switch (action.kind) {
    case 'token.add': {
      // A registry login needs all of these; a forge token only what the hint knows.
      const registry = action.provider === 'registry';
      return [
        'token',
        'add',
        action.provider ?? 'PROVIDER',
        ...flag('name', action.name ?? (registry ? 'NAME' : undefined)),
        ...flag('api-url', action.apiUrl ?? (registry ? 'HOST:PORT' : undefined)),
        ...flag('username', action.username ?? (registry ? 'USER' : undefined)),
        ...when(action.stdin ?? registry, '--stdin'),
        ...when(action.replace, '--replace'),
      ];
    }
    case 'token.list':
      return ['token', 'list'];
    case 'token.use':
      return ['token', 'use', action.name ?? 'NAME', ...when(action.global, '--global')];
    case 'token.remove':
      return ['token', 'remove', action.name];
    case 'token.status':
      return ['token', 'status'];
    case 'stack.list':
      return ['stack', 'list'];
    case 'stack.describe':
      return ['stack', 'describe'];
    case 'stack.set':
      return ['stack', 'set', action.name ?? 'NAME'];
    case 'stack.delete':
      return ['stack', 'delete', action.name ?? 'NAME'];
    case 'stack.register':
      return [
        'stack',
        'register',
        'NAME',
        ...(action.orchestrator && !action.imageBuilder && !action.containerRegistry
          ? ['-o', action.orchestrator, '...']
          : [
              '-i',
              action.imageBuilder ?? 'BUILDER',
              '-c',
              action.containerRegistry ?? 'REGISTRY',
              ...(action.orchestrator ? ['-o', action.orchestrator] : []),
            ]),
        ...when(action.activate, '--set'),
      ];
    case 'profile.list':
      return ['profile', 'list'];
    case 'profile.describe':
      return ['profile', 'describe'];
    case 'profile.set':
      return ['profile', 'set', action.name ?? 'NAME', ...when(action.global, '--global')];
    case 'profile.create':
      return ['profile', 'create', 'NAME', ...flag('store-url', action.storeUrl)];
    case 'repo.list':
      return ['repo', 'list'];
    case 'repo.register':
      return ['repo', 'register'];
    case 'repo.update':
      return [
        'repo',
        'update',
        action.name ?? 'NAME',
        ...flag('token', action.token === true ? 'OTHER' : action.token),
      ];
    case 'repo.delete':
      return ['repo', 'delete', action.name];
    case 'repo.detect':
      return ['repo', 'detect'];
    case 'component.list':
      return ['component', 'list', action.type];
    case 'component.register':
      return [
        'component',
        'register',
        action.type,
        action.name ?? 'NAME',
        ...flag('flavor', action.flavor ?? (action.options ? undefined : '...')),
        ...Object.entries(action.options ?? {}).flatMap(([key, value]) => [
          '--option',
          `${key}=${value}`,
        ]),
      ];
    case 'component.delete':
      return ['component', 'delete', action.type, action.name];
    case 'module.list':
      return ['module', 'list'];
    case 'publish':
      return ['publish', ...when(action.full, '--full'), ...when(action.dryRun, '--dry-run')];
    case 'run':
      return ['run', action.module ?? 'MODULE', ...when(action.sweep, '--sweep', '…')];
    case 'runs.list':
      return ['runs', 'list', ...when(action.json, '--json')];
    case 'runs.describe':
      return ['runs', 'describe', 'RUN'];
    case 'init':
      return ['init', ...flag('path', action.path)];
    default:
      return assertNever(action);
  }
}

/** The command in backticks, as a hint quotes it: `` `berth token list` ``. */
export const commandAction: ActionLabel = (action) => `\`${commandLine(action)}\``;
