// The keys that work on the current screen, one line, wrapping on narrow terminals. Screens
// name common keys through keyHints, so every footer spells them the same way.
import {Box, Text} from 'ink';
import {memo} from 'react';
import {useTheme} from '../hooks/use-theme.js';

export type KeyHint = {key: string; label: string};

/** The spelling every footer uses for the keys screens share. */
export const keyHints = {
  move: {key: '↑↓', label: 'move'},
  scroll: {key: '↑↓ pgup pgdn', label: 'scroll'},
  back: {key: 'esc', label: 'back'},
  help: {key: '?', label: 'help'},
  quit: {key: 'q', label: 'quit'},
  enter: (label: string): KeyHint => ({key: 'enter', label}),
} as const;

/** Re-rendered only when a hint changes: screens build the list anew on every key. */
export const KeyFooter = memo(
  KeyFooterView,
  (before, after) =>
    before.hints.length === after.hints.length &&
    before.hints.every(
      (hint, index) =>
        hint.key === after.hints[index]!.key && hint.label === after.hints[index]!.label,
    ),
);

function KeyFooterView({hints}: {hints: readonly KeyHint[]}) {
  const theme = useTheme();
  return (
    <Box flexWrap="wrap" columnGap={2} marginTop={1} flexShrink={0}>
      {hints.map((hint) => (
        <Box key={hint.key}>
          <Text bold color={theme.tint('accent')}>
            {hint.key}
          </Text>
          <Text dimColor> {hint.label}</Text>
        </Box>
      ))}
    </Box>
  );
}
