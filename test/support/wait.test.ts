import {spawn} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {isAlive, reapOrphans, servicesRoot} from './services/common.js';
import {waitFor} from './wait.js';

describe('waitFor', () => {
  test('returns the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? {calls} : undefined), {intervalMs: 1});
    expect(value).toEqual({calls: 3});
  });

  test('times out with the message and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still booting');
        },
        {timeoutMs: 50, intervalMs: 5, message: 'the widget'},
      ),
    ).rejects.toThrow('Timed out after 50 ms waiting for the widget: still booting');
  });
});

describe('reapOrphans', () => {
  test('kills tracked daemons whose owning process is gone, and only those', async () => {
    const deadOwner = await new Promise<number>((resolve) => {
      const child = spawn('true');
      child.on('exit', () => resolve(child.pid!));
    });
    const orphan = spawn('sleep', ['60'], {stdio: 'ignore'});
    const owned = spawn('sleep', ['60'], {stdio: 'ignore'});
    const exited = new Promise((resolve) => orphan.once('exit', resolve));
    const pids = path.join(servicesRoot, 'pids');
    mkdirSync(pids, {recursive: true});
    writeFileSync(path.join(pids, `test-orphan-${orphan.pid}`), `${orphan.pid} ${deadOwner}\n`);
    writeFileSync(path.join(pids, `test-owned-${owned.pid}`), `${owned.pid} ${process.pid}\n`);
    try {
      expect(reapOrphans()).toBeGreaterThanOrEqual(1);
      await exited;
      expect(isAlive(orphan.pid!)).toBe(false);
      expect(isAlive(owned.pid!)).toBe(true);
    } finally {
      owned.kill('SIGKILL');
      orphan.kill('SIGKILL');
      writeFileSync(path.join(pids, `test-owned-${owned.pid}`), `${owned.pid} ${deadOwner}\n`);
      reapOrphans();
    }
  });
});
