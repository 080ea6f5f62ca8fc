// The names shell completion offers, read from the config files and the active profile's store
// only: no network, no keychain. Each kind reads just what it needs.
import type {Deps} from '../deps.js';
import type {ModuleVersionRecord} from '../models/module-version.js';
import type {RunRecord} from '../models/run.js';
import {
  componentFlavors,
  componentTypes,
  isComponentType,
  type Component,
  type Stack,
} from '../models/stack.js';
import {tokenProviders} from '../models/token.js';
import {listRepositories} from './code-repositories/queries.js';
import {resolveContext} from './context.js';

export type CompletionKind =
  | 'stack'
  | 'profile'
  | 'token'
  | 'token-host'
  | 'component-type'
  /** A component of the type named by the previous argument, or `component:TYPE`. */
  | 'component'
  | `component:${string}`
  | 'flavor'
  | 'repository'
  | 'repository-type'
  | 'module'
  | 'run'
  | 'provider'
  | 'shell'
  | 'visibility';

export type Candidate = {value: string; description: string};

/** What a kind of name completes to; `hint` is the type for `component`/`flavor`. */
export async function completionValues(
  deps: Deps,
  kind: CompletionKind,
  hint?: string,
): Promise<Candidate[]> {
  const plain = (values: readonly string[], description = '') =>
    values.map((value) => ({value, description}));
  switch (kind) {
    case 'component-type':
      return plain(componentTypes);
    case 'provider':
      return plain(tokenProviders);
    case 'shell':
      return plain(['bash', 'zsh', 'fish']);
    case 'visibility':
      return plain(['private', 'public']);
    case 'repository-type':
      return plain(['github', 'gitlab', 'custom']);
    case 'flavor':
      return hint && isComponentType(hint) ? plain(componentFlavors[hint]) : [];
    case 'profile':
      return deps.globalConfig
        .read()
        .profiles.map((profile) => ({value: profile.name, description: profile.storeType}));
    case 'token':
      return deps.tokenStore.list().map((token) => ({
        value: token.name,
        description: `${token.provider}${token.login ? ` ${token.login}` : ''}`,
      }));
    default:
      break;
  }
  const context = await resolveContext(deps);
  if (kind === 'token-host') {
    const hosts = {...context.profile.tokens, ...context.repositoryConfig.tokens};
    return Object.entries(hosts).map(([host, token]) => ({value: host, description: token}));
  }
  const store = await deps.openStore(context.profile);
  switch (kind) {
    case 'stack':
      return (await store.collection<Stack>('stacks').list()).map((stack) => ({
        value: stack.name,
        description: stack.name === context.stackName ? 'active' : '',
      }));
    case 'repository':
      return (await listRepositories(store)).map((repository) => ({
        value: repository.name,
        description: repository.host ? `${repository.host}/${repository.path}` : repository.type,
      }));
    case 'module': {
      const slugs = new Set(
        (await store.collection<ModuleVersionRecord>('modules').list()).map((m) => m.slug),
      );
      return plain([...slugs]);
    }
    case 'run':
      return (await store.collection<RunRecord>('runs').list()).map((run) => ({
        value: run.id,
        description: `${run.module} ${run.status}`,
      }));
    default: {
      const type = kind.startsWith('component:') ? kind.slice('component:'.length) : hint;
      return (await store.collection<Component>('components').list())
        .filter((component) => type === undefined || component.type === type)
        .map((component) => ({value: component.name, description: component.flavor}));
    }
  }
}
