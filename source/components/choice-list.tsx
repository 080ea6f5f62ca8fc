// ink-select-input with the theme's colors (its default items are always blue, even under
// NO_COLOR).
import {Box, Text} from 'ink';
import SelectInput from 'ink-select-input';
import {useScreenActive} from './help-host.js';
import {useTheme} from '../hooks/use-theme.js';

export type Choice<V> = {label: string; value: V; key?: string};

export function ChoiceList<V>({
  items,
  isActive,
  initialIndex,
  limit,
  onSelect,
}: {
  items: Choice<V>[];
  isActive: boolean;
  initialIndex?: number;
  limit?: number;
  onSelect: (value: V) => void;
}) {
  const theme = useTheme();
  const screenActive = useScreenActive();
  return (
    <SelectInput
      items={items}
      isFocused={isActive && screenActive}
      initialIndex={initialIndex}
      limit={limit}
      onSelect={(item) => onSelect(item.value)}
      indicatorComponent={({isSelected}) => (
        <Box marginRight={1}>
          <Text color={theme.tint('accent')}>{isSelected ? '›' : ' '}</Text>
        </Box>
      )}
      itemComponent={({isSelected, label}) => (
        <Text color={isSelected ? theme.tint('accent') : undefined} bold={isSelected}>
          {label}
        </Text>
      )}
    />
  );
}
