// The publish pane's view: a state machine over what the user does (STYLE.md 8); what the build
// did is read from the model at each flush. publish-pane.tsx runs it.
import {Box, Text, useWindowSize} from 'ink';
import {useOwnQuestionMark, useScreenInput, useTextEntry} from '../components/help-host.js';
import {useMemo, useReducer, useRef} from 'react';
import {LogPane, clampTop} from '../components/log-pane.js';
import {StepChart} from '../components/step-chart.js';
import {
  fit,
  fitMiddle,
  formatDuration,
  StepList,
  wrapRows,
  type StepRow,
} from '../components/step-list.js';
import {useBuildLog, type BuildLogClock} from '../hooks/use-build-log.js';
import {useTheme, type TintName} from '../hooks/use-theme.js';
import {errorMessage} from '../lib/errors.js';
import {formatBytes} from '../lib/format.js';
import {findMatches, nextMatch, type LineSource} from '../lib/log-search.js';
import type {RingBuffer} from '../lib/ring-buffer.js';
import type {PublishState} from '../models/publish-events.js';
import {
  isLayerDone,
  pushTotals,
  type LayerProgress,
  type PublishLogModel,
} from '../services/publish/log-model.js';

/** What the pane's view needs from whoever runs it (runPublishPane, or a test). */
export type PaneControl = BuildLogClock & {
  readonly cancelRequested: boolean;
  /** The service has returned: the pane may be closed. */
  readonly serviceDone: boolean;
  cancel(): void;
  /** Ctrl+C: cancel a running publish (and leave once it stopped), or leave a finished one. */
  interrupt(): void;
  close(): void;
  save(): Promise<string>;
  /** The full log the service writes (in berth's state directory), once the publish is recorded. */
  logFile?(): string | undefined;
  /** What to do after a failure, in this front end's words (its fields and keys). */
  nextStep?(): string | undefined;
};

type Flash = {tone: TintName; text: string};

type ViewState = {
  /** The log source the scroll position belongs to; a new source (a failure) starts at its end. */
  sourceKey: string;
  follow: boolean;
  /** Absolute line number (counting dropped lines) of the first visible row when not following. */
  anchor: number;
  mode: 'normal' | 'search' | 'help';
  draft: string;
  query: string;
  /** Absolute line number of the current match. */
  match: number | null;
  flash: Flash | null;
};

type ViewAction =
  | {type: 'scrollTo'; sourceKey: string; anchor: number; follow: boolean}
  | {type: 'startSearch'}
  | {type: 'editSearch'; draft: string}
  | {type: 'submitSearch'}
  | {type: 'cancelSearch'}
  | {type: 'clearSearch'}
  | {type: 'jump'; sourceKey: string; match: number; anchor: number}
  | {type: 'toggleHelp'}
  | {type: 'flash'; flash: Flash | null};

export const initialViewState: ViewState = {
  sourceKey: 'tail',
  follow: true,
  anchor: 0,
  mode: 'normal',
  draft: '',
  query: '',
  match: null,
  flash: null,
};

export function viewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'scrollTo':
      return {...state, sourceKey: action.sourceKey, anchor: action.anchor, follow: action.follow};
    case 'startSearch':
      return {...state, mode: 'search', draft: ''};
    case 'editSearch':
      return {...state, draft: action.draft};
    case 'submitSearch':
      return {...state, mode: 'normal', query: state.draft, match: null};
    case 'cancelSearch':
      return {...state, mode: 'normal', draft: ''};
    case 'clearSearch':
      return {...state, query: '', match: null};
    case 'jump':
      return {
        ...state,
        sourceKey: action.sourceKey,
        match: action.match,
        anchor: action.anchor,
        follow: false,
      };
    case 'toggleHelp':
      return {...state, mode: state.mode === 'help' ? 'normal' : 'help'};
    case 'flash':
      return {...state, flash: action.flash};
    default:
      return assertNever(action);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected action: ${JSON.stringify(value)}`);
}

/** The lines the pane scrolls through: the failing step's own output after a failure, else the whole log's tail. */
function logSource(model: PublishLogModel): {
  key: string;
  lines: RingBuffer<string>;
  label: string;
} {
  const failing = model.failingStep;
  if (failing && failing.lines.pushed > 0) {
    return {
      key: `step-${failing.index}`,
      lines: failing.lines,
      label: `Step ${failing.index}/${failing.total} output`,
    };
  }
  return {key: 'tail', lines: model.tail, label: 'Output'};
}

const stateTints: Record<PublishState, TintName> = {
  pending: 'muted',
  building: 'accent',
  pushing: 'accent',
  published: 'success',
  failed: 'error',
  cancelled: 'warning',
};

/** The view as it applies to `sourceKey`: a position taken in another source no longer means anything. */
export function viewFor(state: ViewState, sourceKey: string): ViewState {
  return state.sourceKey === sourceKey
    ? state
    : {...state, sourceKey, follow: true, anchor: 0, match: null};
}

export type PublishPaneViewProps = {
  model: PublishLogModel;
  control: PaneControl;
  title: string;
  flushIntervalMs?: number | undefined;
  /** Fixed size (tests); default: the terminal's, following resizes. */
  columns?: number;
  rows?: number;
  /** Rendered once more right before the pane closes. */
  final?: boolean;
};

export function PublishPaneView({
  model,
  control,
  title,
  flushIntervalMs,
  columns,
  rows,
  final,
}: PublishPaneViewProps) {
  const theme = useTheme();
  const size = useWindowSize();
  const width = Math.max(20, (columns ?? size.columns) - 2);
  const height = Math.max(8, rows ?? size.rows);
  const now = useBuildLog(control, flushIntervalMs);
  const [state, dispatch] = useReducer(viewReducer, initialViewState);

  const source = logSource(model);
  const lines = source.lines;
  const view = viewFor(state, source.key);
  const stateRef = useRef(state);
  stateRef.current = state;
  const act = (action: ViewAction) => {
    stateRef.current = viewReducer(stateRef.current, action);
    dispatch(action);
  };

  const finished = model.finished && control.serviceDone;
  const failing = model.failingStep;

  // Layout: every block has a known height so the frame never outgrows the terminal (a frame
  // taller than the screen makes Ink clear and resend everything).
  const budget = height - 1;
  const headerRows = 1;
  const footerRows = 1;
  const logHeaderRows = 1;
  // A failure's whole message where it fits (up to three rows): it says what to do next.
  const failureText = model.failure
    ? `✗ ${failing ? `Step ${failing.index}/${failing.total} failed: ` : ''}${model.failure.message}`
    : model.state === 'cancelled'
      ? '· Cancelled.'
      : '';
  const failureLines = wrapRows(failureText, width, height >= 20 ? 3 : 2);
  const failureRows = failureLines.length;
  // Then what to do about it, paragraph by paragraph, as far as it fits.
  const nextStep = model.state === 'failed' ? control.nextStep?.() : undefined;
  const nextStepLines = nextStepRows(nextStep, width, height >= 20 ? 4 : 3);
  const published = model.state === 'published' && model.summary !== null;
  // Schema changes against the previous version: up to three lines under the summary.
  const schemaRows = Math.min(3, model.summary?.schemaChanges?.length ?? 0);
  const summaryRows = published ? 3 + schemaRows : 0;
  const layers = [...model.layers.values()];
  const showPush =
    layers.length > 0 && (model.state === 'pushing' || (!published && model.finished));
  const activeLayers = layers.filter((layer) => !isLayerDone(layer.status));
  const pushRows = showPush ? 1 + Math.min(3, activeLayers.length) : 0;
  const stepRows: StepRow[] = model.steps.map((step) => ({
    index: step.index,
    total: step.total,
    instruction: step.instruction,
    status: step.status,
    cached: step.cached,
    durationMs: model.stepDuration(step, now),
  }));
  const chartData = published ? model.stepDurations(now) : [];
  const listCount = published ? chartData.length : stepRows.length;
  // Once it is over, where the full log is (berth's state directory).
  const logFile = model.finished ? control.logFile?.() : undefined;
  const logFileRows = logFile ? 1 : 0;
  const fixed =
    headerRows +
    footerRows +
    logHeaderRows +
    failureRows +
    nextStepLines.length +
    summaryRows +
    pushRows +
    logFileRows;
  const minLog = Math.min(published ? 3 : 5, Math.max(1, budget - fixed - 1));
  const listRows = Math.min(listCount, Math.max(listCount > 0 ? 1 : 0, budget - fixed - minLog));
  const logHeight = Math.max(1, budget - fixed - listRows);

  // Search over the current source, in absolute line numbers (lines keep theirs while the ring drops old ones).
  const base = lines.dropped;
  const matches = useMemo(
    () => findMatches(lines, view.query).map((index) => index + base),
    // The model mutates in place: its revision (via `now`) says when to look again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lines, view.query, view.query ? now : 0, base],
  );
  const maxTop = Math.max(0, lines.length - logHeight);
  const top = view.follow ? maxTop : clampTop(view.anchor - base, lines.length, logHeight);

  const jumpTo = (match: number | undefined) => {
    const v = viewFor(stateRef.current, source.key);
    if (match === undefined)
      return act({
        type: 'flash',
        flash: {tone: 'warning', text: `No match for "${v.query || v.draft}".`},
      });
    act({type: 'jump', sourceKey: source.key, match, anchor: match - Math.floor(logHeight / 2)});
    act({type: 'flash', flash: null});
  };

  // The pane has its own `?` (its keys beside the log): in the TUI the app's help leaves it be.
  useOwnQuestionMark(true);
  useTextEntry(view.mode === 'search');
  useScreenInput((input, key) => {
    // Keys can arrive faster than renders (typing a search, a paste): read the state they built.
    const v = viewFor(stateRef.current, source.key);
    const top = v.follow ? maxTop : clampTop(v.anchor - base, lines.length, logHeight);
    if (key.ctrl && input === 'c') return control.interrupt();
    if (v.mode === 'search') {
      if (key.escape) return act({type: 'cancelSearch'});
      if (key.return) {
        act({type: 'submitSearch'});
        const found = findMatches(lines, v.draft).map((index) => index + base);
        // From the bottom while following (the newest occurrence), else onward from the top row.
        return jumpTo(
          v.follow
            ? nextMatch(found, base + lines.length, -1)
            : nextMatch(found, base + top - 1, 1),
        );
      }
      if (key.backspace || key.delete)
        return act({type: 'editSearch', draft: v.draft.slice(0, -1)});
      if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow) {
        return act({type: 'editSearch', draft: v.draft + input});
      }
      return;
    }
    // A message stays until the next key.
    if (v.flash) act({type: 'flash', flash: null});
    if (v.mode === 'help' && (input === '?' || key.escape || input === 'q'))
      return act({type: 'toggleHelp'});
    if (input === '?') return act({type: 'toggleHelp'});
    if (input === '/') return act({type: 'startSearch'});
    if (input === 'n' || input === 'N') {
      if (!v.query) return;
      const from = v.match ?? base + top;
      return jumpTo(nextMatch(matches, from, input === 'n' ? 1 : -1));
    }
    const scrollTo = (anchor: number, follow: boolean) =>
      act({type: 'scrollTo', sourceKey: source.key, anchor, follow});
    // Following off keeps the rows where they are.
    if (input === 'f') return scrollTo(base + top, !v.follow);
    const scroll = (delta: number) => {
      const next = top + delta;
      scrollTo(base + clampTop(next, lines.length, logHeight), next >= maxTop && delta > 0);
    };
    if (key.upArrow || input === 'k') return scroll(-1);
    if (key.downArrow || input === 'j') return scroll(1);
    if (key.pageUp) return scroll(-(logHeight - 1));
    if (key.pageDown || input === ' ') return scroll(logHeight - 1);
    if (key.home || input === 'g') return scrollTo(base, false);
    if (key.end || input === 'G') return scrollTo(base + maxTop, true);
    if (input === 's') {
      act({type: 'flash', flash: {tone: 'muted', text: 'Saving the log…'}});
      control.save().then(
        (target) =>
          act({type: 'flash', flash: {tone: 'success', text: `Saved the log to ${target}`}}),
        (error: unknown) =>
          act({
            type: 'flash',
            flash: {tone: 'error', text: `Could not save the log: ${errorMessage(error)}`},
          }),
      );
      return;
    }
    if (input === 'c') {
      if (finished)
        return act({type: 'flash', flash: {tone: 'muted', text: 'The publish has finished.'}});
      return control.cancel();
    }
    if (input === 'q' || key.escape) {
      if (key.escape && v.query) return act({type: 'clearSearch'});
      if (finished) return control.close();
      return act({
        type: 'flash',
        flash: {tone: 'warning', text: 'Still publishing — press c to cancel.'},
      });
    }
  });

  const elapsed =
    model.startedAt === null
      ? 0
      : (model.finished ? (model.finishedAt ?? now) : Math.max(now, model.startedAt)) -
        model.startedAt;
  const running = model.runningStep;
  const stateLabel = control.cancelRequested && !model.finished ? 'cancelling…' : model.state;
  const progress = running ? `  step ${running.index}/${running.total}` : '';

  // One line, cut at the right edge on a narrow terminal: the keys that end or explain the pane
  // come first, so they stay on a 60-column screen.
  const hints = finished
    ? 'q close  ? help  s save log  / search  n/N match  f follow  PgUp/PgDn scroll'
    : 'c cancel  ? help  s save log  / search  n/N match  f follow  PgUp/PgDn scroll';

  // A flash may name a file (the saved log): cut in the middle, its name stays on screen.
  let logHeader: {tone: TintName | undefined; text: string; middle?: boolean};
  if (view.mode === 'search') logHeader = {tone: 'accent', text: `/${view.draft}▏`};
  else if (view.flash) logHeader = {tone: view.flash.tone, text: view.flash.text, middle: true};
  else if (control.cancelRequested && !model.finished)
    logHeader = {tone: 'warning', text: 'Cancelling… waiting for the build to stop.'};
  else {
    const earlier = lines.dropped > 0 ? ` · ${lines.dropped} earlier lines in the log file` : '';
    const position = view.follow
      ? 'following'
      : `lines ${base + top + 1}-${base + Math.min(lines.length, top + logHeight)} of ${lines.pushed}`;
    const search = view.query
      ? ` · "${view.query}" ${matches.length} match${matches.length === 1 ? '' : 'es'}`
      : '';
    logHeader = {tone: undefined, text: `${source.label} · ${position}${search}${earlier}`};
  }

  return (
    <Box flexDirection="column" paddingX={1} width={width + 2}>
      <Text wrap="truncate">
        <Text bold color={theme.tint('accent')}>
          berth
        </Text>
        <Text bold> · publish {model.module ?? title} </Text>
        <Text color={theme.tint(stateTints[model.state])}>{stateLabel}</Text>
        <Text dimColor>
          {progress} {formatDuration(elapsed, model.finished)}
        </Text>
      </Text>
      {published ? (
        <StepChart steps={chartData} width={width} maxRows={listRows} />
      ) : (
        <StepList rows={stepRows} width={width} maxRows={listRows} />
      )}
      {showPush && <PushProgress layers={layers} active={activeLayers} width={width} />}
      {published && model.summary && <Summary summary={model.summary} width={width} />}
      {failureLines.map((line, row) => (
        <Text
          key={`failure-${row}`}
          wrap="truncate"
          color={theme.tint(model.state === 'cancelled' ? 'warning' : 'error')}
        >
          {line}
        </Text>
      ))}
      {nextStepLines.map((line, row) => (
        <Text key={`next-${row}`} wrap="truncate">
          {line}
        </Text>
      ))}
      {logFile && (
        <Text wrap="truncate" dimColor>
          {fitMiddle(`  Log     ${logFile}`, width)}
        </Text>
      )}
      <Text
        wrap="truncate"
        color={logHeader.tone ? theme.tint(logHeader.tone) : undefined}
        dimColor={!logHeader.tone}
      >
        {(logHeader.middle ? fitMiddle : fit)(logHeader.text, width)}
      </Text>
      {view.mode === 'help' ? (
        <HelpRows height={logHeight} width={width} />
      ) : (
        <LogPane
          source={lines as LineSource}
          top={top}
          height={logHeight}
          width={width}
          query={view.query}
          {...(view.match !== null ? {current: view.match - base} : {})}
        />
      )}
      <Text wrap="truncate" dimColor>
        {final ? '' : hints}
      </Text>
    </Box>
  );
}

function PushProgress({
  layers,
  active,
  width,
}: {
  layers: LayerProgress[];
  active: LayerProgress[];
  width: number;
}) {
  const totals = pushTotals(layers);
  const bytes =
    totals.total > 0 ? ` · ${formatBytes(totals.current)} of ${formatBytes(totals.total)}` : '';
  return (
    <>
      <Text wrap="truncate">
        {fit(`Push · ${totals.done}/${totals.layers} layers${bytes}`, width)}
      </Text>
      {active.slice(0, 3).map((layer) => {
        const percent = layer.total
          ? ` ${Math.floor(((layer.current ?? 0) / layer.total) * 100)}%`
          : '';
        return (
          <Text key={layer.layer} dimColor wrap="truncate">
            {fit(`  ${layer.layer.slice(0, 12)}  ${layer.status}${percent}`, width)}
          </Text>
        );
      })}
    </>
  );
}

function Summary({
  summary,
  width,
}: {
  summary: NonNullable<PublishLogModel['summary']>;
  width: number;
}) {
  const theme = useTheme();
  const size = summary.sizeBytes === null ? 'size unknown' : formatBytes(summary.sizeBytes);
  return (
    <>
      <Text wrap="truncate">
        <Text color={theme.tint('success')}>✓ </Text>
        {fit(`Image   ${summary.image}`, width - 2)}
      </Text>
      <Text wrap="truncate">{fit(`  Digest  ${summary.digest}`, width)}</Text>
      <Text wrap="truncate">
        {fit(
          `  ${summary.module} ${summary.version} · ${size} · ${formatDuration(summary.durationMs)} · ${summary.parameters} parameter${summary.parameters === 1 ? '' : 's'}`,
          width,
        )}
      </Text>
      {(summary.schemaChanges ?? []).slice(0, 3).map((line, index) => (
        <Text
          key={index}
          wrap="truncate"
          {...(line.startsWith('BREAKING') ? {color: theme.tint('warning')} : {dimColor: true})}
        >
          {fit(`  ${line}`, width)}
        </Text>
      ))}
    </>
  );
}

const helpLines = [
  '/ text, Enter   search the log (Esc cancels); n / N next / previous match',
  'f               follow the end of the log on or off',
  '↑ ↓ PgUp PgDn   scroll (j k space also work); g / G top / bottom',
  "s               save a copy of the full log (berth's state directory: the message says where)",
  'c               cancel the publish (the build stops, the version is recorded cancelled)',
  'q / Esc         close once the publish has finished; Ctrl+C cancels and closes',
  '?               close this help',
];

function HelpRows({height, width}: {height: number; width: number}) {
  const rows = [];
  for (let row = 0; row < height; row++) {
    rows.push(
      <Text key={row} wrap="truncate">
        {fit(helpLines[row] ?? ' ', width)}
      </Text>,
    );
  }
  return <>{rows}</>;
}

/** A hint's paragraphs, wrapped under `→ `, within `maxRows` (the first ones first). */
function nextStepRows(text: string | undefined, width: number, maxRows: number): string[] {
  const rows: string[] = [];
  for (const paragraph of (text ?? '').split('\n')) {
    if (!paragraph.trim()) continue;
    const room = maxRows - rows.length;
    if (room <= 0) break;
    const wrapped = wrapRows(paragraph, width - 2, room);
    wrapped.forEach((row, index) => rows.push(`${index === 0 ? '→ ' : '  '}${row}`));
  }
  return rows;
}
