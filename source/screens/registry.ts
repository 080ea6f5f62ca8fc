// Screens loaded lazily from home (their code and dependencies are not part of the first
// frame). A plugged-in screen receives PluginScreenProps and calls `onBack()` to return home;
// it must not exit the process (the app is the one exit site; Ctrl+C is handled there).
import type {ComponentType} from 'react';
import type {Deps} from '../deps.js';

export type PluginScreenProps = {deps: Deps; onBack: () => void};

export type PluginScreen = {
  /** The key that opens it from home. */
  key: string;
  title: string;
  /** What the key does, in home's help. */
  help: string;
  load: () => Promise<{default: ComponentType<PluginScreenProps>}>;
};

export type PluginScreenId = 'tokens' | 'repositories' | 'publish' | 'modules';

export const pluginScreens: Record<PluginScreenId, PluginScreen> = {
  tokens: {
    key: 't',
    title: 'Tokens',
    help: 'tokens: add, verify, rotate, remove',
    load: () => import('./tokens.js').then((m) => ({default: m.TokensScreen})),
  },
  repositories: {
    key: 'r',
    title: 'Repositories',
    help: 'code repositories: register, describe, delete',
    load: () => import('./repositories.js').then((m) => ({default: m.RepositoriesScreen})),
  },
  publish: {
    key: 'b',
    title: 'Publish',
    help: 'publish the project in this directory (after a confirm step)',
    load: () => import('./publish-here.js').then((m) => ({default: m.PublishHereScreen})),
  },
  modules: {
    key: 'm',
    title: 'Modules',
    help: 'published versions: details, publish and run logs',
    load: () => import('./modules.js').then((m) => ({default: m.ModulesScreen})),
  },
};

export const pluginScreenIds = Object.keys(pluginScreens) as PluginScreenId[];

export function isPluginScreen(id: string): id is PluginScreenId {
  return id in pluginScreens;
}
