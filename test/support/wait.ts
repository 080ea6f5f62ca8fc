// Polling with a deadline: the only way tests wait for something to happen (never a fixed sleep).
import {setTimeout as delay} from 'node:timers/promises';

export type WaitOptions = {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was awaited; it becomes the error message on timeout. */
  message?: string;
};

/**
 * Calls `condition` until it returns a truthy value (which is returned) or the deadline
 * passes. A throwing condition counts as "not yet"; its last error is kept for the timeout
 * message so a failure says why, not just that it took too long.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  {timeoutMs = 10_000, intervalMs = 50, message = 'condition'}: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}${reason}`, {
        cause: lastError,
      });
    }
    await delay(intervalMs);
  }
}
