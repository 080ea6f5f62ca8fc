// Stack switcher: type to filter (any character a name may hold, `-` included), arrows move,
// Tab chooses where the switch applies (this repository / global), Enter applies through the
// stacks service. Only a window of rows is rendered, so 500 stacks filter as fast as five.
import {Box, Text, useWindowSize} from 'ink';
import {keyHints, type KeyHint} from '../components/key-footer.js';
import {memo, useMemo} from 'react';
import {ScreenFrame} from '../components/screen-frame.js';
import {SelectList} from '../components/select-list.js';
import type {Deps} from '../deps.js';
import {useSwitcher, type SwitcherState} from '../hooks/use-switcher.js';
import {useTheme} from '../hooks/use-theme.js';
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

export type StackSwitcherProps = {
  deps: Deps;
  isActive: boolean;
  onApplied: (result: SetStackResult) => void;
  onClose: () => void;
};

async function loadStacks(deps: Deps): Promise<Loaded> {
  const [{stacks, context}, {components}] = await Promise.all([
    listStacks(deps),
    listComponents(deps),
  ]);
  const flavors = new Map(components.map((c: Component) => [`${c.type}/${c.name}`, c.flavor]));
  stacks.sort((a, b) => a.name.localeCompare(b.name));
  return {stacks, context, flavors};
}

const stacksOf = (loaded: Loaded) => loaded.stacks;
const applyStack = (deps: Deps, name: string, scope: Source) =>
  setActiveStack(deps, {name, global: scope === 'global'});

export function StackSwitcher({deps, isActive, onApplied, onClose}: StackSwitcherProps) {
  const {
    state,
    items: stacks,
    list,
    pageSize,
  } = useSwitcher({
    deps,
    isActive,
    load: loadStacks,
    items: stacksOf,
    apply: applyStack,
    current: currentStack,
    onApplied,
    onClose,
  });
  const current = state.loaded ? currentStack(state.loaded, state.scope) : undefined;
  const {columns} = useWindowSize();
  const listWidth = switcherListWidth(columns);
  const context = state.loaded?.context;
  const hints = useMemo(() => switcherHints(context), [context]);

  return (
    <ScreenFrame title="stacks" hints={hints}>
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
            <Box width={listWidth} flexShrink={0} flexDirection="column">
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

function currentStack(loaded: Loaded, scope: Source): string | undefined {
  const {context} = loaded;
  return scope === 'local' ? context.stackName : context.profile.activeStack;
}

/** The list takes up to 36 columns, less on a narrow terminal, so the details keep room. */
export function switcherListWidth(columns: number): number {
  return Math.max(16, Math.min(36, Math.floor(columns * 0.4)));
}

/** The switchers' keys; Tab only where it does something (inside a berth repository). */
export function switcherHints(context: ActiveContext | undefined): KeyHint[] {
  return [
    {key: 'type', label: 'filter'},
    keyHints.move,
    ...(context?.repositoryRoot ? [{key: 'tab', label: 'here / global'}] : []),
    keyHints.enter('switch'),
    keyHints.back,
  ];
}

/** Short names, so a component fits beside the list on a 60-column terminal. */
const componentLabels: Record<ComponentType, string> = {
  orchestrator: 'orchestrator',
  artifact_store: 'artifacts',
  container_registry: 'registry',
  image_builder: 'builder',
};

const ScopeLine = memo(function ScopeLine({
  scope,
  context,
}: {
  scope: Source;
  context: ActiveContext;
}) {
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
});

const StackDetails = memo(function StackDetails({
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
      <Text bold wrap="wrap">
        {stack.name}
      </Text>
      {rows.map((row) => (
        <Box key={row.type}>
          <Box width={13} flexShrink={0}>
            <Text dimColor>{componentLabels[row.type]}</Text>
          </Box>
          <Text wrap="wrap">
            {row.name}
            {row.flavor ? <Text dimColor> ({row.flavor})</Text> : null}
          </Text>
        </Box>
      ))}
    </Box>
  );
});

function StatusLine({state}: {state: SwitcherState<Loaded>}) {
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
