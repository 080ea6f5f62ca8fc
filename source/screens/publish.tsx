// The publish pane: a live view of one publish, fed by the publish service's events.
//
// Usage from the publish command (in a TTY, without --plain), lazy-imported so plain runs
// never load Ink:
//
//   const {runPublishPane} = await import('../screens/publish.js');
//   const pane = await runPublishPane({title: 'resnet-filter', logFile});
//   let error: unknown;
//   const result = await publishModule(deps, input, {onEvent: pane.push, signal: pane.signal}).catch((e) => {
//     error = e;
//   });
//   const closed = await pane.done({error}); // waits for q/Esc (returns at once after Ctrl+C)
//
// `push` only mutates a model (services/publish/log-model.ts); the pane redraws from it on a
// ~10 fps timer, so it keeps up with any build however fast it logs. `signal` aborts when the
// user cancels (`c`, Ctrl+C, SIGINT); the service then stops and reports `cancelled`. The
// pane never writes the log file — the service does; `s` copies it.
//
// Also exports PublishScreen, the home screen's `b`: recent publishes of the active profile.
import {copyFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {Box, render, Text, useInput, useWindowSize, type Instance, type RenderOptions} from 'ink';
import {useEffect, useMemo, useReducer, useRef, useState} from 'react';
import {LogPane, clampTop} from '../components/log-pane.js';
import {StepChart} from '../components/step-chart.js';
import {fit, formatBytes, formatDuration, StepList, type StepRow} from '../components/step-list.js';
import {ScreenFrame} from '../components/screen-frame.js';
import {useBuildLog, type BuildLogClock} from '../hooks/use-build-log.js';
import {createTheme, ThemeContext, useTheme, type TintName} from '../hooks/use-theme.js';
import {findMatches, nextMatch, type LineSource} from '../lib/log-search.js';
import {shouldUseColor} from '../lib/output.js';
import type {RingBuffer} from '../lib/ring-buffer.js';
import type {PublishEvent, PublishEventHandler, PublishState} from '../models/publish-events.js';
import {
  isLayerDone,
  pushTotals,
  PublishLogModel,
  type LayerProgress,
  type LogModelOptions,
} from '../services/publish/log-model.js';
import {resolveContext} from '../services/context.js';
import type {PluginScreenProps} from './registry.js';

export type PublishEventSource =
  | ((handler: PublishEventHandler) => () => void)
  | AsyncIterable<PublishEvent>;

export type PublishPaneOptions = {
  /** What is being published, shown in the title (`resnet-filter`, a path...). */
  title: string;
  /** The full log the service writes; `s` copies it. Without one, `s` saves the lines kept in memory. */
  logFile?: string;
  /** Names the saved copy `berth-publish-<module>-<version>.log` (else taken from the summary). */
  module?: string;
  version?: string;
  /** Where `s` saves (default: the current directory). */
  saveDir?: string;
  /** Events from elsewhere, instead of (or as well as) calling `push`. */
  events?: PublishEventSource;
  /** Called once when the user cancels, after `signal` aborted. */
  onCancel?: () => void;
  /** Default: NO_COLOR / FORCE_COLOR and whether stdout is a TTY. */
  color?: boolean;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  model?: LogModelOptions;
  /** Redraw period (default 100 ms, BuildKit's rate). */
  flushIntervalMs?: number;
  /** Passed to Ink (benchmarks count frames with it). */
  onRender?: RenderOptions['onRender'];
};

export type PublishPaneResult = {
  /** The user asked to cancel (`c`, Ctrl+C or SIGINT). */
  cancelled: boolean;
  /** Where `s` saved the log, if it did. */
  savedTo: string | undefined;
};

export type PublishPane = {
  /** The service's `onEvent`. */
  push: PublishEventHandler;
  /** The service's `signal`: aborted when the user cancels. */
  signal: AbortSignal;
  /**
   * The service finished (pass what it threw, if it did). Shows the outcome and resolves when
   * the user closes the pane — at once if they already asked to leave (Ctrl+C) or `wait` is false.
   */
  done(outcome?: {error?: unknown; wait?: boolean}): Promise<PublishPaneResult>;
  /** Names the publish once the service has recorded it: `s` then copies its full log file. */
  identify(publish: {logFile: string; module: string; version: string}): void;
  /** Closes the pane now. */
  close(): Promise<PublishPaneResult>;
  /** Resolves when the pane has closed and the terminal is restored. */
  readonly closed: Promise<PublishPaneResult>;
  readonly model: PublishLogModel;
};

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
};

export async function runPublishPane(initialOptions: PublishPaneOptions): Promise<PublishPane> {
  // `identify` fills in the log file, module and version once the service knows them.
  const options = {...initialOptions};
  const model = new PublishLogModel(options.model);
  const stdout = options.stdout ?? process.stdout;
  const env = options.env ?? process.env;
  const color = options.color ?? shouldUseColor(env, undefined, Boolean(stdout.isTTY));
  const abort = new AbortController();
  let controlRevision = 0;
  let cancelRequested = false;
  let serviceDone = false;
  let leaveWhenDone = false;
  let savedTo: string | undefined;
  // eslint-disable-next-line prefer-const -- control.close() may read it before render() returns
  let instance: Instance | undefined;

  let resolveClosed!: (result: PublishPaneResult) => void;
  const closed = new Promise<PublishPaneResult>((resolve) => (resolveClosed = resolve));
  const result = () => ({cancelled: cancelRequested, savedTo});

  const control: PaneControl = {
    revision: () => model.revision + controlRevision,
    ticking: () => model.runningStep !== null || (!model.finished && model.startedAt !== null),
    get cancelRequested() {
      return cancelRequested;
    },
    get serviceDone() {
      return serviceDone;
    },
    cancel() {
      if (cancelRequested || model.finished || serviceDone) return;
      cancelRequested = true;
      controlRevision++;
      abort.abort();
      options.onCancel?.();
    },
    interrupt() {
      if (serviceDone || leaveWhenDone) return control.close();
      leaveWhenDone = true;
      control.cancel();
    },
    close() {
      instance?.unmount();
    },
    async save() {
      const target = path.resolve(options.saveDir ?? process.cwd(), saveFileName(model, options));
      if (options.logFile) await copyFile(options.logFile, target);
      else await writeFile(target, model.tail.toArray().join('\n') + '\n');
      savedTo = target;
      return target;
    },
  };

  const removeSignalHandlers = onSignals(() => control.interrupt());
  instance = render(
    <ThemeContext.Provider value={createTheme(color)}>
      <PublishPaneView
        model={model}
        control={control}
        title={options.title}
        flushIntervalMs={options.flushIntervalMs}
      />
    </ThemeContext.Provider>,
    {
      stdout,
      stdin: options.stdin ?? process.stdin,
      stderr: options.stderr ?? process.stderr,
      exitOnCtrlC: false,
      patchConsole: false,
      // The pane is only run on a TTY; a CI variable must not turn it into a final-frame dump.
      interactive: Boolean(stdout.isTTY),
      incrementalRendering: true,
      maxFps: 30,
      ...(options.onRender ? {onRender: options.onRender} : {}),
    },
  );
  const exited = instance.waitUntilExit().then(
    () => undefined,
    () => undefined,
  );
  void exited.then(() => {
    removeSignalHandlers();
    stopEvents();
    resolveClosed(result());
  });

  const push: PublishEventHandler = (event) => model.apply(event);
  const stopEvents = subscribe(options.events, push);

  const finish = (outcome: {error?: unknown; wait?: boolean} = {}) => {
    if (!serviceDone) {
      serviceDone = true;
      controlRevision++;
      if (!model.finished) {
        const at = Date.now();
        if (cancelRequested || abort.signal.aborted)
          model.apply({type: 'state', state: 'cancelled', at});
        else {
          if (outcome.error !== undefined)
            model.apply({type: 'error', message: errorMessage(outcome.error), step: null});
          model.apply({
            type: 'state',
            state: outcome.error !== undefined ? 'failed' : 'published',
            at,
          });
        }
      }
    }
    if (outcome.wait === false || leaveWhenDone) {
      // Draw the outcome before leaving: the last frame stays on the terminal.
      instance?.rerender(
        <ThemeContext.Provider value={createTheme(color)}>
          <PublishPaneView
            model={model}
            control={control}
            title={options.title}
            flushIntervalMs={options.flushIntervalMs}
            final
          />
        </ThemeContext.Provider>,
      );
      instance?.unmount();
    }
    return closed;
  };

  return {
    push,
    signal: abort.signal,
    done: finish,
    identify(publish) {
      options.logFile = publish.logFile;
      options.module = publish.module;
      options.version = publish.version;
    },
    close: () => {
      control.close();
      return closed;
    },
    closed,
    model,
  };
}

function subscribe(source: PublishEventSource | undefined, push: PublishEventHandler): () => void {
  if (!source) return () => undefined;
  if (typeof source === 'function') return source(push);
  let stopped = false;
  void (async () => {
    for await (const event of source) {
      if (stopped) break;
      push(event);
    }
  })();
  return () => {
    stopped = true;
  };
}

function onSignals(handler: () => void): () => void {
  // A SIGINT from outside the terminal (kill -INT) takes the same path as Ctrl+C.
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function saveFileName(
  model: PublishLogModel,
  options: Pick<PublishPaneOptions, 'module' | 'version' | 'title'>,
): string {
  const module = options.module ?? model.summary?.module;
  const version = options.version ?? model.summary?.version;
  const slug = (text: string) =>
    text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'module';
  if (module && version) return `berth-publish-${slug(module)}-${slug(version)}.log`;
  return `berth-publish-${slug(module ?? options.title)}.log`;
}

// ---------------------------------------------------------------------------------------------
// The view: a state machine over what the user does (STYLE.md 8); what the build did is read
// from the model at each flush.

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
  const failureRows = model.failure || model.state === 'cancelled' ? 1 : 0;
  const published = model.state === 'published' && model.summary !== null;
  const summaryRows = published ? 3 : 0;
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
  const fixed = headerRows + footerRows + logHeaderRows + failureRows + summaryRows + pushRows;
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

  useInput((input, key) => {
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

  const hints = finished
    ? '/ search  n/N match  f follow  PgUp/PgDn scroll  s save log  q close  ? help'
    : '/ search  n/N match  f follow  PgUp/PgDn scroll  s save log  c cancel  ? help';

  let logHeader: {tone: TintName | undefined; text: string};
  if (view.mode === 'search') logHeader = {tone: 'accent', text: `/${view.draft}▏`};
  else if (view.flash) logHeader = {tone: view.flash.tone, text: view.flash.text};
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
        <Text bold> · publish {title} </Text>
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
      {failureRows > 0 && (
        <Text wrap="truncate" color={theme.tint(model.state === 'cancelled' ? 'warning' : 'error')}>
          {model.failure
            ? `✗ ${failing ? `Step ${failing.index}/${failing.total} failed: ` : ''}${model.failure.message}`
            : '· Cancelled.'}
        </Text>
      )}
      <Text
        wrap="truncate"
        color={logHeader.tone ? theme.tint(logHeader.tone) : undefined}
        dimColor={!logHeader.tone}
      >
        {fit(logHeader.text, width)}
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
    </>
  );
}

const helpLines = [
  '/ text, Enter   search the log (Esc cancels); n / N next / previous match',
  'f               follow the end of the log on or off',
  '↑ ↓ PgUp PgDn   scroll (j k space also work); g / G top / bottom',
  's               save the full log to ./berth-publish-<module>-<version>.log',
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

// ---------------------------------------------------------------------------------------------
// Home screen `b`: recent publishes of the active profile.

type ModuleRecordLike = Record<string, unknown>;

export function PublishScreen({deps, onBack}: PluginScreenProps) {
  const theme = useTheme();
  const [state, setState] = useState<
    | {status: 'loading'}
    | {status: 'ready'; records: ModuleRecordLike[]}
    | {status: 'error'; message: string}
  >({
    status: 'loading',
  });
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const context = await resolveContext(deps);
        const store = await deps.openStore(context.profile);
        const records = await store.collection<ModuleRecordLike>('modules').list();
        if (live) setState({status: 'ready', records: recentFirst(records).slice(0, 15)});
      } catch (error) {
        if (live) setState({status: 'error', message: errorMessage(error)});
      }
    })();
    return () => {
      live = false;
    };
  }, [deps]);

  useInput((input, key) => {
    if (key.escape || input === 'q') onBack();
  });

  return (
    <ScreenFrame title="publish" hints={[{key: 'esc', label: 'back'}]}>
      {state.status === 'loading' && <Text dimColor>Reading published modules…</Text>}
      {state.status === 'error' && (
        <Text color={theme.tint('error')}>Could not read modules: {state.message}</Text>
      )}
      {state.status === 'ready' && state.records.length === 0 && (
        <Text>No modules published yet.</Text>
      )}
      {state.status === 'ready' &&
        state.records.map((record, index) => (
          <Text key={index} wrap="truncate">
            {describeModule(record)}
          </Text>
        ))}
      <Box marginTop={1}>
        <Text dimColor>To publish a code project, run `berth publish PATH` in its directory.</Text>
      </Box>
    </ScreenFrame>
  );
}

function field(record: ModuleRecordLike, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

function recentFirst(records: ModuleRecordLike[]): ModuleRecordLike[] {
  const when = (record: ModuleRecordLike) =>
    field(record, 'updatedAt', 'publishedAt', 'createdAt') ?? '';
  return [...records].sort((a, b) => when(b).localeCompare(when(a)));
}

function describeModule(record: ModuleRecordLike): string {
  const name = field(record, 'slug', 'name') ?? '(unnamed)';
  const versions = Array.isArray(record.versions) ? (record.versions as ModuleRecordLike[]) : [];
  const latest = versions[versions.length - 1];
  const version =
    field(record, 'version', 'latestVersion') ??
    (latest ? field(latest, 'version', 'number') : undefined);
  const status =
    field(record, 'status', 'state') ?? (latest ? field(latest, 'status', 'state') : undefined);
  return [name, version ? `v${version}` : undefined, status].filter(Boolean).join('  ');
}
