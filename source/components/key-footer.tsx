// The keys that work on the current screen, one line, wrapping on narrow terminals. Screens
// name common keys through keyHints, so every footer spells them the same way.
import {Box, Text} from 'ink';
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

export function KeyFooter({hints}: {hints: readonly KeyHint[]}) {
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
