// Stack switcher: type to filter (any character a name may hold, `-` included), arrows move,
// Tab chooses where the switch applies (this repository / global), Enter applies through the
// stacks service. Only a window of rows is rendered, so 500 stacks filter as fast as five.
import {Box, Text, useWindowSize, type Key} from 'ink';
import {useCallback, useEffect, useMemo, useReducer} from 'react';
import {ScreenFrame} from '../components/screen-frame.js';
import {SelectList} from '../components/select-list.js';
import type {Deps} from '../deps.js';
import {userFacingError} from '../hooks/use-active-context.js';
import {useFilterList, useFilterListInput} from '../hooks/use-filter-list.js';
import {useTheme} from '../hooks/use-theme.js';
import {assertNever} from '../lib/errors.js';
import type {Source} from '../models/profile.js';
import {componentTypes, type Component, type ComponentType} from '../models/stack.js';
import type {ActiveContext} from '../services/context.js';
import {listComponents} from '../services/components.js';
import {
  listStacks,
  setActiveStack,
  type SetStackResult,
  type StackView,
} from '../services/stacks.js';

type Loaded = {stacks: StackView[]; context: ActiveContext; flavors: Map<string, string>};

type SwitcherState = {
  status: 'loading' | 'ready' | 'switching' | 'failed';
  loaded: Loaded | undefined;
  scope: Source;
  error: string | undefined;
};

type SwitcherAction =
  | {type: 'loaded'; loaded: Loaded}
  | {type: 'loadFailed'; message: string}
  | {type: 'toggleScope'}
  | {type: 'switching'}
  | {type: 'switchFailed'; message: string};

function switcherReducer(state: SwitcherState, action: SwitcherAction): SwitcherState {
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

export type StackSwitcherProps = {
  deps: Deps;
  isActive: boolean;
  onApplied: (result: SetStackResult) => void;
  onClose: () => void;
};

const noStacks: StackView[] = [];

export function StackSwitcher({deps, isActive, onApplied, onClose}: StackSwitcherProps) {
  const [state, dispatch] = useReducer(switcherReducer, {
    status: 'loading',
    loaded: undefined,
    scope: 'global',
    error: undefined,
  });
  const {rows} = useWindowSize();
  const pageSize = Math.max(3, Math.min(15, rows - 14));
  const stacks = state.loaded?.stacks ?? noStacks;
  const current = currentStackName(state);
  const list = useFilterList(stacks);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [{stacks, context}, {components}] = await Promise.all([
          listStacks(deps),
          listComponents(deps),
        ]);
        const flavors = new Map(
          components.map((c: Component) => [`${c.type}/${c.name}`, c.flavor]),
        );
        stacks.sort((a, b) => a.name.localeCompare(b.name));
        if (!cancelled) dispatch({type: 'loaded', loaded: {stacks, context, flavors}});
      } catch (error) {
        if (!cancelled) dispatch({type: 'loadFailed', message: userFacingError(error)});
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [deps]);

  const apply = useCallback(
    async (name: string, scope: Source) => {
      dispatch({type: 'switching'});
      try {
        onApplied(await setActiveStack(deps, {name, global: scope === 'global'}));
      } catch (error) {
        dispatch({type: 'switchFailed', message: userFacingError(error)});
      }
    },
    [deps, onApplied],
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
      if (list.highlighted) void apply(list.highlighted.name, state.scope);
      return true;
    }
    return false;
  };
  useFilterListInput(list.dispatch, {isActive, count: list.visible.length, pageSize, onKey});

  return (
    <ScreenFrame
      title="stacks"
      hints={[
        {key: 'type', label: 'filter'},
        {key: '↑↓', label: 'move'},
        {key: 'tab', label: 'this repository / global'},
        {key: 'enter', label: 'switch'},
        {key: 'esc', label: 'close'},
      ]}
    >
      {state.status === 'loading' ? <Text dimColor>Loading stacks…</Text> : null}
      {state.loaded ? (
        <Box flexDirection="column">
          <ScopeLine scope={state.scope} context={state.loaded.context} />
          <Text>
            <Text dimColor>Filter: </Text>
            <Text bold>{list.state.query}</Text>
            <Text dimColor>
              {'▏'} {list.visible.length}/{stacks.length}
            </Text>
          </Text>
          <Box marginTop={1} columnGap={2}>
            <Box width={36} flexShrink={0} flexDirection="column">
              <SelectList
                items={list.visible}
                cursor={list.state.cursor}
                size={pageSize}
                label={(stack) => stack.name}
                isCurrent={(stack) => stack.name === current}
                emptyText={`No stack matches "${list.state.query}".`}
              />
            </Box>
            <StackDetails stack={list.highlighted} flavors={state.loaded.flavors} />
          </Box>
        </Box>
      ) : null}
      <StatusLine state={state} />
    </ScreenFrame>
  );
}

function currentStackName(state: SwitcherState): string | undefined {
  const context = state.loaded?.context;
  if (!context) return undefined;
  return state.scope === 'local' ? context.stackName : context.profile.activeStack;
}

function ScopeLine({scope, context}: {scope: Source; context: ActiveContext}) {
  const theme = useTheme();
  if (!context.repositoryRoot) {
    return (
      <Text wrap="wrap">
        <Text dimColor>Applies: </Text>
        <Text bold>global</Text>
        <Text color={theme.tint('warning')}>
          {' '}
          — outside a berth repository only the global stack can change (press i on home to init).
        </Text>
      </Text>
    );
  }
  const shadowed = scope === 'global' && context.stackSource === 'local';
  return (
    <Text wrap="wrap">
      <Text dimColor>Applies: </Text>
      <Text bold={scope === 'local'} dimColor={scope !== 'local'}>
        {scope === 'local' ? '● ' : '○ '}this repository
      </Text>
      <Text> </Text>
      <Text bold={scope === 'global'} dimColor={scope !== 'global'}>
        {scope === 'global' ? '● ' : '○ '}global
      </Text>
      {shadowed ? <Text dimColor> (this repository's own stack still applies here)</Text> : null}
    </Text>
  );
}

function StackDetails({
  stack,
  flavors,
}: {
  stack: StackView | undefined;
  flavors: Map<string, string>;
}) {
  const rows = useMemo(() => {
    if (!stack) return [];
    return componentTypes
      .map((type: ComponentType) => {
        const name = stack.components[type];
        return name ? {type, name, flavor: flavors.get(`${type}/${name}`)} : undefined;
      })
      .filter((row) => row !== undefined);
  }, [stack, flavors]);
  if (!stack) return null;
  return (
    <Box flexDirection="column" flexGrow={1}>
      <Text bold wrap="truncate-end">
        {stack.name}
      </Text>
      {rows.map((row) => (
        <Text key={row.type} wrap="truncate-end">
          <Text dimColor>{row.type.padEnd(19)}</Text>
          {row.name}
          {row.flavor ? <Text dimColor> ({row.flavor})</Text> : null}
        </Text>
      ))}
    </Box>
  );
}

function StatusLine({state}: {state: SwitcherState}) {
  const theme = useTheme();
  if (state.status === 'switching') return <Text color={theme.tint('accent')}>Switching…</Text>;
  if (state.error) {
    return (
      <Text color={theme.tint('error')} wrap="wrap">
        ✗ {state.error}
      </Text>
    );
  }
  return null;
}
