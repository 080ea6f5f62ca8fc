// Keys that reach berth in one chunk (a fast typist, ssh, a loaded machine) are handed to Ink
// one keypress at a time. Ink passes a chunk of plain text on as one `input` string (`jj`,
// `7\r`), so a list would read `jj` as neither j nor j; Ink renders after every input event, so
// each key here sees the screen the key before it made. Where the user types (a focused text
// field), runs of text stay whole, so a pasted token arrives in one go.

const escape = '\u001b';
const pasteStart = '\u001b[200~';
const pasteEnd = '\u001b[201~';
// A complete CSI (with the legacy `ESC[[A` and rxvt `ESC[2$` forms) or SS3 sequence: one key.
// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
const controlSequence = /^\u001b(?:\[\[?[0-?]*(?:\$|[ -/]*[@-~])|O[0-9;]*[@-~])/;
/**
 * Ink reads a lone ESC as Esc only once 20 ms pass without input (ESC then `q` is Alt+q to
 * it), so a key after Esc in the same burst waits this long. berth binds no Alt keys: Esc
 * then q typed fast is Esc, then q.
 */
export const escapeSettleMs = 40;
// Where a run of typed text ends: at any control character (Enter, Tab, ESC, erase, ctrl+u…),
// each a key of its own.
// eslint-disable-next-line no-control-regex -- control characters are the point
const keyCharacter = /[\u0000-\u001f\u007f]/;

/** The first keypress of `pending`; with `typing`, a run of plain text counts as one. */
export function nextKey(pending: string, typing: boolean): string {
  if (pending.startsWith(pasteStart)) {
    const end = pending.indexOf(pasteEnd);
    return end === -1 ? pending : pending.slice(0, end + pasteEnd.length);
  }
  if (pending.startsWith(escape)) {
    const sequence = controlSequence.exec(pending);
    if (sequence) return sequence[0];
    // Cut short by the end of the chunk: Ink's parser waits for the rest.
    if (pending[1] === '[' || pending[1] === 'O') return pending;
    return escape;
  }
  if (typing) {
    const end = pending.search(keyCharacter);
    if (end !== 0) return end === -1 ? pending : pending.slice(0, end);
  }
  return String.fromCodePoint(pending.codePointAt(0)!);
}

export type KeyByKey<S extends NodeJS.ReadableStream> = {
  /** `stdin` whose read() hands over one keypress per turn of the event loop. */
  stdin: S;
  /** A text field took focus: runs of text stay whole until the returned release is called. */
  claimText(): () => void;
};

/**
 * Wraps `stdin` so read() returns one keypress, then null until the next turn of the event
 * loop, when `readable` is emitted again for the next one (the stream is drained into a buffer
 * here at every read, so it signals new data as it does for Ink). Ink reads until null and React
 * renders its updates in a microtask, so each key's handler sees the screen the key before it
 * left. Whether text is typed is decided at each read: `abc\rjj` typed into a field that Enter
 * closes gives `abc`, Enter, j, j.
 */
export function keyByKey<S extends NodeJS.ReadableStream>(stdin: S): KeyByKey<S> {
  let pending = '';
  let textClaims = 0;
  // A key went this turn; a lone Esc went and Ink has not read it as Esc yet.
  let handed = false;
  let settlingEscape = false;
  const nextTurn = () => {
    handed = false;
    if (pending !== '') stdin.emit('readable');
  };
  const escapeSettled = () => {
    settlingEscape = false;
    nextTurn();
  };
  const read = (): string | null => {
    // Drain the stream as Ink would (until null), so it signals the next data as usual.
    let chunk: unknown;
    while ((chunk = stdin.read()) !== null) pending += String(chunk);
    if (handed || pending === '') return null;
    if (settlingEscape) {
      // The rest of a sequence split across reads goes on at once (Ink joins it to the ESC);
      // any other key waits until Ink has read the Esc.
      if (pending[0] !== '[' && pending[0] !== 'O') return null;
      settlingEscape = false;
    }
    const key = nextKey(pending, textClaims > 0);
    pending = pending.slice(key.length);
    handed = true;
    if (key === escape) {
      settlingEscape = true;
      setTimeout(escapeSettled, escapeSettleMs);
    }
    setImmediate(nextTurn);
    return key;
  };
  const wrapped = new Proxy(stdin, {
    get(target, property) {
      if (property === 'read') return read;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return {
    stdin: wrapped,
    claimText() {
      textClaims++;
      let released = false;
      return () => {
        if (!released) textClaims--;
        released = true;
      };
    },
  };
}
