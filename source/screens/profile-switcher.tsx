// Profile switcher: the stack switcher's keys, over profiles, applied through the profiles
// service (a profile switch in a repository also resets its stack to the profile's own).
import {Box, Text, useWindowSize} from 'ink';
import {switcherHints, switcherListWidth} from './stack-switcher.js';
import {ScreenFrame} from '../components/screen-frame.js';
import {SelectList} from '../components/select-list.js';
import type {Deps} from '../deps.js';
import {useSwitcher} from '../hooks/use-switcher.js';
import {useTheme} from '../hooks/use-theme.js';
import type {Source} from '../models/profile.js';
import type {ActiveContext} from '../services/context.js';
import {listProfiles, setActiveProfile, type ProfileView} from '../services/profiles.js';

export type ProfileSwitchResult = Awaited<ReturnType<typeof setActiveProfile>>;

type Loaded = {profiles: ProfileView[]; context: ActiveContext};

export type ProfileSwitcherProps = {
  deps: Deps;
  isActive: boolean;
  onApplied: (result: ProfileSwitchResult) => void;
  onClose: () => void;
};

async function loadProfiles(deps: Deps): Promise<Loaded> {
  const {profiles, context} = await listProfiles(deps);
  return {profiles: [...profiles].sort((a, b) => a.name.localeCompare(b.name)), context};
}

const profilesOf = (loaded: Loaded) => loaded.profiles;
const applyProfile = (deps: Deps, name: string, scope: Source) =>
  setActiveProfile(deps, {name, global: scope === 'global'});

function currentProfile(loaded: Loaded, scope: Source): string | undefined {
  return scope === 'local' ? loaded.context.profile.name : loaded.context.config.activeProfile;
}

export function ProfileSwitcher({deps, isActive, onApplied, onClose}: ProfileSwitcherProps) {
  const theme = useTheme();
  const {
    state,
    items: profiles,
    list,
    pageSize,
  } = useSwitcher({
    deps,
    isActive,
    load: loadProfiles,
    items: profilesOf,
    apply: applyProfile,
    current: currentProfile,
    onApplied,
    onClose,
  });
  const context = state.loaded?.context;
  const current = state.loaded ? currentProfile(state.loaded, state.scope) : undefined;
  const {columns} = useWindowSize();

  const highlighted = list.highlighted;
  return (
    <ScreenFrame title="profiles" hints={switcherHints(context)}>
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
            <Box width={switcherListWidth(columns)} flexShrink={0}>
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
                <Text bold wrap="wrap">
                  {highlighted.name}
                </Text>
                <Text wrap="wrap">
                  <Text dimColor>store </Text>
                  {highlighted.storeType}
                </Text>
                <Text wrap="wrap">
                  <Text dimColor>stack </Text>
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
