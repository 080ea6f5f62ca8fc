// Keys that reach berth as one chunk (typed faster than it reads, or a paste ending in a
// newline) are split so Enter and Tab stay keys: `needle\r` searches, `owner\t` moves on.
import {describe, expect, it} from 'vitest';
import {splitKeys} from '../../source/components/help-host.js';

describe('splitKeys', () => {
  it('splits text from Enter and Tab, in order', () => {
    expect(splitKeys('42\r')).toEqual([
      ['42', {}],
      ['', {return: true}],
    ]);
    expect(splitKeys('a\tb\r')).toEqual([
      ['a', {}],
      ['', {tab: true}],
      ['b', {}],
      ['', {return: true}],
    ]);
  });

  it('leaves one key, plain text and escape sequences as they are', () => {
    expect(splitKeys('\r')).toEqual([['\r', {}]]);
    expect(splitKeys('abc')).toEqual([['abc', {}]]);
    expect(splitKeys('\u001b[A')).toEqual([['\u001b[A', {}]]);
  });
});
