// A finished publish's step durations as horizontal bars, longest step = full width. Bars are
// characters, not colors, so the chart reads the same with NO_COLOR.
import {Text} from 'ink';
import {useTheme} from '../hooks/use-theme.js';
import {fit, formatDuration} from './step-list.js';

export type ChartStep = {index: number; instruction: string; durationMs: number; cached: boolean};

/** The steps shown when not all fit: the slowest ones, kept in step order. */
export function chartSteps(steps: readonly ChartStep[], maxRows: number): ChartStep[] {
  if (steps.length <= maxRows) return [...steps];
  const slowest = new Set([...steps].sort((a, b) => b.durationMs - a.durationMs).slice(0, maxRows));
  return steps.filter((step) => slowest.has(step));
}

export function barLength(durationMs: number, longestMs: number, width: number): number {
  if (longestMs <= 0 || width <= 0) return 0;
  const length = Math.round((durationMs / longestMs) * width);
  // Every step that took time gets at least a sliver, so "fast" and "absent" look different.
  return durationMs > 0 ? Math.max(1, length) : 0;
}

export function StepChart({
  steps,
  width,
  maxRows,
}: {
  steps: readonly ChartStep[];
  width: number;
  maxRows: number;
}) {
  const theme = useTheme();
  const shown = chartSteps(steps, Math.max(1, maxRows));
  const longest = Math.max(0, ...shown.map((step) => step.durationMs));
  const labelWidth = Math.min(28, Math.max(10, Math.floor(width / 3)));
  const barWidth = Math.max(1, width - labelWidth - 1 - 8 - 8);
  return (
    <>
      {shown.map((step) => {
        const length = barLength(step.durationMs, longest, barWidth);
        return (
          <Text key={step.index} wrap="truncate">
            <Text dimColor>{fit(`${step.index} ${step.instruction}`, labelWidth)} </Text>
            <Text color={theme.tint('accent')}>{'█'.repeat(length)}</Text>
            {' '.repeat(barWidth - length)}
            {formatDuration(step.durationMs).padStart(8)}
            <Text color={theme.tint('muted')}>{step.cached ? '  CACHED' : ''}</Text>
          </Text>
        );
      })}
    </>
  );
}
