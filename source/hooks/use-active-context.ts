// What home shows about "here": the resolved profile and stack (read from local files only, so
// the first frame is quick) and a one-line flash after an action. Lives in the app root, so
// returning from a switcher shows the new stack at once (applied from the switch result), and
// the full context is then re-read from disk.
import {useCallback, useEffect, useReducer, useState} from 'react';
import type {Deps} from '../deps.js';
import {activeMessage} from '../lib/active-message.js';
import {assertNever, errorText} from '../lib/errors.js';
import {screenVocabulary} from '../screens/remedies.js';
import type {Source} from '../models/profile.js';
import {resolveContext, type ActiveContext} from '../services/context.js';

export type Flash = {tone: 'success' | 'error'; text: string};

export type ActiveContextState = {
  context: ActiveContext | undefined;
  /** A failure to resolve the context at all (a broken config file). */
  error: string | undefined;
  flash: Flash | undefined;
  busy: boolean;
  /** Bumped on every change, so dependants (code reference) can refresh. */
  version: number;
};

export type ActiveContextAction =
  | {type: 'loaded'; context: ActiveContext}
  | {type: 'failed'; message: string}
  | {type: 'busy'}
  | {type: 'stackSwitched'; name: string; scope: Source}
  | {type: 'profileSwitched'; name: string; scope: Source}
  | {type: 'flash'; flash: Flash | undefined};

export const initialActiveContext: ActiveContextState = {
  context: undefined,
  error: undefined,
  flash: undefined,
  busy: false,
  version: 0,
};

export function activeContextReducer(
  state: ActiveContextState,
  action: ActiveContextAction,
): ActiveContextState {
  switch (action.type) {
    case 'loaded':
      // Every re-read may follow a change on disk (init, a switch): dependants refresh too.
      return {
        ...state,
        context: action.context,
        error: undefined,
        busy: false,
        version: state.version + 1,
      };
    case 'failed':
      return {...state, error: action.message, busy: false};
    case 'busy':
      return {...state, busy: true, flash: undefined};
    case 'stackSwitched': {
      // A global switch does not change what applies here when this repository names its own stack.
      const appliesHere = action.scope === 'local' || state.context?.stackSource !== 'local';
      const flash: Flash = {
        tone: 'success',
        text: activeMessage(
          'stack',
          action.name,
          action.scope,
          appliesHere ? undefined : state.context?.stackName,
        ),
      };
      if (!state.context) return {...state, flash, busy: false, version: state.version + 1};
      const context = appliesHere
        ? {...state.context, stackName: action.name, stackSource: action.scope}
        : state.context;
      return {...state, context, flash, busy: false, version: state.version + 1};
    }
    case 'profileSwitched':
      return {
        ...state,
        flash: {
          tone: 'success',
          text: activeMessage('profile', action.name, action.scope),
        },
        busy: false,
        version: state.version + 1,
      };
    case 'flash':
      return {...state, flash: action.flash, busy: false};
    default:
      return assertNever(action);
  }
}

export type ActiveContextHandle = {
  state: ActiveContextState;
  dispatch: (action: ActiveContextAction) => void;
  reload: () => Promise<void>;
  /** Runs an action that changes the context, then re-reads it; errors become the flash. */
  run: (task: () => Promise<ActiveContextAction | undefined>) => Promise<void>;
};

/** `enabled: false` reads nothing: on a first run resolving the context writes the global config. */
export function useActiveContext(
  deps: Deps,
  enabled = true,
  initialContext?: ActiveContext,
): ActiveContextHandle {
  const [state, dispatch] = useReducer(activeContextReducer, initialContext, (context) => ({
    ...initialActiveContext,
    context,
  }));

  const reload = useCallback(async () => {
    try {
      dispatch({type: 'loaded', context: await resolveContext(deps)});
    } catch (error) {
      dispatch({type: 'failed', message: errorText(error, screenVocabulary)});
    }
  }, [deps]);

  const run = useCallback(
    async (task: () => Promise<ActiveContextAction | undefined>) => {
      dispatch({type: 'busy'});
      try {
        const action = await task();
        if (action) dispatch(action);
      } catch (error) {
        dispatch({type: 'flash', flash: {tone: 'error', text: errorText(error, screenVocabulary)}});
      }
      await reload();
    },
    [reload],
  );

  const [preloaded] = useState(initialContext !== undefined);
  useEffect(() => {
    if (enabled && !preloaded) void reload();
  }, [reload, enabled, preloaded]);

  return {state, dispatch, reload, run};
}
