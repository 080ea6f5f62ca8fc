// What breaks a caller of the previous version, and what is only worth a note.
import {describe, expect, it} from 'vitest';
import type {ModuleParameter} from '../../../source/models/module.js';
import {
  checkBreaking,
  diffParameters,
  schemaChangeLines,
} from '../../../source/services/publish/schema-diff.js';

const p = (
  name: string,
  type: ModuleParameter['type'],
  required = false,
  defaultValue: ModuleParameter['defaultValue'] = null,
): ModuleParameter => ({name, type, required, defaultValue, description: ''});

describe('diffParameters', () => {
  it('calls a removed parameter, a changed type and a newly required one without default breaking', () => {
    const changes = diffParameters(
      [p('angle', 'float', false, 90), p('label', 'str'), p('size', 'int', false, 3)],
      [p('angle', 'int', false, 90), p('size', 'int', true)],
    );
    expect(changes.map((c) => [c.kind, c.parameter, c.breaking])).toEqual([
      ['type-changed', 'angle', true],
      ['removed', 'label', true],
      ['now-required', 'size', true],
      ['default-changed', 'size', false],
    ]);
    expect(() => checkBreaking('rotate', {against: 2, changes}, false)).toThrow(
      /The new schema of rotate breaks version 2: parameter "angle" changes type from float to int; parameter "label" \(str\) is removed; parameter "size" becomes required without a default/,
    );
    expect(() => checkBreaking('rotate', {against: 2, changes}, true)).not.toThrow();
  });

  it('calls additions notes, unless the addition is required without a default', () => {
    const changes = diffParameters(
      [p('angle', 'float', true)],
      [
        p('angle', 'float', false, 1.5),
        p('mode', 'str', false, 'fast'),
        p('seed', 'int', true),
        p('flip', 'bool', true, false),
      ],
    );
    expect(changes.map((c) => [c.kind, c.parameter, c.breaking])).toEqual([
      ['now-optional', 'angle', false],
      ['default-changed', 'angle', false],
      ['added', 'mode', false],
      ['added', 'seed', true],
      ['added', 'flip', false],
    ]);
    expect(schemaChangeLines({against: 1, changes}).slice(2, 4)).toEqual([
      'note: parameter "mode" (str) is added with default "fast" (since version 1)',
      'BREAKING: parameter "seed" (int) is added as required without a default (since version 1)',
    ]);
  });

  it('says nothing for a first version and "unchanged" for an identical schema', () => {
    expect(schemaChangeLines({against: null, changes: []})).toEqual([]);
    expect(diffParameters([p('a', 'list')], [p('a', 'list')])).toEqual([]);
    expect(schemaChangeLines({against: 4, changes: []})).toEqual([
      'schema unchanged since version 4',
    ]);
  });
});
