// A windowed list: only `size` rows are rendered whatever the number of items, so filtering
// 500 stacks costs the same frame as filtering five. Rows are memoised on what they show: an
// arrow key re-renders the two rows whose highlight moved, not the window.
import {Box, Text} from 'ink';
import {memo} from 'react';
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
        const text = label(item);
        return (
          <SelectRow
            key={text}
            text={text}
            selected={start + offset === cursor}
            current={isCurrent?.(item) ?? false}
            accent={theme.tint('accent')}
          />
        );
      })}
      {start + size < items.length ? (
        <Text dimColor> ↓ {items.length - start - size} more</Text>
      ) : null}
    </Box>
  );
}

const SelectRow = memo(function SelectRow({
  text,
  selected,
  current,
  accent,
}: {
  text: string;
  selected: boolean;
  current: boolean;
  accent: string | undefined;
}) {
  return (
    <Text color={selected ? accent : undefined} bold={selected} wrap="truncate-end">
      {`${selected ? '› ' : '  '}${text}${current ? ' ● current' : ''}`}
    </Text>
  );
});
