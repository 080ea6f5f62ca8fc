// Every string that comes from outside berth (a cloned repository's .berth/config.yaml, names
// in a store, an API's login, an error from a library, a build log) passes through `inert`
// on its way to a terminal, so it can never move the cursor, clear the screen, write the
// clipboard (OSC 52), hide text (SGR 8) or reorder what is shown (bidi overrides). Like gh's
// asciisanitizer, controls are shown, not dropped: the user sees that something was there.
//
// The CLI applies it in lib/output.ts (every line, table cell, message and JSON document) and
// the TUI in components/inert-ink.tsx (Ink's Text and Transform, which every screen and every Ink
// component from npm render strings through). Nothing else should write outside strings to a
// terminal.

/** C0 controls, DEL, C1 controls, format characters (bidi, zero-width, tags), line and
 *  paragraph separators, lone surrogates and the invisible Hangul fillers. */
const unsafe =
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  /[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0]/u;
const unsafeGlobal = new RegExp(unsafe.source, 'gu');

export type InertOptions = {
  /** Keep `\n` and `\t` (a `\r\n` becomes `\n`): for text that is laid out over lines. */
  multiline?: boolean;
};

/** The visible form of one unsafe character. */
function show(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  // C0 → Unicode's control pictures: ESC shows as ␛, so `\x1b[2J` reads `␛[2J`.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '␡';
  // C1 → the 7-bit form they stand for: CSI (U+009B) shows as `␛[`, OSC (U+009D) as `␛]`.
  if (code <= 0x9f) return `␛${String.fromCharCode(code - 0x40)}`;
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** `text` with every control, bidi override and invisible format character shown visibly. */
export function inert(text: string, options: InertOptions = {}): string {
  if (!unsafe.test(text)) return text;
  const source = options.multiline ? text.replace(/\r\n/g, '\n') : text;
  return source.replace(unsafeGlobal, (character) =>
    options.multiline && (character === '\n' || character === '\t') ? character : show(character),
  );
}

/** True when `text` has nothing `inert` would change. */
export function isInert(text: string): boolean {
  return !unsafe.test(text);
}

/** A JSON document with every character `inert` would show written as a `\uXXXX` escape:
 *  the same data for a program that parses it, nothing active for a terminal that shows it.
 *  (JSON.stringify already escapes C0 controls; C1, bidi and format characters pass raw.) */
export function inertJson(json: string): string {
  if (!unsafe.test(json)) return json;
  return json.replace(unsafeGlobal, (character) => {
    // Raw C0 characters in JSON.stringify's output are its own indentation.
    if (character < ' ') return character;
    let escaped = '';
    for (let index = 0; index < character.length; index++)
      escaped += `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}
