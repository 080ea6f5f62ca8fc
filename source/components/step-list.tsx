// One row per Dockerfile step: status, number, instruction, CACHED marker and timer. Rows are
// laid out as strings (not flex boxes): a pane redraws them ten times a second.
import {Text} from 'ink';
import {useTheme, type TintName} from '../hooks/use-theme.js';
import type {StepStatus} from '../services/publish/log-model.js';

export type StepRow = {
  index: number;
  total: number;
  instruction: string;
  status: StepStatus;
  cached: boolean;
  durationMs: number;
};

const icons: Record<StepStatus, string> = {running: '›', done: '✓', failed: '✗', interrupted: '·'};
const tints: Record<StepStatus, TintName> = {
  running: 'accent',
  done: 'success',
  failed: 'error',
  interrupted: 'warning',
};

/** `0.4s`, `12s`, `3m 07s`. Running steps show whole seconds so the row changes once a second. */
export function formatDuration(ms: number, precise = true): string {
  if (ms < 10_000 && precise) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/** As `fit`, cut in the middle: a path keeps its file name (and `/`) on a narrow terminal. */
export function fitMiddle(text: string, width: number): string {
  if (width <= 2 || text.length <= width) return fit(text, width);
  const half = Math.floor((width - 1) / 2);
  const slash = text.lastIndexOf('/');
  const name = slash === -1 ? 0 : text.length - slash;
  const tail = Math.min(Math.max(half, name), width - 1 - Math.min(half, 12));
  return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
}

/**
 * `text` in rows of at most `width` characters, broken at spaces where it can be, at most
 * `maxRows` rows; the last one ends in "…" when text is left over.
 */
export function wrapRows(text: string, width: number, maxRows: number): string[] {
  if (width <= 0 || maxRows <= 0) return [];
  const rows: string[] = [];
  let rest = text.trim();
  while (rest.length > 0 && rows.length < maxRows) {
    if (rest.length <= width) {
      rows.push(rest);
      rest = '';
      break;
    }
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    rows.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) rows[rows.length - 1] = fit(rows[rows.length - 1]! + ' ' + rest, width);
  return rows;
}

/**
 * The rows that fit in `maxRows`: all of them, or the most recent ones after a line saying how
 * many earlier steps are hidden (the running or failing step is always among the last).
 */
export function visibleSteps<T>(
  rows: readonly T[],
  maxRows: number,
): {hidden: number; rows: readonly T[]} {
  if (rows.length <= maxRows) return {hidden: 0, rows};
  const keep = Math.max(1, maxRows - 1);
  return {hidden: rows.length - keep, rows: rows.slice(rows.length - keep)};
}

export function StepList({
  rows,
  width,
  maxRows,
}: {
  rows: readonly StepRow[];
  width: number;
  maxRows: number;
}) {
  const theme = useTheme();
  const {hidden, rows: shown} = visibleSteps(rows, Math.max(1, maxRows));
  const total = Math.max(0, ...rows.map((row) => row.total));
  const numberWidth = `${total}/${total}`.length;
  const instructionWidth = Math.max(4, width - 2 - numberWidth - 1 - 8 - 8);
  return (
    <>
      {hidden > 0 && (
        <Text dimColor>{fit(`  … ${hidden} earlier step${hidden === 1 ? '' : 's'}`, width)}</Text>
      )}
      {shown.map((row) => (
        <Text key={row.index} wrap="truncate">
          <Text color={theme.tint(tints[row.status])}>{icons[row.status]} </Text>
          <Text dimColor>{`${row.index}/${row.total}`.padStart(numberWidth)} </Text>
          <Text bold={row.status === 'running'}>{fit(row.instruction, instructionWidth)}</Text>
          <Text color={theme.tint('muted')}>{row.cached ? '  CACHED' : '        '}</Text>
          <Text color={row.status === 'running' ? theme.tint('accent') : undefined}>
            {formatDuration(row.durationMs, row.status !== 'running').padStart(8)}
          </Text>
        </Text>
      ))}
    </>
  );
}
