// Cross-process locks around read-modify-write of config files. proper-lockfile uses an
// atomic mkdir with stale detection, which works for the 32-concurrent-writers case.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {UserError} from './errors.js';

export async function withLock<R>(file: string, work: () => Promise<R> | R): Promise<R> {
  mkdirSync(path.dirname(file), {recursive: true});
  // Loaded on first write only: reads never pay for it.
  const {default: lockfile} = await import('proper-lockfile');
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: {retries: 400, factor: 1.2, minTimeout: 5, maxTimeout: 60, randomize: true},
    });
  } catch (error) {
    throw new UserError(`Can't lock ${file}: another berth process holds it.`, {
      hint: `If no berth process is running, remove ${file}.lock.`,
      cause: error,
    });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
