// BERTH_TRACE=1: one stderr line per milestone, in ms since the process started, so a slow
// command shows where its time goes. Off: one property read per call. The clock is
// process.uptime(): the global `performance` loads node:perf_hooks (1.2 ms), which would then
// count in the very times it measures (bench/rebuild's traced publishes).
const enabled = Boolean(process.env.BERTH_TRACE);
export const tracing = enabled;

export function trace(label: string): void {
  if (enabled)
    process.stderr.write(`berth-trace ${(process.uptime() * 1000).toFixed(1)} ms ${label}\n`);
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
