// SIGINT and SIGTERM for long commands (downloads, publishes, runs, followed logs): the first
// one aborts the work's signal, the work cleans up what it started (a partial directory, a
// container, a build), and the command ends with exit 130 (SIGINT) or 143 (SIGTERM). A second
// signal while cleaning up ends the process at once with the same code.
import {InterruptedError, isBerthError} from './errors.js';

const signals = ['SIGINT', 'SIGTERM'] as const;
type Signal = (typeof signals)[number];
const exitCodes: Record<Signal, number> = {SIGINT: 130, SIGTERM: 143};

export async function untilInterrupted<R>(
  work: (signal: AbortSignal) => Promise<R>,
  describe: (signal: Signal) => string = (signal) =>
    signal === 'SIGINT' ? 'Cancelled.' : 'Stopped (SIGTERM).',
): Promise<R> {
  const controller = new AbortController();
  let received: Signal | undefined;
  const handlers = signals.map((name) => {
    const handler = () => {
      if (received) process.exit(exitCodes[received]);
      received = name;
      controller.abort(new InterruptedError(name, describe(name)));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  try {
    return await work(controller.signal);
  } catch (error) {
    // Whatever the aborted work threw (an AbortError, a "cancelled" from below), the command
    // ends as interrupted by that signal.
    if (received && !(error instanceof InterruptedError)) {
      const hint = isBerthError(error) ? error.text.hint : undefined;
      throw new InterruptedError(received, describe(received), {hint, cause: error});
    }
    throw error;
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}
