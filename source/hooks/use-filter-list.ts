// State and input for a type-to-filter list (ink-ui's split: this file holds the state hook and
// the input hook; components/select-list.tsx is the view). Filtering is a substring match over
// names, recomputed only when the query or the items change; the view renders a window.
import type {Key} from 'ink';
import {useScreenInput} from '../components/help-host.js';
import {useMemo, useReducer} from 'react';
import {assertNever} from '../lib/errors.js';

export type FilterListState = {query: string; cursor: number};

export type FilterListAction =
  | {type: 'type'; text: string}
  | {type: 'erase'}
  | {type: 'move'; by: number; count: number}
  | {type: 'clear'};

/** Characters a profile or stack name may hold (lib/names.ts), `-` included. */
const nameCharacters = /^[A-Za-z0-9._-]+$/;

export function filterListReducer(
  state: FilterListState,
  action: FilterListAction,
): FilterListState {
  switch (action.type) {
    case 'type':
      return {query: state.query + action.text, cursor: 0};
    case 'erase':
      return state.query === '' ? state : {query: state.query.slice(0, -1), cursor: 0};
    case 'move': {
      if (action.count === 0) return {...state, cursor: 0};
      const cursor = Math.min(Math.max(state.cursor + action.by, 0), action.count - 1);
      return cursor === state.cursor ? state : {...state, cursor};
    }
    case 'clear':
      return {query: '', cursor: 0};
    default:
      return assertNever(action);
  }
}

export function filterByName<T extends {name: string}>(items: readonly T[], query: string): T[] {
  if (query === '') return items.slice();
  const needle = query.toLowerCase();
  return items.filter((item) => item.name.toLowerCase().includes(needle));
}

export type FilterList<T> = {
  state: FilterListState;
  visible: T[];
  highlighted: T | undefined;
  dispatch: (action: FilterListAction) => void;
};

export function useFilterList<T extends {name: string}>(
  items: readonly T[],
  initialCursor = 0,
): FilterList<T> {
  const [state, dispatch] = useReducer(filterListReducer, {query: '', cursor: initialCursor});
  const visible = useMemo(() => filterByName(items, state.query), [items, state.query]);
  const cursor = Math.min(state.cursor, Math.max(visible.length - 1, 0));
  return {state: {...state, cursor}, visible, highlighted: visible[cursor], dispatch};
}

export type FilterListInputOptions = {
  isActive: boolean;
  count: number;
  pageSize: number;
  /** Keys the screen handles itself (Enter, Esc, Tab); return true when handled. */
  onKey?: (input: string, key: Key) => boolean;
};

export function useFilterListInput(
  dispatch: (action: FilterListAction) => void,
  options: FilterListInputOptions,
): void {
  const {count, pageSize} = options;
  useScreenInput(
    (input, key) => {
      if (options.onKey?.(input, key)) return;
      if (key.upArrow) dispatch({type: 'move', by: -1, count});
      else if (key.downArrow) dispatch({type: 'move', by: 1, count});
      else if (key.pageUp) dispatch({type: 'move', by: -pageSize, count});
      else if (key.pageDown) dispatch({type: 'move', by: pageSize, count});
      else if (key.backspace || key.delete) dispatch({type: 'erase'});
      else if (!key.ctrl && !key.meta && nameCharacters.test(input))
        dispatch({type: 'type', text: input});
    },
    {isActive: options.isActive},
  );
}

/** The first row of a window of `size` rows that keeps `cursor` visible, near the middle. */
export function windowStart(cursor: number, count: number, size: number): number {
  if (count <= size) return 0;
  return Math.min(Math.max(cursor - Math.floor(size / 2), 0), count - size);
}
