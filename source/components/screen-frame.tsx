// Title bar + body + key footer: the shape every full screen shares.
import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {useTheme} from '../hooks/use-theme.js';
import {KeyFooter, type KeyHint} from './key-footer.js';

export function ScreenFrame({
  title,
  hints,
  children,
}: {
  title: string;
  hints: readonly KeyHint[];
  children: ReactNode;
}) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" paddingX={1}>
      <Box marginBottom={1}>
        <Text bold color={theme.tint('accent')}>
          berth
        </Text>
        <Text bold> · {title}</Text>
      </Box>
      {children}
      <KeyFooter hints={hints} />
    </Box>
  );
}
