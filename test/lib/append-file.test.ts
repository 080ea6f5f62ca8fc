// The publish log's file: what is written lands within a turn of the event loop, whole and in
// order, and a file that cannot be opened loses the text without failing the publish.
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, test} from 'vitest';
import {AppendFile} from '../../source/lib/append-file.js';
import {nextTurn} from '../../source/lib/breather.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-append-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('AppendFile', () => {
  test('text lands after one turn of the event loop, then in order, and close writes the rest', async () => {
    const file = path.join(dir, 'publish.log');
    const log = new AppendFile(file);
    log.write('first\n');
    log.write('second\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    await nextTurn();
    // A reader following the file (tail -f) sees lines while the build runs, not at the end.
    expect(readFileSync(file, 'utf8')).toBe('first\nsecond\n');
    const big = `${'ü'.repeat(3 * 1024 * 1024)}\n`;
    log.write(big);
    log.write('last\n');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe(`first\nsecond\n${big}last\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    log.write('after close\n');
    await nextTurn();
    expect(readFileSync(file, 'utf8').endsWith('last\n')).toBe(true);
    expect(log.failure).toBeUndefined();
  });

  test('a file that cannot be created drops its text and says why', async () => {
    const log = new AppendFile(path.join(dir, 'missing', 'publish.log'));
    expect(() => log.write('lost\n')).not.toThrow();
    await nextTurn();
    log.close();
    expect((log.failure as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
