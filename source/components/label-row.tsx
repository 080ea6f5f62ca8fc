// A dim label in a fixed column and its value beside it, wrapping under itself: the rows of
// home, the wizard's review, the publish confirm step and a version's details.
import {Box, Text} from 'ink';
import type {ReactNode} from 'react';

export function LabelRow({
  label,
  width = 12,
  children,
}: {
  label: string;
  width?: number;
  children: ReactNode;
}) {
  return (
    <Box>
      <Box width={width} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Box flexGrow={1}>
        {typeof children === 'string' || typeof children === 'number' || Array.isArray(children) ? (
          <Text wrap="wrap">{children}</Text>
        ) : (
          children
        )}
      </Box>
    </Box>
  );
}
