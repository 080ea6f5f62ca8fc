// Title bar + body + key footer: the shape every full screen shares. The frame is never taller
// than the terminal (one row stays free, so Ink never scrolls): the body gives up rows first,
// so title and footer stay on a 60x15 terminal; on a tall one the frame is only as tall as
// its content.
import {Box, Text, useWindowSize} from 'ink';
import {memo, type ReactNode} from 'react';
import {useTheme} from '../hooks/use-theme.js';
import {KeyFooter, keyHints, type KeyHint} from './key-footer.js';

export function ScreenFrame({
  title,
  hints,
  help = true,
  children,
}: {
  title: string;
  hints: readonly KeyHint[];
  /** Adds `? help` to the footer (every screen has help; the help itself does not). */
  help?: boolean;
  children: ReactNode;
}) {
  const theme = useTheme();
  const {rows} = useWindowSize();
  const footer =
    help && !hints.some((hint) => hint.key === '?') ? [...hints, keyHints.help] : hints;
  return (
    <Box flexDirection="column" paddingX={1} maxHeight={Math.max(rows - 1, 4)}>
      <TitleBar title={title} accent={theme.tint('accent')} />
      <Box flexDirection="column" flexShrink={1} overflow="hidden">
        {/* Rows keep their height: what does not fit is cut at the bottom, not squeezed. */}
        <Box flexDirection="column" flexShrink={0}>
          {children}
        </Box>
      </Box>
      <KeyFooter hints={footer} />
    </Box>
  );
}

const TitleBar = memo(function TitleBar({title, accent}: {title: string; accent?: string}) {
  return (
    <Box marginBottom={1} flexShrink={0}>
      <Text bold wrap="truncate-end">
        <Text color={accent}>berth</Text> · {title}
      </Text>
    </Box>
  );
});
