// What the publish pane shows, computed from PublishEvents without React: steps with their
// timers and cache hits, a bounded tail of recent lines, each step's own bounded output (the
// failing step's is shown in full up to the bound), push progress per layer, the summary and
// the failure. Mutable and allocation-light on purpose: a build can log tens of thousands of
// lines a second, and the pane reads this model on a timer instead of re-rendering per event.
import {RingBuffer} from '../../lib/ring-buffer.js';
import type {PublishEvent, PublishState} from '../../models/publish-events.js';

export type LogModelOptions = {
  /** Recent lines of the whole build kept for the live view. */
  tailLines?: number;
  /** Lines kept per step, so a failing step's output can be shown after the fact. */
  stepLines?: number;
  /** Longer lines are cut (a minified bundle printed by a build must not cost megabytes). */
  maxLineLength?: number;
  /** Push progress rows kept; images have far fewer layers than this. */
  maxLayers?: number;
};

export const defaultLogModelOptions: Required<LogModelOptions> = {
  tailLines: 10_000,
  stepLines: 5_000,
  maxLineLength: 2_000,
  maxLayers: 500,
};

export type StepStatus = 'running' | 'done' | 'failed' | 'interrupted';

export type StepRecord = {
  index: number;
  total: number;
  instruction: string;
  status: StepStatus;
  cached: boolean;
  startedAt: number;
  endedAt: number | null;
  /** The step's most recent lines; `lines.pushed` counts all of them. */
  lines: RingBuffer<string>;
};

export type LayerProgress = {layer: string; status: string; current?: number; total?: number};

export type PublishSummary = Extract<PublishEvent, {type: 'summary'}>;

export type PublishFailure = {message: string; step: number | null};

const finalStates: ReadonlySet<PublishState> = new Set(['published', 'failed', 'cancelled']);

export function isFinalState(state: PublishState): boolean {
  return finalStates.has(state);
}

// Control characters other than tab, and ANSI escape sequences: a terminal must never receive
// cursor movement from build output it did not lay out itself.
// eslint-disable-next-line no-control-regex -- control characters are what it detects
const controlPattern = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
const ansiPattern =
  // eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
  /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const otherControls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One printable line: escapes removed, `\r` progress redraws collapsed to their last state. */
export function sanitizeLine(
  line: string,
  maxLength = defaultLogModelOptions.maxLineLength,
): string {
  let text = line;
  if (controlPattern.test(text)) {
    if (text.includes('\r')) {
      const parts = text.split('\r').filter((part) => part.length > 0);
      text = parts[parts.length - 1] ?? '';
    }
    text = text.replace(ansiPattern, '').replace(otherControls, '');
  }
  if (text.includes('\t')) text = text.replace(/\t/g, '    ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

export class PublishLogModel {
  readonly options: Required<LogModelOptions>;
  state: PublishState = 'pending';
  startedAt: number | null = null;
  finishedAt: number | null = null;
  /** Ordered by step index. */
  readonly steps: StepRecord[] = [];
  totalSteps = 0;
  /** Every line of the build, most recent `tailLines` kept. */
  readonly tail: RingBuffer<string>;
  readonly layers = new Map<string, LayerProgress>();
  summary: PublishSummary | null = null;
  failure: PublishFailure | null = null;
  /** The module's slug, once the publish says it. */
  module: string | null = null;
  /** Changes on every applied event: the pane redraws only when it moved. */
  revision = 0;

  private readonly stepsByIndex = new Map<number, StepRecord>();
  private running: StepRecord | null = null;

  constructor(options: LogModelOptions = {}) {
    this.options = {...defaultLogModelOptions, ...options};
    this.tail = new RingBuffer<string>(this.options.tailLines);
  }

  get totalLines(): number {
    return this.tail.pushed;
  }

  get finished(): boolean {
    return isFinalState(this.state);
  }

  get runningStep(): StepRecord | null {
    return this.running;
  }

  step(index: number): StepRecord | undefined {
    return this.stepsByIndex.get(index);
  }

  /** The step whose output explains a failure: the one named by the error, else the one that was running. */
  get failingStep(): StepRecord | undefined {
    if (this.state !== 'failed') return undefined;
    if (this.failure?.step != null) {
      const named = this.stepsByIndex.get(this.failure.step);
      if (named) return named;
    }
    return this.steps.find((step) => step.status === 'failed');
  }

  stepDuration(step: StepRecord, now: number): number {
    return Math.max(
      0,
      (step.endedAt ?? (this.finished ? (this.finishedAt ?? now) : now)) - step.startedAt,
    );
  }

  /** Step durations for the chart: the summary's when there is one, else measured here. */
  stepDurations(
    now: number,
  ): Array<{index: number; instruction: string; durationMs: number; cached: boolean}> {
    if (this.summary && this.summary.steps.length > 0) return this.summary.steps;
    return this.steps.map((step) => ({
      index: step.index,
      instruction: step.instruction,
      durationMs: this.stepDuration(step, now),
      cached: step.cached,
    }));
  }

  apply(event: PublishEvent): void {
    this.revision++;
    switch (event.type) {
      case 'log':
        this.addLine(event.line, event.step);
        return;
      case 'state':
        if (event.module) this.module = event.module;
        this.setState(event.state, event.at);
        return;
      case 'step-start':
        this.startStep(event.index, event.total, event.instruction, event.at);
        return;
      case 'step-cached': {
        const step = this.stepsByIndex.get(event.index);
        if (step) step.cached = true;
        return;
      }
      case 'step-end': {
        const step = this.stepsByIndex.get(event.index);
        if (!step) return;
        step.endedAt = event.at;
        if (step.status === 'running') step.status = 'done';
        if (this.running === step) this.running = null;
        return;
      }
      case 'push-progress':
        this.setLayer(event);
        return;
      case 'summary':
        this.summary = event;
        return;
      case 'error':
        this.fail(event.message, event.step);
        return;
      default:
        assertNever(event);
    }
  }

  applyAll(events: Iterable<PublishEvent>): void {
    for (const event of events) this.apply(event);
  }

  private addLine(raw: string, stepIndex: number | null): void {
    const step = stepIndex === null ? null : (this.stepsByIndex.get(stepIndex) ?? null);
    if (raw.includes('\n')) {
      for (const part of raw.split('\n')) if (part.length > 0) this.pushLine(part, step);
      return;
    }
    this.pushLine(raw, step);
  }

  private pushLine(raw: string, step: StepRecord | null): void {
    const line = sanitizeLine(raw, this.options.maxLineLength);
    this.tail.push(line);
    step?.lines.push(line);
  }

  private startStep(index: number, total: number, instruction: string, at: number): void {
    this.startedAt ??= at;
    if (this.running && this.running.index !== index) this.endRunning('done', at);
    this.totalSteps = Math.max(this.totalSteps, total);
    let step = this.stepsByIndex.get(index);
    if (step) {
      // A restarted step (a retry) keeps its output and starts its timer again.
      step.status = 'running';
      step.startedAt = at;
      step.endedAt = null;
      step.instruction = instruction;
    } else {
      step = {
        index,
        total,
        instruction,
        status: 'running',
        cached: false,
        startedAt: at,
        endedAt: null,
        lines: new RingBuffer<string>(this.options.stepLines),
      };
      this.stepsByIndex.set(index, step);
      const position = this.steps.findIndex((other) => other.index > index);
      if (position < 0) this.steps.push(step);
      else this.steps.splice(position, 0, step);
    }
    this.running = step;
  }

  private endRunning(status: StepStatus, at: number): void {
    const running = this.running;
    if (!running) return;
    running.status = status;
    running.endedAt ??= at;
    this.running = null;
  }

  private setState(state: PublishState, at: number): void {
    this.state = state;
    this.startedAt ??= at;
    if (state === 'pushing') this.endRunning('done', at);
    if (!isFinalState(state)) return;
    this.finishedAt = at;
    if (state === 'failed') {
      const named =
        this.failure?.step != null ? this.stepsByIndex.get(this.failure.step) : undefined;
      if (named) named.status = 'failed';
      if (this.running && this.running !== named)
        this.endRunning(named ? 'interrupted' : 'failed', at);
      else if (this.running) {
        this.running.endedAt ??= at;
        this.running = null;
      }
    } else {
      this.endRunning(state === 'cancelled' ? 'interrupted' : 'done', at);
    }
  }

  private fail(message: string, stepIndex: number | null): void {
    // The first error is the cause; later ones (a cleanup failing) must not hide it.
    this.failure ??= {message, step: stepIndex ?? this.running?.index ?? null};
    const step = stepIndex !== null ? this.stepsByIndex.get(stepIndex) : this.running;
    if (step) step.status = 'failed';
  }

  private setLayer(event: Extract<PublishEvent, {type: 'push-progress'}>): void {
    const existing = this.layers.get(event.layer);
    if (existing) {
      existing.status = event.status;
      if (event.current !== undefined) existing.current = event.current;
      if (event.total !== undefined) existing.total = event.total;
      return;
    }
    if (this.layers.size >= this.options.maxLayers) return;
    const layer: LayerProgress = {layer: event.layer, status: event.status};
    if (event.current !== undefined) layer.current = event.current;
    if (event.total !== undefined) layer.total = event.total;
    this.layers.set(event.layer, layer);
  }
}

/** Push totals across layers, for the one-line progress summary. */
export function pushTotals(layers: Iterable<LayerProgress>): {
  layers: number;
  done: number;
  current: number;
  total: number;
} {
  let count = 0;
  let done = 0;
  let current = 0;
  let total = 0;
  for (const layer of layers) {
    count++;
    if (isLayerDone(layer.status)) done++;
    if (layer.total) {
      total += layer.total;
      current += isLayerDone(layer.status)
        ? layer.total
        : Math.min(layer.current ?? 0, layer.total);
    }
  }
  return {layers: count, done, current, total};
}

export function isLayerDone(status: string): boolean {
  return /^(pushed|layer already exists|mounted from|already exists)/i.test(status);
}

function assertNever(value: never): never {
  throw new Error(`Unexpected publish event: ${JSON.stringify(value)}`);
}
