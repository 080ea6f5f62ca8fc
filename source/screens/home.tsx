// Home: where am I (repository, profile, stack, checkout), what is set up (tokens), what ran
// lately; every other screen is one key away. The view is pure; the app runs the commands.
import {Box, Text, useInput} from 'ink';
import type {ReactNode} from 'react';
import type {KeyHint} from '../components/key-footer.js';
import {ScreenFrame} from '../components/screen-frame.js';
import type {ActiveContextState} from '../hooks/use-active-context.js';
import type {CodeReferenceState} from '../hooks/use-code-reference.js';
import {useTheme} from '../hooks/use-theme.js';
import type {ScreenId} from './navigation.js';
import {pluginScreenIds, pluginScreens} from './registry.js';

export type HomeCommand =
  | {type: 'open'; screen: ScreenId}
  | {type: 'previousStack'}
  | {type: 'init'}
  | {type: 'help'}
  | {type: 'quit'};

export const homeHints: readonly KeyHint[] = [
  {key: 's', label: 'stacks'},
  {key: 'p', label: 'profiles'},
  {key: '-', label: 'previous stack'},
  ...pluginScreenIds.map((id) => ({
    key: pluginScreens[id].key,
    label: pluginScreens[id].title.toLowerCase(),
  })),
  {key: 'w', label: 'setup'},
  {key: '?', label: 'help'},
  {key: 'q', label: 'quit'},
];

export type HomeProps = {
  state: ActiveContextState;
  code: CodeReferenceState;
  isActive: boolean;
  onCommand: (command: HomeCommand) => void;
};

export function HomeScreen({state, code, isActive, onCommand}: HomeProps) {
  useHomeInput(onCommand, {
    isActive,
    canInit: Boolean(state.context && !state.context.repositoryRoot),
  });
  return (
    <ScreenFrame title="home" hints={homeHints}>
      <HomeBody state={state} code={code} />
    </ScreenFrame>
  );
}

function useHomeInput(
  onCommand: (command: HomeCommand) => void,
  options: {isActive: boolean; canInit: boolean},
) {
  useInput(
    (input, key) => {
      if (key.escape || input === 'q') return onCommand({type: 'quit'});
      if (input === '?') return onCommand({type: 'help'});
      if (input === 's') return onCommand({type: 'open', screen: 'stacks'});
      if (input === 'p') return onCommand({type: 'open', screen: 'profiles'});
      if (input === 'w') return onCommand({type: 'open', screen: 'setup'});
      if (input === '-') return onCommand({type: 'previousStack'});
      if (input === 'i' && options.canInit) return onCommand({type: 'init'});
      const plugin = pluginScreenIds.find((id) => pluginScreens[id].key === input);
      if (plugin) onCommand({type: 'open', screen: plugin});
    },
    {isActive: options.isActive},
  );
}

function Row({label, children}: {label: string; children: ReactNode}) {
  return (
    <Box>
      <Box width={12} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Box flexGrow={1}>{children}</Box>
    </Box>
  );
}

function HomeBody({state, code}: {state: ActiveContextState; code: CodeReferenceState}) {
  const theme = useTheme();
  const {context} = state;
  if (state.error) {
    return (
      <Text color={theme.tint('error')} wrap="wrap">
        {state.error}
      </Text>
    );
  }
  if (!context) return <Text dimColor>Reading the configuration…</Text>;
  return (
    <Box flexDirection="column">
      <Row label="Profile">
        <Text>
          <Text bold>{context.profile.name}</Text> <Text dimColor>({context.profileSource})</Text>
        </Text>
      </Row>
      <Row label="Stack">
        <Text>
          <Text bold color={theme.tint('accent')}>
            {context.stackName}
          </Text>{' '}
          <Text dimColor>({context.stackSource})</Text>
        </Text>
      </Row>
      <Row label="Repository">
        {context.repositoryRoot ? (
          <Text wrap="truncate-middle">{context.repositoryRoot}</Text>
        ) : (
          <Text color={theme.tint('warning')}>not a berth repository — press i to init</Text>
        )}
      </Row>
      <Row label="Code">
        <CodeLine code={code} />
      </Row>
      <Row label="Tokens">
        {/* SLOT: token status from the tokens service (token list) once it lands. */}
        <Text dimColor>press t for tokens</Text>
      </Row>
      <Row label="Recent">
        {/* SLOT: recent publishes and runs from the publish/runs services. */}
        <Text dimColor>No publishes or runs yet.</Text>
      </Row>
      {context.notices.map((notice) => (
        <Text key={notice} color={theme.tint('warning')} wrap="wrap">
          ! {notice}
        </Text>
      ))}
      <Box marginTop={1} minHeight={1}>
        {state.busy ? <Text dimColor>Working…</Text> : null}
        {!state.busy && state.flash ? (
          <Text
            color={theme.tint(state.flash.tone === 'success' ? 'success' : 'error')}
            wrap="wrap"
          >
            {state.flash.tone === 'success' ? '✓ ' : '✗ '}
            {state.flash.text}
          </Text>
        ) : null}
      </Box>
    </Box>
  );
}

function CodeLine({code}: {code: CodeReferenceState}) {
  const theme = useTheme();
  if (code.status === 'loading') return <Text dimColor>reading git…</Text>;
  if (code.status === 'error') return <Text color={theme.tint('error')}>{code.message}</Text>;
  const {detection} = code;
  if (!detection.gitRoot) return <Text dimColor>not a git checkout</Text>;
  const parts: ReactNode[] = [];
  parts.push(
    <Text key="repo" bold>
      {detection.repository ?? 'unregistered'}
    </Text>,
  );
  if (detection.commit) parts.push(<Text key="commit"> @ {detection.commit.slice(0, 7)}</Text>);
  else
    parts.push(
      <Text key="commit" dimColor>
        {' '}
        no commits
      </Text>,
    );
  parts.push(
    <Text key="clean" color={theme.tint(detection.clean ? 'success' : 'warning')}>
      {detection.clean ? ' · clean' : ' · dirty'}
    </Text>,
  );
  parts.push(
    <Text key="pushed" color={theme.tint(detection.pushed ? 'success' : 'warning')}>
      {detection.pushed ? ' · pushed' : ' · not pushed'}
    </Text>,
  );
  return <Text wrap="truncate-end">{parts}</Text>;
}
