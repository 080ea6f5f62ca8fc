// The keys that work on the current screen, one line, wrapping on narrow terminals.
import {Box, Text} from 'ink';
import {useTheme} from '../hooks/use-theme.js';

export type KeyHint = {key: string; label: string};

export function KeyFooter({hints}: {hints: readonly KeyHint[]}) {
  const theme = useTheme();
  return (
    <Box flexWrap="wrap" columnGap={2} marginTop={1}>
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
