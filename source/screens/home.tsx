// Home: where am I (repository, profile, stack, checkout), what is set up (tokens), what ran
// lately; every other screen is one key away. The view is pure; the app runs the commands.
import {Box, Text, useWindowSize} from 'ink';
import {useScreenInput} from '../components/help-host.js';
import type {ReactNode} from 'react';
import {keyHints, type KeyHint} from '../components/key-footer.js';
import {LabelRow} from '../components/label-row.js';
import {ScreenFrame} from '../components/screen-frame.js';
import type {ActiveContextState} from '../hooks/use-active-context.js';
import type {CodeReferenceState} from '../hooks/use-code-reference.js';
import {useDeps} from '../hooks/use-deps.js';
import {
  recentLimit,
  useHomeSummary,
  type HomeSummary,
  type RecentActivity,
} from '../hooks/use-home-summary.js';
import {useTheme} from '../hooks/use-theme.js';
import type {TokenStatus} from '../services/tokens.js';
import type {ScreenId} from './navigation.js';
import {pluginScreenIds, pluginScreens} from './registry.js';
import {ago} from '../lib/format.js';

export type HomeCommand =
  | {type: 'open'; screen: ScreenId}
  | {type: 'previousStack'}
  | {type: 'init'}
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
  keyHints.help,
  keyHints.quit,
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
  const summary = useHomeSummary(useDeps(), state.version, Boolean(state.context));
  return (
    <ScreenFrame title="home" hints={homeHints}>
      <HomeBody state={state} code={code} summary={summary} />
    </ScreenFrame>
  );
}

function useHomeInput(
  onCommand: (command: HomeCommand) => void,
  options: {isActive: boolean; canInit: boolean},
) {
  useScreenInput(
    (input) => {
      // Esc goes back, and home is where back ends: only q quits (help-host.tsx, keyGrammar).
      if (input === 'q') return onCommand({type: 'quit'});
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

function HomeBody({
  state,
  code,
  summary,
}: {
  state: ActiveContextState;
  code: CodeReferenceState;
  summary: HomeSummary;
}) {
  const theme = useTheme();
  // 80x24 has room for three of each; a taller terminal shows five.
  const {rows} = useWindowSize();
  const limit = rows >= 32 ? recentLimit : 3;
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
      <LabelRow label="Profile">
        <Text>
          <Text bold>{context.profile.name}</Text> <Text dimColor>({context.profileSource})</Text>
        </Text>
      </LabelRow>
      <LabelRow label="Stack">
        <Text>
          <Text bold color={theme.tint('accent')}>
            {context.stackName}
          </Text>{' '}
          <Text dimColor>({context.stackSource})</Text>
        </Text>
      </LabelRow>
      <LabelRow label="Repository">
        {context.repositoryRoot ? (
          <Text wrap="truncate-middle">{context.repositoryRoot}</Text>
        ) : (
          <Text color={theme.tint('warning')}>not a berth repository — press i to init</Text>
        )}
      </LabelRow>
      <LabelRow label="Code">
        <CodeLine code={code} />
      </LabelRow>
      <LabelRow label="Tokens">
        <TokensLine tokens={summary.tokens} />
      </LabelRow>
      <Recent recent={summary.recent} limit={limit} />
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

/** What is wrong with a token that a glance should catch (the tokens service decides). */
export function tokenProblem(token: TokenStatus): string | undefined {
  const {expiry} = token;
  if (!expiry) return undefined;
  return expiry.expired
    ? `${token.name} expired ${expiry.date}`
    : `${token.name} expires in ${expiry.daysLeft}d`;
}

function TokensLine({tokens}: {tokens: HomeSummary['tokens']}) {
  const theme = useTheme();
  if (tokens.status === 'loading') return <Text dimColor>reading…</Text>;
  if (tokens.status === 'error') return <Text color={theme.tint('error')}>{tokens.message}</Text>;
  const list = tokens.value;
  if (list.length === 0)
    return <Text color={theme.tint('warning')}>none — press t to add one, or w for setup</Text>;
  const problems = list.map((token) => tokenProblem(token)).filter(Boolean);
  return (
    <Text wrap="truncate-end">
      {list.length} token{list.length === 1 ? '' : 's'}
      {list.map((token) => (
        <Text key={token.name}>
          <Text dimColor> · </Text>
          {token.name} <Text dimColor>({token.storage})</Text>
        </Text>
      ))}
      {problems.length > 0 ? (
        <Text color={theme.tint('warning')}> ! {problems.join(', ')}</Text>
      ) : null}
    </Text>
  );
}

function statusTint(status: string): 'success' | 'error' | 'warning' | undefined {
  if (status === 'published' || status === 'succeeded') return 'success';
  if (status === 'failed') return 'error';
  if (status === 'cancelled' || status === 'outdated') return 'warning';
  return undefined;
}

export function StatusText({status}: {status: string}) {
  const theme = useTheme();
  const tint = statusTint(status);
  return <Text color={tint ? theme.tint(tint) : undefined}>{status}</Text>;
}

function Recent({recent, limit}: {recent: HomeSummary['recent']; limit: number}) {
  const theme = useTheme();
  if (recent.status === 'loading')
    return (
      <LabelRow label="Recent">
        <Text dimColor>reading…</Text>
      </LabelRow>
    );
  if (recent.status === 'error')
    return (
      <LabelRow label="Recent">
        <Text color={theme.tint('error')}>{recent.message}</Text>
      </LabelRow>
    );
  const {publishes, runs}: RecentActivity = recent.value;
  if (publishes.length === 0 && runs.length === 0)
    return (
      <LabelRow label="Recent">
        <Text dimColor>No publishes or runs yet.</Text>
      </LabelRow>
    );
  return (
    <>
      <LabelRow label="Publishes">
        {publishes.length === 0 ? (
          <Text dimColor>none yet — press b to publish</Text>
        ) : (
          <Box flexDirection="column">
            {publishes.slice(0, limit).map((module) => (
              <Text key={`${module.slug}@${module.version}`} wrap="truncate-end">
                <Text bold>
                  {module.slug}@{module.version}
                </Text>{' '}
                <StatusText status={module.displayStatus} />
                <Text dimColor> · {ago(module.createdAt)}</Text>
              </Text>
            ))}
          </Box>
        )}
      </LabelRow>
      <LabelRow label="Runs">
        {runs.length === 0 ? (
          <Text dimColor>none yet</Text>
        ) : (
          <Box flexDirection="column">
            {runs.slice(0, limit).map((run) => (
              <Text key={run.id} wrap="truncate-end">
                <Text bold>
                  {run.module}@{run.version}
                </Text>{' '}
                <StatusText status={run.status} />
                <Text dimColor>
                  {' '}
                  · {ago(run.startedAt)} · {run.id}
                </Text>
              </Text>
            ))}
          </Box>
        )}
      </LabelRow>
    </>
  );
}
