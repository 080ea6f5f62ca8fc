// The visible window of a log: exactly `height` rows, whatever the log's size. Only these rows
// are ever given to Ink, so a frame costs the same at line 100 and at line 100,000 (rendering
// every line took 40 s for 10k lines; see ENVIRONMENT.md "Driving the TUI").
import {Text} from 'ink';
import {useTheme} from '../hooks/use-theme.js';
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

// Inverse video written directly: Ink's own `inverse` goes away with NO_COLOR, and a search
// match must stay visible without colors.
const inverseOn = '\u001b[7m';
const inverseOff = '\u001b[27m';

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
            <Text color={theme.tint('warning')}>{`${inverseOn}${parts[1]}${inverseOff}`}</Text>
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
