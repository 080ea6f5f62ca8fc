// The visible window of a log: exactly `height` rows, whatever the log's size. Only these rows
// are ever given to Ink, so a frame costs the same at line 100 and at line 100,000 (rendering
// every line took 40 s for 10k lines; see ENVIRONMENT.md "Driving the TUI").
import {Text} from 'ink';
import {useTheme} from '../hooks/use-theme.js';
import {Inverse} from './inverse.js';
import {splitMatch, type LineSource} from '../lib/log-search.js';

export type LogPaneProps = {
  source: LineSource;
  /** Index in `source` of the first visible row. */
  top: number;
  height: number;
  width: number;
  /** Highlighted in every visible line. */
  query?: string;
  /** Index in `source` of the current search match, drawn with a marker. */
  current?: number;
};

/** The `top` that shows the end of the log (follow mode) or clamps a scrolled position. */
export function clampTop(top: number, length: number, height: number): number {
  return Math.max(0, Math.min(top, length - height));
}

export function LogPane({source, top, height, width, query, current}: LogPaneProps) {
  const theme = useTheme();
  const rows = [];
  const textWidth = Math.max(1, width - 1);
  for (let row = 0; row < height; row++) {
    const index = top + row;
    const line = index < source.length ? (source.get(index) ?? '') : '';
    const text = line.length > textWidth ? `${line.slice(0, textWidth - 1)}…` : line;
    const marker = index === current ? '›' : ' ';
    const parts = query ? splitMatch(text, query) : undefined;
    rows.push(
      <Text key={row} wrap="truncate">
        <Text color={theme.tint('accent')}>{marker}</Text>
        {parts ? (
          <>
            {parts[0]}
            <Text color={theme.tint('warning')}>
              <Inverse>{parts[1]}</Inverse>
            </Text>
            {parts[2]}
          </>
        ) : (
          text
        )}
      </Text>,
    );
  }
  return <>{rows}</>;
}
