// Turns the engine's raw build and push messages into PublishEvents. The classic builder's
// stream is text split arbitrarily across JSON messages: lines are reassembled first, then
// `Step N/M : INSTRUCTION` opens a step, ` ---> Using cache` marks it cached, and everything
// else is a log line of the running step. BuildKit's messages (`moby.buildkit.trace`) are
// decoded and handed to BuildkitProgress, which emits the same events.
import {buildkitTraceId, decodeBuildkitStatus} from '../../clients/buildkit-status.js';
import type {EngineEvent} from '../../clients/docker.js';
import type {StepRecord} from '../../models/module-version.js';
import type {PublishEvent} from '../../models/publish-events.js';
import {BuildkitProgress} from './buildkit-events.js';

const stepPattern = /^Step (\d+)\/(\d+) : (.*)$/;

type OpenStep = {
  index: number;
  total: number;
  instruction: string;
  startedAt: number;
  cached: boolean;
};

export class BuildEventParser {
  readonly steps: StepRecord[] = [];
  private current: OpenStep | undefined;
  private pending = '';
  private buildkit: BuildkitProgress | undefined;
  private undecodable = false;

  constructor(
    private readonly emit: (event: PublishEvent) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The step started last, still known after `finish()`: the failing one when the build failed. */
  private last: OpenStep | undefined;

  get lastStep(): number | null {
    return this.buildkit?.lastStep?.index ?? this.last?.index ?? null;
  }

  get lastInstruction(): string | null {
    const last = this.buildkit?.lastStep ?? this.last;
    return last ? `Step ${last.index}/${last.total} ${last.instruction}` : null;
  }

  push(event: EngineEvent): void {
    if (event.id === buildkitTraceId && typeof event.aux === 'string') {
      this.buildkit ??= new BuildkitProgress(this.emit, this.steps, this.clock);
      try {
        this.buildkit.push(decodeBuildkitStatus(event.aux));
      } catch {
        // One unreadable progress message must not fail a build the engine is still running.
        if (!this.undecodable)
          this.emit({
            type: 'log',
            line: 'A BuildKit progress message could not be read.',
            step: null,
          });
        this.undecodable = true;
      }
      return;
    }
    if (typeof event.stream === 'string') {
      this.pending += event.stream;
      let newline: number;
      while ((newline = this.pending.search(/\r?\n/)) >= 0) {
        const line = this.pending.slice(0, newline);
        this.pending = this.pending.slice(newline + (this.pending[newline] === '\r' ? 2 : 1));
        this.line(line);
      }
      return;
    }
    if (typeof event.status === 'string' && event.status.trim()) {
      this.line(event.id ? `${event.id}: ${event.status}` : event.status);
    }
  }

  /** Flushes a partial last line and closes the running step. */
  finish(): void {
    if (this.pending) this.line(this.pending);
    this.pending = '';
    this.closeStep();
    this.buildkit?.finish();
  }

  private line(raw: string): void {
    const line = raw.replace(/\s+$/, '');
    const step = stepPattern.exec(line);
    if (step) {
      this.closeStep();
      const at = this.clock();
      this.current = {
        index: Number(step[1]),
        total: Number(step[2]),
        instruction: step[3]!,
        startedAt: at,
        cached: false,
      };
      this.last = this.current;
      this.emit({
        type: 'step-start',
        index: this.current.index,
        total: this.current.total,
        instruction: this.current.instruction,
        at,
      });
      return;
    }
    if (line === '') return;
    if (this.current && /^ ---> Using cache$/.test(line)) {
      this.current.cached = true;
      this.emit({type: 'step-cached', index: this.current.index});
    }
    this.emit({type: 'log', line, step: this.current?.index ?? null});
  }

  private closeStep(): void {
    const step = this.current;
    if (!step) return;
    const at = this.clock();
    this.steps.push({
      index: step.index,
      instruction: step.instruction,
      durationMs: at - step.startedAt,
      cached: step.cached,
    });
    this.emit({type: 'step-end', index: step.index, at});
    this.current = undefined;
  }
}

/** Push messages → per-layer push-progress events (layers only; the rest goes to the log). */
export function pushEventOf(event: EngineEvent): PublishEvent | undefined {
  if (typeof event.status !== 'string' || !event.id) return undefined;
  // "The push refers to repository [...]" and the final "TAG: digest: ..." have no layer.
  if (!/^[0-9a-f]{12,64}$/.test(event.id)) return undefined;
  const detail = event.progressDetail ?? {};
  return {
    type: 'push-progress',
    layer: event.id,
    status: event.status,
    ...(typeof detail.current === 'number' ? {current: detail.current} : {}),
    ...(typeof detail.total === 'number' ? {total: detail.total} : {}),
  };
}

/** One line of the publish log file for an event (push progress only when a layer's status changes). */
export function logLineOf(
  event: PublishEvent,
  lastPushStatus: Map<string, string>,
): string | undefined {
  switch (event.type) {
    case 'state':
      return `==> ${event.state} (${new Date(event.at).toISOString()})`;
    case 'step-start':
      return `Step ${event.index}/${event.total} : ${event.instruction}`;
    case 'step-cached':
      return undefined;
    case 'step-end':
      return undefined;
    case 'log':
      return event.line;
    case 'push-progress': {
      if (lastPushStatus.get(event.layer) === event.status) return undefined;
      lastPushStatus.set(event.layer, event.status);
      return `push ${event.layer}: ${event.status}`;
    }
    case 'summary':
      return [
        `published ${event.module} version ${event.version}`,
        `  image   ${event.image}`,
        `  digest  ${event.digest}`,
        `  size    ${event.sizeBytes ?? '?'} bytes`,
        `  time    ${(event.durationMs / 1000).toFixed(1)} s`,
        ...(event.schemaChanges ?? []).map((line) => `  schema  ${line}`),
      ].join('\n');
    case 'error':
      return `ERROR${event.step !== null ? ` (step ${event.step})` : ''}: ${event.message}`;
  }
}
