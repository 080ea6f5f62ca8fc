// What the live sweep view shows, kept outside React (STYLE.md 7): one row per run (its swept
// values, node, status, timings and a bounded tail of its log), updated by the sweep's events.
// The view redraws from it on a timer; `revision` says whether anything changed.
import {RingBuffer} from '../lib/ring-buffer.js';
import type {RunStatus} from '../models/run.js';
import {describeValues, type SweepEvent, type SweepPlan} from './sweeps.js';

export type SweepRowStatus = 'queued' | RunStatus;
export type SweepOutcome = 'succeeded' | 'failed' | 'cancelled';
export const sweepOutcomes: readonly SweepOutcome[] = ['succeeded', 'failed', 'cancelled'];

export type SweepRow = {
  index: number;
  label: string;
  runId: string | null;
  node: string | null;
  status: SweepRowStatus;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  /** The most recent lines of the run's output (stdout and stderr, as they came). */
  lines: RingBuffer<string>;
};

export class SweepModel {
  revision = 0;
  readonly rows: SweepRow[];
  readonly startedAt: number;
  finishedAt: number | null = null;
  private readonly partial = new Map<string, string>();

  constructor(
    readonly plan: SweepPlan,
    {linesPerRun = 2_000, now = Date.now()}: {linesPerRun?: number; now?: number} = {},
  ) {
    this.startedAt = now;
    this.rows = plan.combinations.map((combination) => ({
      index: combination.index,
      label: describeValues(combination.values),
      runId: null,
      node: null,
      status: 'queued',
      startedAt: null,
      finishedAt: null,
      error: null,
      lines: new RingBuffer<string>(linesPerRun),
    }));
  }

  apply(event: SweepEvent, now = Date.now()): void {
    const row = this.rows[event.index];
    if (!row) return;
    this.revision++;
    switch (event.type) {
      case 'started':
        row.runId = event.run.id;
        row.status = 'running';
        row.startedAt = now;
        return;
      case 'node':
        row.node = event.node;
        return;
      case 'info':
        row.lines.push(`berth: ${event.line}`);
        return;
      case 'output':
        this.append(row, event.stream, event.chunk.toString('utf8'));
        return;
      case 'finished':
        for (const stream of ['stdout', 'stderr'] as const) {
          const rest = this.partial.get(`${row.index}/${stream}`);
          if (rest) row.lines.push(rest);
          this.partial.delete(`${row.index}/${stream}`);
        }
        row.status = event.status;
        row.error = event.error;
        row.runId ??= event.run?.id ?? null;
        row.node ??= event.run?.node ?? null;
        row.startedAt ??= now;
        row.finishedAt = now;
        if (event.error && event.status !== 'succeeded') row.lines.push(`berth: ${event.error}`);
        return;
    }
  }

  /** The sweep returned: no run is running any more. */
  finish(now = Date.now()): void {
    this.finishedAt = now;
    this.revision++;
  }

  private append(row: SweepRow, stream: string, text: string): void {
    const key = `${row.index}/${stream}`;
    const parts = ((this.partial.get(key) ?? '') + text).split('\n');
    this.partial.set(key, parts.pop()!);
    for (const line of parts) row.lines.push(line);
  }

  counts(): Record<SweepRowStatus, number> {
    const counts = {queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0};
    for (const row of this.rows) counts[row.status] += 1;
    return counts;
  }

  /** Durations (ms) of the finished runs, by outcome. */
  durationsByOutcome(): Record<SweepOutcome, number[]> {
    const durations: Record<SweepOutcome, number[]> = {succeeded: [], failed: [], cancelled: []};
    for (const row of this.rows) {
      if (row.status === 'queued' || row.status === 'running') continue;
      if (row.startedAt !== null && row.finishedAt !== null)
        durations[row.status].push(row.finishedAt - row.startedAt);
    }
    return durations;
  }

  /** How long a row has run (to `now` while running). */
  durationOf(row: SweepRow, now: number): number | null {
    if (row.startedAt === null) return null;
    return (row.finishedAt ?? now) - row.startedAt;
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
