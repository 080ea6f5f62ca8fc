// Profile switcher: the stack switcher's keys, over profiles, applied through the profiles
// service (a profile switch in a repository also resets its stack to the profile's own).
import {Box, Text, useWindowSize, type Key} from 'ink';
import {useCallback, useEffect, useReducer} from 'react';
import {ScreenFrame} from '../components/screen-frame.js';
import {SelectList} from '../components/select-list.js';
import type {Deps} from '../deps.js';
import {userFacingError} from '../hooks/use-active-context.js';
import {useFilterList, useFilterListInput} from '../hooks/use-filter-list.js';
import {useTheme} from '../hooks/use-theme.js';
import {assertNever} from '../lib/errors.js';
import type {Source} from '../models/profile.js';
import type {ActiveContext} from '../services/context.js';
import {listProfiles, setActiveProfile, type ProfileView} from '../services/profiles.js';

export type ProfileSwitchResult = Awaited<ReturnType<typeof setActiveProfile>>;

type Loaded = {profiles: ProfileView[]; context: ActiveContext};

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

export type ProfileSwitcherProps = {
  deps: Deps;
  isActive: boolean;
  onApplied: (result: ProfileSwitchResult) => void;
  onClose: () => void;
};

const noProfiles: ProfileView[] = [];

export function ProfileSwitcher({deps, isActive, onApplied, onClose}: ProfileSwitcherProps) {
  const theme = useTheme();
  const [state, dispatch] = useReducer(switcherReducer, {
    status: 'loading',
    loaded: undefined,
    scope: 'global',
    error: undefined,
  });
  const {rows} = useWindowSize();
  const pageSize = Math.max(3, Math.min(15, rows - 14));
  const profiles = state.loaded?.profiles ?? noProfiles;
  const list = useFilterList(profiles);
  const context = state.loaded?.context;
  const current = context
    ? state.scope === 'local'
      ? context.profile.name
      : context.config.activeProfile
    : undefined;

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const {profiles, context} = await listProfiles(deps);
        if (!cancelled)
          dispatch({
            type: 'loaded',
            loaded: {profiles: [...profiles].sort((a, b) => a.name.localeCompare(b.name)), context},
          });
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
        onApplied(await setActiveProfile(deps, {name, global: scope === 'global'}));
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

  const highlighted = list.highlighted;
  return (
    <ScreenFrame
      title="profiles"
      hints={[
        {key: 'type', label: 'filter'},
        {key: '↑↓', label: 'move'},
        {key: 'tab', label: 'this repository / global'},
        {key: 'enter', label: 'switch'},
        {key: 'esc', label: 'close'},
      ]}
    >
      {state.status === 'loading' ? <Text dimColor>Loading profiles…</Text> : null}
      {context ? (
        <Box flexDirection="column">
          <Text wrap="wrap">
            <Text dimColor>Applies: </Text>
            {context.repositoryRoot ? (
              <Text bold>
                {state.scope === 'local'
                  ? '● this repository  ○ global'
                  : '○ this repository  ● global'}
              </Text>
            ) : (
              <Text>
                <Text bold>global</Text>
                <Text color={theme.tint('warning')}>
                  {' '}
                  — outside a berth repository only the global profile can change.
                </Text>
              </Text>
            )}
          </Text>
          <Text>
            <Text dimColor>Filter: </Text>
            <Text bold>{list.state.query}</Text>
            <Text dimColor>
              {'▏'} {list.visible.length}/{profiles.length}
            </Text>
          </Text>
          <Box marginTop={1} columnGap={2}>
            <Box width={36} flexShrink={0}>
              <SelectList
                items={list.visible}
                cursor={list.state.cursor}
                size={pageSize}
                label={(profile) => profile.name}
                isCurrent={(profile) => profile.name === current}
                emptyText={`No profile matches "${list.state.query}".`}
              />
            </Box>
            {highlighted ? (
              <Box flexDirection="column" flexGrow={1}>
                <Text bold>{highlighted.name}</Text>
                <Text>
                  <Text dimColor>store </Text>
                  {highlighted.storeType}
                </Text>
                <Text>
                  <Text dimColor>active stack </Text>
                  {highlighted.activeStack}
                </Text>
              </Box>
            ) : null}
          </Box>
        </Box>
      ) : null}
      {state.status === 'switching' ? <Text color={theme.tint('accent')}>Switching…</Text> : null}
      {state.error ? (
        <Text color={theme.tint('error')} wrap="wrap">
          ✗ {state.error}
        </Text>
      ) : null}
    </ScreenFrame>
  );
}
