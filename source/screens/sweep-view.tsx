// The live sweep view (`berth run MODULE --sweep …` on a terminal): one row per run (its swept
// values, node, status, duration), a summary line, and a chart of durations by outcome; Enter
// opens the selected run's log. The sweep's events only mutate a model (services/sweep-model.ts);
// the view redraws from it ~10 times a second. `c` or Ctrl+C cancels (every running run's
// container or service is removed and recorded `cancelled`); `q` leaves once the sweep is over.
import {Box, Text, useInput, useWindowSize} from 'ink';
import {useReducer} from 'react';
import {LogPane, clampTop} from '../components/log-pane.js';
import {KeyFooter} from '../components/key-footer.js';
import {fit, formatDuration} from '../components/step-list.js';
import {useBuildLog, type BuildLogClock} from '../hooks/use-build-log.js';
import {createTheme, ThemeContext, useTheme, type TintName} from '../hooks/use-theme.js';
import {assertNever} from '../lib/errors.js';
import {shouldUseColor} from '../lib/output.js';
import type {Deps} from '../deps.js';
import {
  median,
  SweepModel,
  sweepOutcomes,
  type SweepRow,
  type SweepRowStatus,
} from '../services/sweep-model.js';
import {runSweep, type SweepPlan, type SweepResult} from '../services/sweeps.js';
import {renderTui} from '../components/key-input.js';

export type SweepControl = BuildLogClock & {
  readonly cancelRequested: boolean;
  readonly done: boolean;
  cancel(): void;
  /** Ctrl+C: cancel a running sweep and leave once it stopped, or leave a finished one. */
  interrupt(): void;
  close(): void;
};

export async function runSweepView(
  deps: Deps,
  plan: SweepPlan,
  options: {stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream; env?: NodeJS.ProcessEnv} = {},
): Promise<SweepResult> {
  const stdout = options.stdout ?? process.stdout;
  const color = shouldUseColor(options.env ?? deps.env, undefined, Boolean(stdout.isTTY));
  const model = new SweepModel(plan);
  const abort = new AbortController();
  let cancelRequested = false;
  let done = false;
  let leaveWhenDone = false;
  let extra = 0;
  let instance: ReturnType<typeof renderTui> | undefined = undefined;
  const control: SweepControl = {
    revision: () => model.revision + extra,
    ticking: () => !done,
    get cancelRequested() {
      return cancelRequested;
    },
    get done() {
      return done;
    },
    cancel() {
      if (cancelRequested || done) return;
      cancelRequested = true;
      extra++;
      abort.abort();
    },
    interrupt() {
      if (done) return control.close();
      leaveWhenDone = true;
      control.cancel();
    },
    close() {
      instance?.unmount();
    },
  };
  const onSignal = () => control.interrupt();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  instance = renderTui(
    <ThemeContext.Provider value={createTheme(color)}>
      <SweepView model={model} control={control} />
    </ThemeContext.Provider>,
    {
      stdout,
      stdin: options.stdin ?? process.stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      interactive: Boolean(stdout.isTTY),
      maxFps: 30,
    },
  );
  const exited = instance.waitUntilExit().then(
    () => undefined,
    () => undefined,
  );
  try {
    const result = await runSweep(deps, plan, {
      signal: abort.signal,
      onEvent: (event) => model.apply(event),
    });
    done = true;
    model.finish();
    if (leaveWhenDone) control.close();
    await exited;
    return result;
  } catch (error) {
    done = true;
    control.close();
    await exited;
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const statusTint: Record<SweepRowStatus, TintName> = {
  queued: 'muted',
  running: 'accent',
  succeeded: 'success',
  failed: 'error',
  cancelled: 'warning',
};

type ViewState = {selected: number; top: number; log: {index: number; top: number | null} | null};
type ViewAction =
  | {type: 'move'; by: number; rows: number; height: number}
  | {type: 'open'}
  | {type: 'close'}
  | {type: 'scroll'; by: number; length: number; height: number};

export function sweepViewReducer(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'move': {
      const selected = Math.max(0, Math.min(action.rows - 1, state.selected + action.by));
      let top = state.top;
      if (selected < top) top = selected;
      if (selected >= top + action.height) top = selected - action.height + 1;
      return {...state, selected, top: Math.max(0, top)};
    }
    case 'open':
      return {...state, log: {index: state.selected, top: null}};
    case 'close':
      return {...state, log: null};
    case 'scroll': {
      if (!state.log) return state;
      const end = Math.max(0, action.length - action.height);
      const current = state.log.top ?? end;
      const top = Math.max(0, Math.min(end, current + action.by));
      // Back at the end: follow again.
      return {...state, log: {...state.log, top: top >= end ? null : top}};
    }
    default:
      return assertNever(action);
  }
}

export function SweepView({model, control}: {model: SweepModel; control: SweepControl}) {
  const theme = useTheme();
  const now = useBuildLog(control);
  const {columns, rows: screenRows} = useWindowSize();
  const [state, dispatch] = useReducer(sweepViewReducer, {selected: 0, top: 0, log: null});
  const width = Math.max(40, columns - 2);
  const counts = model.counts();
  const finished = control.done;
  const chartRows = sweepOutcomes.filter((o) => model.durationsByOutcome()[o].length > 0).length;
  const tableHeight = Math.max(3, screenRows - 10 - chartRows);
  const logHeight = Math.max(3, screenRows - 7);
  const openRow = state.log ? model.rows[state.log.index] : undefined;

  useInput((input, key) => {
    if (key.ctrl && input === 'c') return control.interrupt();
    if (openRow) {
      const length = openRow.lines.length;
      if (key.escape || input === 'q') return dispatch({type: 'close'});
      if (key.upArrow) return dispatch({type: 'scroll', by: -1, length, height: logHeight});
      if (key.downArrow) return dispatch({type: 'scroll', by: 1, length, height: logHeight});
      if (key.pageUp) return dispatch({type: 'scroll', by: -logHeight, length, height: logHeight});
      if (key.pageDown) return dispatch({type: 'scroll', by: logHeight, length, height: logHeight});
      return;
    }
    const move = (by: number) =>
      dispatch({type: 'move', by, rows: model.rows.length, height: tableHeight});
    if (key.upArrow) return move(-1);
    if (key.downArrow) return move(1);
    if (key.pageUp) return move(-tableHeight);
    if (key.pageDown) return move(tableHeight);
    if (key.return) return dispatch({type: 'open'});
    if (input === 'c') return control.cancel();
    if ((input === 'q' || key.escape) && finished) return control.close();
  });

  const plan = model.plan;
  const title = `sweep ${plan.id} · ${plan.module.slug}@${plan.module.version} · ${plan.combinations.length} runs · ${plan.parallel} at a time · ${plan.orchestrator.name} (${plan.orchestrator.flavor})`;

  if (openRow) {
    const top =
      state.log?.top ?? clampTop(Number.MAX_SAFE_INTEGER, openRow.lines.length, logHeight);
    return (
      <Box flexDirection="column" paddingX={1}>
        <Text bold wrap="truncate">
          <Text color={theme.tint('accent')}>berth</Text> · run {openRow.runId ?? '(not started)'} ·{' '}
          {openRow.label}
        </Text>
        <Text wrap="truncate">
          <Text color={theme.tint(statusTint[openRow.status])}>{openRow.status}</Text>
          {openRow.node ? ` on ${openRow.node}` : ''}
          {state.log?.top === null ? ' · following' : ''}
        </Text>
        <LogPane
          source={{length: openRow.lines.length, get: (i) => openRow.lines.get(i)}}
          top={top}
          height={logHeight}
          width={width}
        />
        <KeyFooter
          hints={[
            {key: '↑↓ PgUp/PgDn', label: 'scroll'},
            {key: 'esc', label: 'back to the sweep'},
            {key: 'ctrl+c', label: finished ? 'quit' : 'cancel the sweep'},
          ]}
        />
      </Box>
    );
  }

  const labelWidth = Math.max(12, Math.min(40, width - 4 - 22 - 11 - 9 - 4));
  const nodeWidth = 22;
  const visible = model.rows.slice(state.top, state.top + tableHeight);
  const elapsed = (model.finishedAt ?? now) - model.startedAt;
  const summary = [
    counts.running ? `${counts.running} running` : '',
    counts.queued ? `${counts.queued} queued` : '',
    `${counts.succeeded} succeeded`,
    counts.failed ? `${counts.failed} failed` : '',
    counts.cancelled ? `${counts.cancelled} cancelled` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold wrap="truncate">
        <Text color={theme.tint('accent')}>berth</Text> · {title}
      </Text>
      <Text dimColor wrap="truncate">
        {'  '}
        {fit('#', 4)}
        {fit('PARAMETERS', labelWidth)} {fit('NODE', nodeWidth)} {fit('STATUS', 10)} DURATION
      </Text>
      {visible.map((row) => (
        <SweepRowLine
          key={row.index}
          row={row}
          selected={row.index === state.selected}
          labelWidth={labelWidth}
          nodeWidth={nodeWidth}
          duration={model.durationOf(row, now)}
        />
      ))}
      {model.rows.length > tableHeight ? (
        <Text dimColor>
          {'  '}rows {state.top + 1}–{Math.min(model.rows.length, state.top + tableHeight)} of{' '}
          {model.rows.length}
        </Text>
      ) : null}
      <Box marginTop={1}>
        <Text wrap="truncate">
          {summary} · {formatDuration(elapsed, false)} elapsed
          {control.cancelRequested && !finished ? ' · cancelling…' : ''}
          {finished ? ' · done' : ''}
        </Text>
      </Box>
      <OutcomeChart model={model} width={width} />
      <KeyFooter
        hints={[
          {key: '↑↓', label: 'select'},
          {key: 'enter', label: 'log'},
          ...(finished
            ? [{key: 'q', label: 'quit'}]
            : [
                {key: 'c', label: 'cancel the sweep'},
                {key: 'ctrl+c', label: 'cancel and quit'},
              ]),
        ]}
      />
    </Box>
  );
}

function SweepRowLine({
  row,
  selected,
  labelWidth,
  nodeWidth,
  duration,
}: {
  row: SweepRow;
  selected: boolean;
  labelWidth: number;
  nodeWidth: number;
  duration: number | null;
}) {
  const theme = useTheme();
  return (
    <Text wrap="truncate" bold={selected}>
      <Text color={theme.tint('accent')}>{selected ? '› ' : '  '}</Text>
      {fit(String(row.index + 1), 4)}
      {fit(row.label, labelWidth)} {fit(row.node ?? '-', nodeWidth)}{' '}
      <Text color={theme.tint(statusTint[row.status])}>{fit(row.status, 10)}</Text>{' '}
      {duration === null ? '-' : formatDuration(duration, row.status !== 'running')}
    </Text>
  );
}

/** Durations by outcome: the median as a bar (the longest run = full width), count and range. */
function OutcomeChart({model, width}: {model: SweepModel; width: number}) {
  const theme = useTheme();
  const durations = model.durationsByOutcome();
  const all = sweepOutcomes.flatMap((outcome) => durations[outcome]);
  if (all.length === 0) return null;
  const longest = Math.max(...all);
  const barWidth = Math.max(5, width - 10 - 38);
  return (
    <Box flexDirection="column" marginTop={1}>
      {sweepOutcomes
        .filter((outcome) => durations[outcome].length > 0)
        .map((outcome) => {
          const values = durations[outcome];
          const low = Math.min(...values);
          const high = Math.max(...values);
          const middle = median(values);
          const filled = longest > 0 ? Math.max(1, Math.round((middle / longest) * barWidth)) : 1;
          const spread = longest > 0 ? Math.round((high / longest) * barWidth) : filled;
          return (
            <Text key={outcome} wrap="truncate">
              {fit(outcome, 10)}
              <Text color={theme.tint(statusTint[outcome])}>{'█'.repeat(filled)}</Text>
              <Text dimColor>{'░'.repeat(Math.max(0, spread - filled))}</Text>
              {' '.repeat(Math.max(0, barWidth - Math.max(spread, filled)))} ×{values.length} median{' '}
              {formatDuration(middle)} ({formatDuration(low)}–{formatDuration(high)})
            </Text>
          );
        })}
    </Box>
  );
}
