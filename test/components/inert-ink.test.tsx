// Every string Ink draws is inert: Text, Transform, fragments, the select list from npm, and
// the text field, whatever a screen passes them.
import {Box, Text, Transform} from 'ink';
import SelectInput from 'ink-select-input';
import {render} from 'ink-testing-library';
import {useState} from 'react';
import {describe, expect, it} from 'vitest';
import {ChoiceList} from '../../source/components/choice-list.js';
import {TextField} from '../../source/components/text-field.js';
import {hostile} from '../support/hostile.js';
import {waitFor} from '../support/wait.js';

const payload = hostile.join('|');

/** What reached the terminal carries no escape but Ink's own colors and cursor moves. */
function expectNoHostile(frame: string): void {
  expect(frame).not.toContain('\u001b[2J');
  expect(frame).not.toContain('\u001b]52');
  expect(frame).not.toContain('\u001b[8m');
  expect(frame).not.toMatch(/[\u0080-\u009f\u202e\u2066\u200b\ufeff\u2028]/);
  expect(frame).toContain('␛[2J');
  expect(frame).toContain('<U+202E>');
}

describe('Ink text is inert', () => {
  it('in Text, nested Text, fragments and arrays', () => {
    const {lastFrame, unmount} = render(
      <Box flexDirection="column">
        <Text>{payload}</Text>
        <Text>
          a <Text bold>{payload}</Text>
          <>{payload}</>
          {[payload, 1]}
        </Text>
      </Box>,
    );
    expectNoHostile(lastFrame()!);
    unmount();
  });

  it('in a Transform, whose own function still applies', () => {
    const {lastFrame, unmount} = render(
      <Text>
        <Transform transform={(text) => `[${text}]`}>{payload}</Transform>
      </Text>,
    );
    expectNoHostile(lastFrame()!);
    expect(lastFrame()).toMatch(/^\[/);
    unmount();
  });

  it('in the select list from npm and in ours', () => {
    const items = [{label: payload, value: 'a'}];
    const select = render(<SelectInput items={items} />);
    expectNoHostile(select.lastFrame()!);
    select.unmount();
    const choices = render(
      <ChoiceList items={[{label: payload, value: 'a'}]} isActive onSelect={() => undefined} />,
    );
    expectNoHostile(choices.lastFrame()!);
    choices.unmount();
  });

  it('in the text field, with a cursor that needs no colors', () => {
    const {lastFrame, unmount} = render(<TextField value={payload} onChange={() => undefined} />);
    expectNoHostile(lastFrame()!);
    expect(lastFrame()).toContain('\u001b[7m \u001b[27m');
    unmount();
  });
});

describe('the text field', () => {
  it('keeps every key typed faster than the screen redraws', async () => {
    const values: string[] = [];
    function Form() {
      const [value, setValue] = useState('prefilled');
      return (
        <TextField
          value={value}
          onChange={(next) => {
            values.push(next);
            setValue(next);
          }}
        />
      );
    }
    const {stdin, lastFrame, unmount} = render(<Form />);
    await waitFor(() => lastFrame()!.includes('prefilled'));
    // All at once, before React renders in between.
    for (let i = 0; i < 'prefilled'.length; i++) stdin.write('\u007f');
    for (const char of 'http://127.0.0.1:8080') stdin.write(char);
    await waitFor(() => values.at(-1) === 'http://127.0.0.1:8080');
    await waitFor(() => lastFrame()!.includes('http://127.0.0.1:8080'));
    unmount();
  });
});
