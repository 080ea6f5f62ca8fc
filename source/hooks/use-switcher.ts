// The state both switchers (stacks, profiles) share: load the choices once, filter them as the
// user types, Tab between this repository and global, Enter applies through a service.
import {useWindowSize, type Key} from 'ink';
import {useCallback, useEffect, useReducer} from 'react';
import type {Deps} from '../deps.js';
import {assertNever, errorText} from '../lib/errors.js';
import {screenVocabulary} from '../screens/remedies.js';
import type {Source} from '../models/profile.js';
import type {ActiveContext} from '../services/context.js';
import {useFilterList, useFilterListInput, type FilterList} from './use-filter-list.js';

export type SwitcherState<Loaded> = {
  status: 'loading' | 'ready' | 'switching' | 'failed';
  loaded: Loaded | undefined;
  scope: Source;
  error: string | undefined;
};

type SwitcherAction<Loaded> =
  | {type: 'loaded'; loaded: Loaded}
  | {type: 'loadFailed'; message: string}
  | {type: 'toggleScope'}
  | {type: 'switching'}
  | {type: 'switchFailed'; message: string};

function switcherReducer<Loaded extends {context: ActiveContext}>(
  state: SwitcherState<Loaded>,
  action: SwitcherAction<Loaded>,
): SwitcherState<Loaded> {
  switch (action.type) {
    case 'loaded':
      return {
        status: 'ready',
        loaded: action.loaded,
        scope: action.loaded.context.repositoryRoot ? 'local' : 'global',
        error: undefined,
      };
    case 'loadFailed':
      return {...state, status: 'failed', error: action.message};
    case 'toggleScope':
      if (!state.loaded?.context.repositoryRoot || state.status === 'switching') return state;
      return {...state, scope: state.scope === 'local' ? 'global' : 'local'};
    case 'switching':
      return {...state, status: 'switching', error: undefined};
    case 'switchFailed':
      return {...state, status: 'ready', error: action.message};
    default:
      return assertNever(action);
  }
}

export type SwitcherOptions<Loaded, Item, Result> = {
  deps: Deps;
  isActive: boolean;
  /** Reads the choices (sorted by the caller) and the context they belong to. */
  load: (deps: Deps) => Promise<Loaded>;
  items: (loaded: Loaded) => readonly Item[];
  /** The name active now for a scope: the list opens with the cursor on it. */
  current: (loaded: Loaded, scope: Source) => string | undefined;
  apply: (deps: Deps, name: string, scope: Source) => Promise<Result>;
  onApplied: (result: Result) => void;
  onClose: () => void;
};

export type Switcher<Loaded, Item> = {
  state: SwitcherState<Loaded>;
  items: readonly Item[];
  list: FilterList<Item>;
  pageSize: number;
};

const none: never[] = [];

export function useSwitcher<
  Loaded extends {context: ActiveContext},
  Item extends {name: string},
  Result,
>(options: SwitcherOptions<Loaded, Item, Result>): Switcher<Loaded, Item> {
  const {deps, isActive, load, apply, onApplied, onClose} = options;
  const [state, dispatch] = useReducer(switcherReducer<Loaded>, {
    status: 'loading',
    loaded: undefined,
    scope: 'global',
    error: undefined,
  });
  const {rows} = useWindowSize();
  const pageSize = Math.max(3, Math.min(15, rows - 14));
  const items = state.loaded ? options.items(state.loaded) : none;
  const list = useFilterList(items);
  const {current} = options;
  const listDispatch = list.dispatch;
  // Once loaded, the cursor starts on the current choice (Enter right away changes nothing).
  useEffect(() => {
    if (!state.loaded) return;
    const all = options.items(state.loaded);
    const index = all.findIndex((item) => item.name === current(state.loaded!, state.scope));
    if (index > 0) listDispatch({type: 'move', by: index, count: all.length});
    // Only when the choices arrive.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.loaded]);

  useEffect(() => {
    let cancelled = false;
    load(deps).then(
      (loaded) => {
        if (!cancelled) dispatch({type: 'loaded', loaded});
      },
      (error: unknown) => {
        if (!cancelled) dispatch({type: 'loadFailed', message: errorText(error, screenVocabulary)});
      },
    );
    return () => {
      cancelled = true;
    };
  }, [deps, load]);

  const applyChoice = useCallback(
    async (name: string, scope: Source) => {
      dispatch({type: 'switching'});
      try {
        onApplied(await apply(deps, name, scope));
      } catch (error) {
        dispatch({type: 'switchFailed', message: errorText(error, screenVocabulary)});
      }
    },
    [apply, deps, onApplied],
  );

  const onKey = (_input: string, key: Key): boolean => {
    if (key.escape) {
      onClose();
      return true;
    }
    if (state.status !== 'ready') return true;
    if (key.tab) {
      dispatch({type: 'toggleScope'});
      return true;
    }
    if (key.return) {
      if (list.highlighted) void applyChoice(list.highlighted.name, state.scope);
      return true;
    }
    return false;
  };
  useFilterListInput(list.dispatch, {isActive, count: list.visible.length, pageSize, onKey});

  return {state, items, list, pageSize};
}
