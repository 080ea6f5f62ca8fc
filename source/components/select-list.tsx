// A windowed list: only `size` rows are rendered whatever the number of items, so filtering
// 500 stacks costs the same frame as filtering five.
import {Box, Text} from 'ink';
import {windowStart} from '../hooks/use-filter-list.js';
import {useTheme} from '../hooks/use-theme.js';

export type SelectListProps<T> = {
  items: readonly T[];
  cursor: number;
  size: number;
  label: (item: T) => string;
  /** Marks the item that is active now (the current stack or profile). */
  isCurrent?: (item: T) => boolean;
  emptyText?: string;
};

export function SelectList<T>({
  items,
  cursor,
  size,
  label,
  isCurrent,
  emptyText = 'Nothing matches.',
}: SelectListProps<T>) {
  const theme = useTheme();
  if (items.length === 0) return <Text dimColor>{emptyText}</Text>;
  const start = windowStart(cursor, items.length, size);
  const rows = items.slice(start, start + size);
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text dimColor> ↑ {start} more</Text> : null}
      {rows.map((item, offset) => {
        const index = start + offset;
        const selected = index === cursor;
        const current = isCurrent?.(item) ?? false;
        return (
          <Text
            key={label(item)}
            color={selected ? theme.tint('accent') : undefined}
            bold={selected}
            wrap="truncate-end"
          >
            {selected ? '› ' : '  '}
            {label(item)}
            {current ? ' ● current' : ''}
          </Text>
        );
      })}
      {start + size < items.length ? (
        <Text dimColor> ↓ {items.length - start - size} more</Text>
      ) : null}
    </Box>
  );
}
