// Cross-process locks around read-modify-write of config files. proper-lockfile uses an
// atomic mkdir with stale detection, which works for the 32-concurrent-writers case.
//
// Locks are reentrant within one async flow (AsyncLocalStorage): a use case that checks and
// then writes holds the lock over both, and the store functions it calls, which lock the same
// file for their own write, join it instead of waiting for themselves.
import {AsyncLocalStorage} from 'node:async_hooks';
import {existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {UserError} from './errors.js';
import {errnoCode, fileError} from './file-errors.js';

const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** How long to wait for another berth process to finish with a file. */
const waitMs = 20_000;

export async function withLock<R>(file: string, work: () => Promise<R> | R): Promise<R> {
  const key = path.resolve(file);
  const holding = held.getStore();
  if (holding?.has(key)) return work();
  try {
    mkdirSync(path.dirname(file), {recursive: true});
  } catch (error) {
    throw fileError(error, path.dirname(file), 'create');
  }
  // Loaded on first write only: reads never pay for it.
  const {default: lockfile} = await import('proper-lockfile');
  const deadline = Date.now() + waitMs;
  let release: () => Promise<void>;
  for (let attempt = 0; ; attempt++) {
    try {
      release = await lockfile.lock(file, {
        realpath: false,
        stale: 10_000,
        update: 2_000,
        retries: 0,
        // A lock whose refresh fails (the disk filled up, the directory went read-only) is
        // reported by the write that follows; it must not throw from a timer.
        onCompromised: () => undefined,
      });
      break;
    } catch (error) {
      // Only "another process holds it" is worth waiting for; a read-only or full disk, or a
      // permission, is reported at once with its real cause.
      if (errnoCode(error) !== 'ELOCKED') throw fileError(error, `${file}.lock`, 'create');
      if (Date.now() >= deadline) {
        throw new UserError(
          `Can't lock ${file}: another berth process has held it for ${waitMs / 1000} s.`,
          {
            hint: existsSync(`${file}.lock`)
              ? `If no berth process is running, remove ${file}.lock (berth takes it over by itself after 10 s without an update).`
              : 'Try again.',
            cause: error,
          },
        );
      }
      await delay(Math.min(60, 5 * 1.2 ** attempt) * (0.5 + Math.random()));
    }
  }
  try {
    return await held.run(new Set([...(holding ?? []), key]), work);
  } finally {
    await release().catch(() => undefined);
  }
}
