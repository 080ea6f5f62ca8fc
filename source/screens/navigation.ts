// Which screen shows, as a reducer: screens ask to open or leave, the app decides. Screens
// from other modules (tokens, repositories, publish) are opened by their registry key.
import {assertNever} from '../lib/errors.js';
import type {PluginScreenId} from './registry.js';

export type ScreenId = 'home' | 'stacks' | 'profiles' | 'setup' | PluginScreenId;

export type NavigationState = {
  /** Screens opened so far; the last one shows. Never empty. */
  trail: ScreenId[];
};

export type NavigationAction =
  | {type: 'open'; screen: ScreenId}
  | {type: 'back'}
  /** Replaces the whole trail, e.g. the first-run wizard handing over to home. */
  | {type: 'reset'; screen: ScreenId};

export function initialNavigation(screen: ScreenId): NavigationState {
  return {trail: [screen]};
}

export function navigationReducer(
  state: NavigationState,
  action: NavigationAction,
): NavigationState {
  switch (action.type) {
    case 'open':
      return {trail: [...state.trail, action.screen]};
    case 'back':
      return state.trail.length > 1 ? {trail: state.trail.slice(0, -1)} : state;
    case 'reset':
      return {trail: [action.screen]};
    default:
      return assertNever(action);
  }
}

export function currentScreen(state: NavigationState): ScreenId {
  return state.trail[state.trail.length - 1] ?? 'home';
}
