// Hostile strings for the tests of lib/inert.ts and of every path that echoes outside text.
import {expect} from 'vitest';
import {isInert} from '../../source/lib/inert.js';

/** Every character a terminal could act on or hide. */
export const hostile = [
  '\u001b[2J', // clear screen
  '\u001b]52;c;ZXZpbA==\u0007', // OSC 52: write the clipboard
  '\u001b[8m', // hidden text
  '\u009b31m', // C1 CSI
  '\u009d0;title\u009c', // C1 OSC … ST
  '\r', // return to the start of the line
  '\b', // backspace
  '\u007f', // DEL
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u200b', // zero-width space
  '\ufeff', // BOM
  '\u2028', // line separator
  '\u{e0041}', // a tag character
  '\ud800', // a lone surrogate
];

/** No character a terminal acts on or hides, other than `allowed`. */
export function expectInert(text: string, allowed = /[\n]/g): void {
  const stripped = text.replace(allowed, '');
  expect(isInert(stripped), JSON.stringify(stripped)).toBe(true);
}
