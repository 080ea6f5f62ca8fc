// BERTH_TRACE=1: one stderr line per milestone, in ms since the process started (Node's time
// origin), so a slow command shows where its time goes. Off: one property read per call.
const enabled = Boolean(process.env.BERTH_TRACE);
export const tracing = enabled;

export function trace(label: string): void {
  if (enabled) process.stderr.write(`berth-trace ${performance.now().toFixed(1)} ms ${label}\n`);
}

/** `work` between two trace lines (`label` and `label done`). */
export async function traced<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  trace(label);
  try {
    return await work();
  } finally {
    trace(`${label} done`);
  }
}
