// `?`: every key of the TUI in one place. Esc, q or ? closes it.
import {Box, Text, useInput} from 'ink';
import {ScreenFrame} from '../components/screen-frame.js';
import {useTheme} from '../hooks/use-theme.js';
import {pluginScreenIds, pluginScreens} from './registry.js';

const sections: {title: string; keys: [string, string][]}[] = [
  {
    title: 'Home',
    keys: [
      ['s', 'switch stack'],
      ['p', 'switch profile'],
      ['-', 'previous stack (cd -)'],
      ['i', 'berth init here'],
      ...pluginScreenIds.map((id): [string, string] => [
        pluginScreens[id].key,
        pluginScreens[id].title.toLowerCase(),
      ]),
      ['w', 'setup wizard'],
      ['q / esc', 'quit'],
    ],
  },
  {
    title: 'Switchers',
    keys: [
      ['a-z 0-9 . - _', 'filter'],
      ['backspace', 'erase'],
      ['↑ ↓ pgup pgdn', 'move'],
      ['tab', 'here / global'],
      ['enter', 'switch'],
      ['esc', 'close'],
    ],
  },
  {title: 'Anywhere', keys: [['ctrl+c', 'quit at once']]},
];

export function HelpScreen({isActive, onClose}: {isActive: boolean; onClose: () => void}) {
  const theme = useTheme();
  useInput(
    (input, key) => {
      if (key.escape || input === 'q' || input === '?') onClose();
    },
    {isActive},
  );
  return (
    <ScreenFrame title="help" hints={[{key: 'esc', label: 'close'}]}>
      <Box flexWrap="wrap" columnGap={4}>
        {sections.map((section) => (
          <Box key={section.title} flexDirection="column" marginBottom={1} width={36}>
            <Text bold>{section.title}</Text>
            {section.keys.map(([key, label]) => (
              <Text key={key}>
                <Text color={theme.tint('accent')}>{key.padEnd(15)}</Text>
                {label}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </ScreenFrame>
  );
}
