// Keys that arrive in one chunk reach the screens one keypress at a time; in a text field, a
// burst of text stays one string (a pasted token in one go) while Enter and Tab stay keys.
import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {keyByKey, nextKey} from '../../source/lib/keypresses.js';
import {waitFor} from '../support/wait.js';

function keys(chunk: string, typing = false): string[] {
  const out: string[] = [];
  for (let rest = chunk; rest !== ''; rest = rest.slice(out.at(-1)!.length))
    out.push(nextKey(rest, typing));
  return out;
}

describe('nextKey', () => {
  it('splits keys typed in one burst on a screen of keys', () => {
    expect(keys('jj\r')).toEqual(['j', 'j', '\r']);
    expect(keys('7\r')).toEqual(['7', '\r']);
    expect(keys('q?')).toEqual(['q', '?']);
  });

  it('keeps escape sequences whole, and Esc is a key of its own', () => {
    expect(keys('\u001b[B\u001b[Bj\r')).toEqual(['\u001b[B', '\u001b[B', 'j', '\r']);
    expect(keys('\u001b[5~\u001bOA\u001b[[A\u001b[2$')).toEqual([
      '\u001b[5~',
      '\u001bOA',
      '\u001b[[A',
      '\u001b[2$',
    ]);
    // Esc typed fast before another key, or twice: berth binds no Alt keys.
    expect(keys('\u001bq')).toEqual(['\u001b', 'q']);
    expect(keys('\u001b\u001b\u001b[A')).toEqual(['\u001b', '\u001b', '\u001b[A']);
    expect(keys('\u001b')).toEqual(['\u001b']);
    // A sequence cut short by the chunk goes on whole: Ink's parser waits for the rest.
    expect(keys('\u001b[1;')).toEqual(['\u001b[1;']);
  });

  it('keeps a bracketed paste whole, whatever it holds', () => {
    const paste = '\u001b[200~ghp_abc\rq?\u001b[201~';
    expect(keys(`${paste}j`)).toEqual([paste, 'j']);
  });

  it('in a text field keeps a run of text whole, and Enter, Tab, Esc and erase as keys', () => {
    expect(keys('ghp_0123456789abcdef', true)).toEqual(['ghp_0123456789abcdef']);
    expect(keys('owner\trepo\r', true)).toEqual(['owner', '\t', 'repo', '\r']);
    expect(keys('ab\u007f\u007fc\u001b', true)).toEqual(['ab', '\u007f', '\u007f', 'c', '\u001b']);
    expect(keys('\u0015python:3.12\r', true)).toEqual(['\u0015', 'python:3.12', '\r']);
  });

  it('splits on whole code points', () => {
    expect(keys('é🙂j')).toEqual(['é', '🙂', 'j']);
  });
});

describe('keyByKey', () => {
  /** Reads as Ink does: on `readable`, read() until null; `onKey` may claim or release text. */
  function collect(stdin: NodeJS.ReadableStream, onKey: (key: string) => void = () => {}) {
    const got: string[] = [];
    stdin.on('readable', () => {
      let key: unknown;
      while ((key = stdin.read()) !== null) {
        got.push(key as string);
        onKey(key as string);
      }
    });
    return got;
  }

  it('hands over one keypress per turn, deciding at each whether text is typed', async () => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    const input = keyByKey(stream);
    let release = input.claimText();
    const got = collect(input.stdin, (key) => {
      // Enter closes the field; a later d opens another one.
      if (key === '\r') release();
      if (key === 'd') release = input.claimText();
    });
    stream.write('abc\rjjdxy\r');
    await waitFor(() => got.length === 7, {message: 'seven keys'});
    expect(got).toEqual(['abc', '\r', 'j', 'j', 'd', 'xy', '\r']);
    release();
    release();
    // The next burst after the first: in order, nothing lost.
    stream.write('k');
    stream.write('q');
    await waitFor(() => got.length === 9, {message: 'nine keys'});
    expect(got.slice(7)).toEqual(['k', 'q']);
  });

  it('lets Ink read a lone Esc as Esc before the key after it', async () => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    const input = keyByKey(stream);
    const got = collect(input.stdin);
    stream.write('\u001bq\u001b\u001b');
    await waitFor(() => got.length === 4, {message: 'four keys'});
    expect(got).toEqual(['\u001b', 'q', '\u001b', '\u001b']);
    // Esc, then an arrow in the next chunk: two keys; an arrow split after its ESC: one.
    stream.write('\u001b');
    stream.write('\u001b[A');
    await waitFor(() => got.length === 6, {message: 'six keys'});
    expect(got.slice(4)).toEqual(['\u001b', '\u001b[A']);
    stream.write('\u001b');
    await waitFor(() => got.length === 7, {message: 'the ESC'});
    stream.write('[B');
    await waitFor(() => got.length === 9, {message: 'the rest of the arrow'});
    expect(got.slice(6)).toEqual(['\u001b', '[', 'B']);
  });

  it('stops at the first key of a turn: a reader looping until null gets one', () => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    const input = keyByKey(stream);
    stream.write('jj');
    expect(input.stdin.read()).toBe('j');
    expect(input.stdin.read()).toBeNull();
  });
});
