// A one-line text field (the props of ink-text-input, which it replaces): the value is shown
// inert like every other string, with the cursor drawn in inverse video that survives NO_COLOR.
import {Text} from 'ink';
import {useScreenInput, useTextEntry} from './help-host.js';
import {useReducer, useRef} from 'react';
import {Inverse} from './inverse.js';

export type TextFieldProps = {
  value: string;
  onChange: (value: string) => void;
  onSubmit?: (value: string) => void;
  /** Shown when the value is empty. */
  placeholder?: string;
  /** Every character shown as this one (secrets). */
  mask?: string;
  /** Only the focused field reacts to keys and shows a cursor. */
  focus?: boolean;
  showCursor?: boolean;
};

export function TextField({
  value,
  onChange,
  onSubmit,
  placeholder = '',
  mask,
  focus = true,
  showCursor = true,
}: TextFieldProps) {
  // Keys can arrive faster than the parent re-renders with the new value, so the field keeps
  // the latest value itself; a `value` prop that is none of the values it reported is a
  // change from outside (a reset, a prefill) and replaces it.
  const field = useRef({value, cursor: value.length});
  const reported = useRef<string[]>([]);
  const [, redraw] = useReducer((count: number) => count + 1, 0);
  const seen = reported.current.indexOf(value);
  if (seen >= 0) reported.current = reported.current.slice(seen + 1);
  else if (value !== field.current.value) {
    field.current = {value, cursor: value.length};
    reported.current = [];
  }

  // While focused, `?` and q are characters of the value, not keys of the screen.
  useTextEntry(focus);
  useScreenInput(
    (input, key) => {
      if (key.upArrow || key.downArrow || key.tab || (key.ctrl && input === 'c')) return;
      const current = field.current;
      if (key.return) {
        onSubmit?.(current.value);
        return;
      }
      let next = current;
      if (key.leftArrow) {
        if (showCursor) next = {...current, cursor: Math.max(0, current.cursor - 1)};
      } else if (key.rightArrow) {
        if (showCursor)
          next = {...current, cursor: Math.min(current.value.length, current.cursor + 1)};
      } else if (key.backspace || key.delete) {
        if (current.cursor > 0)
          next = {
            value: current.value.slice(0, current.cursor - 1) + current.value.slice(current.cursor),
            cursor: current.cursor - 1,
          };
      } else if (key.ctrl && input === 'u') {
        // As in a shell: ctrl+u clears what is before the cursor, ctrl+a/e go to the start/end.
        next = {value: current.value.slice(current.cursor), cursor: 0};
      } else if (key.ctrl && (input === 'a' || input === 'e')) {
        if (showCursor) next = {...current, cursor: input === 'a' ? 0 : current.value.length};
      } else if (key.ctrl || key.meta) {
        // Another ctrl or alt key is not text: it never types its letter.
      } else if (input.length > 0) {
        next = {
          value:
            current.value.slice(0, current.cursor) + input + current.value.slice(current.cursor),
          cursor: current.cursor + input.length,
        };
      }
      if (next === current) return;
      field.current = next;
      redraw();
      if (next.value !== current.value) {
        reported.current.push(next.value);
        onChange(next.value);
      }
    },
    {isActive: focus},
  );

  const {cursor} = field.current;
  const shown = mask ? mask.repeat(field.current.value.length) : field.current.value;
  if (!(showCursor && focus)) {
    return shown.length > 0 ? <Text>{shown}</Text> : <Text color="gray">{placeholder}</Text>;
  }
  if (shown.length === 0) {
    return (
      <Text>
        <Inverse>{placeholder.slice(0, 1) || ' '}</Inverse>
        <Text color="gray">{placeholder.slice(1)}</Text>
      </Text>
    );
  }
  const at = Math.min(cursor, shown.length);
  return (
    <Text>
      {shown.slice(0, at)}
      <Inverse>{shown.slice(at, at + 1) || ' '}</Inverse>
      {shown.slice(at + 1)}
    </Text>
  );
}
