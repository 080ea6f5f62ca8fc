// BuildKit's progress (decoded `moby.buildkit.trace` messages) → the same PublishEvents the
// classic builder's text becomes, so the pane, the plain printer and the log file need not know
// which builder ran. A vertex named `[N/M] INSTRUCTION` is Dockerfile step N of M; its logs are
// that step's lines, `cached` its CACHED marker, `error` its failure. The other vertexes (loading
// the Dockerfile and context, exporting the image) become one log line each when they finish.
// Every byte of every log is passed on: lines are reassembled per vertex and stream, never cut.
import type {BuildkitStatus, BuildkitVertex} from '../../clients/buildkit-status.js';
import type {StepRecord} from '../../models/module-version.js';
import type {PublishEvent} from '../../models/publish-events.js';

/** `[2/5] RUN x`, or `[stage 2/5] RUN x` in a multi-stage build. */
const stepName = /^\[(?:(.+?) )?(\d+)\/(\d+)\] ([\s\S]*)$/;
const clipMarker = '[output clipped, log limit';

type VertexState = {
  name: string;
  /** Step index when the vertex is a Dockerfile step. */
  index: number | null;
  total: number;
  instruction: string;
  startedAt: number | null;
  engineStarted: number | undefined;
  ended: boolean;
  cached: boolean;
  cachedReported: boolean;
  errorReported: boolean;
  /** The unfinished last line of each output stream. */
  partial: Map<number, string>;
};

export const clippedLogHint =
  'The engine cut this output at its BuildKit log limit. For whole logs, start dockerd with BUILDKIT_STEP_LOG_MAX_SIZE=1073741824 and BUILDKIT_STEP_LOG_MAX_SPEED=1073741824 in its environment, or publish with DOCKER_BUILDKIT=0 (the classic builder, without the pip cache).';

export class BuildkitProgress {
  private readonly vertexes = new Map<string, VertexState>();
  private readonly stages: string[] = [];
  private readonly reportedStatuses = new Set<string>();
  private clipReported = false;
  private failed: VertexState | undefined;
  private lastStarted: VertexState | undefined;

  constructor(
    private readonly emit: (event: PublishEvent) => void,
    private readonly steps: StepRecord[],
    private readonly clock: () => number,
  ) {}

  /** The failing step, else the step started last. */
  get lastStep(): {index: number; total: number; instruction: string} | undefined {
    const state = this.failed ?? this.lastStarted;
    return state?.index != null
      ? {index: state.index, total: state.total, instruction: state.instruction}
      : undefined;
  }

  push(status: BuildkitStatus): void {
    // One message may start a step, carry its output and end it: in that order. A step with no
    // output here ends at once, so each step's lines stay together (cache hits come in batches).
    const withLogs = new Set(status.logs.map((log) => log.vertex));
    for (const vertex of status.vertexes) {
      this.begin(vertex);
      if (!withLogs.has(vertex.digest)) this.settle(vertex);
    }
    for (const log of status.logs) this.log(log.vertex, log.stream, log.data.toString('utf8'));
    for (const vertex of status.vertexes) if (withLogs.has(vertex.digest)) this.settle(vertex);
    for (const item of status.statuses) {
      if (item.completed === undefined || this.reportedStatuses.has(`${item.vertex} ${item.id}`))
        continue;
      this.reportedStatuses.add(`${item.vertex} ${item.id}`);
      const state = this.vertexes.get(item.vertex);
      const amount = item.total > 0 ? ` ${item.current}/${item.total}` : '';
      this.emit({type: 'log', line: `${item.id}${amount} done`, step: state?.index ?? null});
    }
    for (const warning of status.warnings) {
      const state = this.vertexes.get(warning.vertex);
      this.emit({
        type: 'log',
        line: `WARNING: ${warning.short}${warning.url ? ` (${warning.url})` : ''}`,
        step: state?.index ?? null,
      });
    }
  }

  /** Flushes partial lines and ends the steps still running (the build stopped). */
  finish(): void {
    for (const state of this.vertexes.values()) {
      this.flush(state);
      if (state.startedAt !== null && !state.ended) this.end(state, undefined);
    }
  }

  /** A vertex that started (or finished at once, as cache hits do) opens its step. */
  private begin(vertex: BuildkitVertex): void {
    let state = this.vertexes.get(vertex.digest);
    if (!state) {
      state = this.newState(vertex);
      this.vertexes.set(vertex.digest, state);
    }
    if (vertex.cached) state.cached = true;
    const started = vertex.started ?? vertex.completed;
    if (started !== undefined && state.startedAt === null) {
      state.startedAt = this.clock();
      state.engineStarted = started;
      if (state.index !== null) {
        this.lastStarted = state;
        this.emit({
          type: 'step-start',
          index: state.index,
          total: state.total,
          instruction: state.instruction,
          at: state.startedAt,
        });
      }
    }
    if (state.cached && !state.cachedReported && state.index !== null && state.startedAt !== null) {
      state.cachedReported = true;
      this.emit({type: 'step-cached', index: state.index});
    }
  }

  /** After the message's logs: the vertex's error, and its end. */
  private settle(vertex: BuildkitVertex): void {
    const state = this.vertexes.get(vertex.digest);
    if (!state) return;
    if (vertex.error && !state.errorReported) {
      state.errorReported = true;
      this.failed ??= state;
      this.flush(state);
      this.emit({type: 'log', line: `ERROR: ${vertex.error}`, step: state.index});
    }
    if (vertex.completed !== undefined && !state.ended) this.end(state, vertex.completed);
  }

  private newState(vertex: BuildkitVertex): VertexState {
    const match = stepName.exec(vertex.name);
    let index: number | null = null;
    let total = 0;
    let instruction = vertex.name;
    if (match) {
      const [, stage, number, count, rest] = match;
      total = Number(count);
      // With a cache mount BuildKit names even a lone stage (`[stage-0 2/6] RUN …`). berth
      // generates one stage: the first one seen keeps Docker's numbering; any other is set
      // apart by its name and a hundreds offset.
      const ordinal = stage === undefined ? 0 : this.stageOrdinal(stage);
      index = ordinal * 100 + Number(number);
      instruction = ordinal === 0 ? rest! : `${stage}: ${rest!}`;
    }
    return {
      name: vertex.name,
      index,
      total,
      instruction,
      startedAt: null,
      engineStarted: undefined,
      ended: false,
      cached: false,
      cachedReported: false,
      errorReported: false,
      partial: new Map(),
    };
  }

  private stageOrdinal(stage: string): number {
    if (!this.stages.includes(stage)) this.stages.push(stage);
    return this.stages.indexOf(stage);
  }

  private end(state: VertexState, engineCompleted: number | undefined): void {
    state.ended = true;
    this.flush(state);
    const startedAt = state.startedAt ?? this.clock();
    // The engine's own timestamps measure the step; the local clock only anchors it.
    const measured =
      engineCompleted !== undefined && state.engineStarted !== undefined
        ? Math.max(0, engineCompleted - state.engineStarted)
        : undefined;
    const at = measured !== undefined ? startedAt + measured : this.clock();
    if (state.index === null) {
      const detail = state.cached ? 'CACHED' : `${((at - startedAt) / 1000).toFixed(1)} s`;
      this.emit({type: 'log', line: `${state.name} (${detail})`, step: null});
      return;
    }
    this.steps.push({
      index: state.index,
      instruction: state.instruction,
      durationMs: at - startedAt,
      cached: state.cached,
    });
    this.emit({type: 'step-end', index: state.index, at});
  }

  private log(digest: string, stream: number, text: string): void {
    let state = this.vertexes.get(digest);
    if (!state) {
      state = this.newState({digest, inputs: [], name: digest, cached: false, error: ''});
      this.vertexes.set(digest, state);
    }
    const pending = (state.partial.get(stream) ?? '') + text;
    let start = 0;
    let newline: number;
    while ((newline = pending.indexOf('\n', start)) >= 0) {
      this.line(state, pending.slice(start, newline));
      start = newline + 1;
    }
    state.partial.set(stream, pending.slice(start));
  }

  private flush(state: VertexState): void {
    for (const [stream, pending] of state.partial) {
      if (pending) this.line(state, pending);
      state.partial.delete(stream);
    }
  }

  private line(state: VertexState, raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.emit({type: 'log', line, step: state.index});
    if (!this.clipReported && line.includes(clipMarker)) {
      this.clipReported = true;
      this.emit({type: 'log', line: clippedLogHint, step: state.index});
    }
  }
}
