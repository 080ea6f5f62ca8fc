// The one function that makes outside strings safe for a terminal.
import {describe, expect, it} from 'vitest';
import {inert, inertJson} from '../../source/lib/inert.js';
import {Output} from '../../source/lib/output.js';
import {Writable} from 'node:stream';
import {expectInert, hostile} from '../support/hostile.js';

describe('inert', () => {
  it('shows ESC and the other C0 controls as control pictures', () => {
    expect(inert('\u001b[2Jhi')).toBe('␛[2Jhi');
    expect(inert('a\u0000b\u0007c\rd\ne\tf')).toBe('a␀b␇c␍d␊e␉f');
    expect(inert('x\u007f')).toBe('x␡');
  });

  it('shows C1 controls as the 7-bit escape they stand for', () => {
    expect(inert('\u009b2J')).toBe('␛[2J');
    expect(inert('\u009d52;c;x\u009c')).toBe('␛]52;c;x␛\\');
  });

  it('names bidi overrides, zero-width and other invisible characters', () => {
    expect(inert('evil\u202egpj.exe')).toBe('evil<U+202E>gpj.exe');
    expect(inert('a\u200bb\ufeffc\u2028d\u3164e')).toBe('a<U+200B>b<U+FEFF>c<U+2028>d<U+3164>e');
    expect(inert('tag\u{e0041}')).toBe('tag<U+E0041>');
    expect(inert('lone\ud800')).toBe('lone<U+D800>');
  });

  it('leaves ordinary text alone, including non-Latin scripts and emoji', () => {
    for (const text of ['stack-1', 'café', 'Привет', '模型', 'שלום', '🚀', 'a b']) {
      expect(inert(text)).toBe(text);
    }
  });

  it('keeps newlines and tabs in multi-line text, and drops the \\r of \\r\\n', () => {
    expect(inert('a\r\nb\tc\rd\u001b', {multiline: true})).toBe('a\nb\tc␍d␛');
  });

  it('is idempotent and leaves nothing active for any hostile input', () => {
    for (const text of hostile) {
      const once = inert(text);
      expectInert(once, /$^/g);
      expect(inert(once)).toBe(once);
    }
  });
});

describe('inertJson', () => {
  it('escapes C1, bidi and format characters inside JSON strings, keeping the data', () => {
    const value = {name: `x${hostile.join('')}y`, list: ['\u202e']};
    const json = inertJson(JSON.stringify(value, null, 2));
    expectInert(json);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('Output', () => {
  function capture(color: boolean) {
    let out = '';
    let err = '';
    const sink = (append: (text: string) => void) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          append(chunk.toString());
          done();
        },
      });
    const output = new Output({
      json: false,
      color,
      stdout: sink((text) => (out += text)),
      stderr: sink((text) => (err += text)),
    });
    return {output, out: () => out, err: () => err};
  }

  it('makes every line, message and table cell inert', () => {
    const {output, out, err} = capture(false);
    output.line(`name \u001b[2J\u202e`);
    output.info('\u009b31mred');
    output.warn('\u001b]52;c;eA==\u0007');
    output.success('\u001b[8mhidden');
    output.table(['NAME'], [['\u001b[2Jx'], ['plain']]);
    expectInert(out() + err());
    expect(out()).toContain('name ␛[2J<U+202E>');
    expect(out()).toContain('␛[2Jx');
    expect(err()).toContain('␛[31mred');
  });

  it('writes its own colors, and only those, as escapes', () => {
    const {output, err} = capture(true);
    output.warn('\u001b[8mhidden');
    expect(err()).toBe('\u001b[33mWarning:\u001b[39m ␛[8mhidden\n');
  });
});
