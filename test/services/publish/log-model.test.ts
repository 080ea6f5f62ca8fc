import {describe, expect, it} from 'vitest';
import {findMatches, nextMatch} from '../../../source/lib/log-search.js';
import {RingBuffer} from '../../../source/lib/ring-buffer.js';
import type {PublishEvent} from '../../../source/models/publish-events.js';
import {
  PublishLogModel,
  pushTotals,
  sanitizeLine,
} from '../../../source/services/publish/log-model.js';

const t0 = 1_700_000_000_000;

function build(model: PublishLogModel, events: PublishEvent[]) {
  model.applyAll(events);
  return model;
}

describe('the publish log model', () => {
  it('records steps with their timers, cache hits and durations', () => {
    const model = build(new PublishLogModel(), [
      {type: 'state', state: 'building', at: t0},
      {type: 'step-start', index: 1, total: 3, instruction: 'FROM python:3.12-slim', at: t0},
      {type: 'step-cached', index: 1},
      {type: 'step-end', index: 1, at: t0 + 10},
      {
        type: 'step-start',
        index: 2,
        total: 3,
        instruction: 'RUN pip install -r requirements.txt',
        at: t0 + 10,
      },
      {type: 'log', line: 'Collecting numpy', step: 2},
    ]);
    expect(model.steps.map((step) => [step.index, step.status, step.cached])).toEqual([
      [1, 'done', true],
      [2, 'running', false],
    ]);
    expect(model.stepDuration(model.step(1)!, t0 + 5000)).toBe(10);
    // A running step's timer runs against the clock it is given.
    expect(model.stepDuration(model.step(2)!, t0 + 2010)).toBe(2000);
    expect(model.runningStep?.index).toBe(2);

    // A step that starts while another runs ends the earlier one.
    model.apply({
      type: 'step-start',
      index: 3,
      total: 3,
      instruction: 'COPY . /app',
      at: t0 + 3010,
    });
    expect(model.step(2)).toMatchObject({status: 'done', endedAt: t0 + 3010});
    model.apply({type: 'state', state: 'pushing', at: t0 + 3100});
    expect(model.runningStep).toBeNull();
    expect(model.step(3)).toMatchObject({status: 'done', endedAt: t0 + 3100});
  });

  it('attributes lines to their step and to the tail, and sanitizes them', () => {
    const model = build(new PublishLogModel(), [
      {type: 'step-start', index: 1, total: 1, instruction: 'RUN pip install', at: t0},
      {type: 'log', line: '\u001b[31mred\u001b[0m text', step: 1},
      {type: 'log', line: ' 10%\r 50%\r100% done', step: 1},
      {type: 'log', line: 'two\nlines', step: null},
    ]);
    expect(model.step(1)!.lines.toArray()).toEqual(['red text', '100% done']);
    expect(model.tail.toArray()).toEqual(['red text', '100% done', 'two', 'lines']);
    expect(sanitizeLine('a\tb')).toBe('a    b');
    expect(sanitizeLine('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(sanitizeLine('bell\u0007 and \u001b]0;title\u0007osc')).toBe('bell and osc');
  });

  it('keeps the failing step and its full output on failure', () => {
    const model = build(new PublishLogModel(), [
      {type: 'state', state: 'building', at: t0},
      {type: 'step-start', index: 1, total: 2, instruction: 'RUN pip install', at: t0},
      ...Array.from(
        {length: 50},
        (_, i): PublishEvent => ({type: 'log', line: `pip ${i}`, step: 1}),
      ),
      {type: 'step-end', index: 1, at: t0 + 100},
      {
        type: 'step-start',
        index: 2,
        total: 2,
        instruction: 'RUN python -m compileall',
        at: t0 + 100,
      },
      {type: 'log', line: 'SyntaxError: invalid syntax', step: 2},
      {type: 'error', message: 'The command returned a non-zero code: 1', step: 2},
      {type: 'state', state: 'failed', at: t0 + 400},
    ]);
    expect(model.finished).toBe(true);
    expect(model.failure).toEqual({message: 'The command returned a non-zero code: 1', step: 2});
    expect(model.failingStep?.index).toBe(2);
    expect(model.failingStep?.lines.toArray()).toEqual(['SyntaxError: invalid syntax']);
    expect(model.step(2)).toMatchObject({status: 'failed', endedAt: t0 + 400});
    expect(model.step(1)!.status).toBe('done');
  });

  it('blames the running step when the error names none, and keeps the first error', () => {
    const model = build(new PublishLogModel(), [
      {type: 'step-start', index: 1, total: 1, instruction: 'RUN make', at: t0},
      {type: 'error', message: 'engine connection lost', step: null},
      {type: 'error', message: 'cleanup failed', step: null},
      {type: 'state', state: 'failed', at: t0 + 1},
    ]);
    expect(model.failure).toEqual({message: 'engine connection lost', step: 1});
    expect(model.failingStep?.index).toBe(1);
  });

  it('marks the running step interrupted on cancel', () => {
    const model = build(new PublishLogModel(), [
      {type: 'step-start', index: 1, total: 1, instruction: 'RUN sleep 100', at: t0},
      {type: 'state', state: 'cancelled', at: t0 + 1500},
    ]);
    expect(model.step(1)).toMatchObject({status: 'interrupted', endedAt: t0 + 1500});
    expect(model.failingStep).toBeUndefined();
  });

  it('tracks push progress per layer', () => {
    const model = build(new PublishLogModel(), [
      {type: 'push-progress', layer: 'a', status: 'Preparing'},
      {type: 'push-progress', layer: 'a', status: 'Pushing', current: 10, total: 100},
      {type: 'push-progress', layer: 'b', status: 'Layer already exists'},
      {type: 'push-progress', layer: 'c', status: 'Pushed', current: 50, total: 50},
    ]);
    expect(model.layers.get('a')).toEqual({layer: 'a', status: 'Pushing', current: 10, total: 100});
    expect(pushTotals(model.layers.values())).toEqual({
      layers: 3,
      done: 2,
      current: 60,
      total: 150,
    });
  });

  it('takes step durations for the chart from the summary when there is one', () => {
    const model = build(new PublishLogModel(), [
      {type: 'step-start', index: 1, total: 1, instruction: 'RUN x', at: t0},
      {type: 'step-end', index: 1, at: t0 + 7},
    ]);
    expect(model.stepDurations(t0)).toEqual([
      {index: 1, instruction: 'RUN x', durationMs: 7, cached: false},
    ]);
    model.apply({
      type: 'summary',
      module: 'm',
      version: '1',
      image: 'i',
      digest: 'sha256:1',
      sizeBytes: 1,
      durationMs: 9,
      parameters: 0,
      steps: [{index: 1, instruction: 'RUN x', durationMs: 8, cached: true}],
    });
    expect(model.stepDurations(t0)).toEqual([
      {index: 1, instruction: 'RUN x', durationMs: 8, cached: true},
    ]);
  });

  it('stays bounded: 200,000 lines keep at most the tail plus a bound per step', () => {
    const model = new PublishLogModel({tailLines: 10_000, stepLines: 5_000});
    for (let step = 1; step <= 10; step++) {
      model.apply({
        type: 'step-start',
        index: step,
        total: 10,
        instruction: `RUN step ${step}`,
        at: t0 + step,
      });
      for (let i = 0; i < 20_000; i++)
        model.apply({type: 'log', line: `step ${step} line ${i}`, step});
    }
    expect(model.totalLines).toBe(200_000);
    expect(model.tail.length).toBe(10_000);
    expect(model.tail.dropped).toBe(190_000);
    expect(model.tail.last()).toBe('step 10 line 19999');
    let kept = model.tail.length;
    for (const step of model.steps) {
      expect(step.lines.length).toBe(5_000);
      expect(step.lines.pushed).toBe(20_000);
      kept += step.lines.length;
    }
    expect(kept).toBeLessThanOrEqual(60_000);
    expect(model.step(3)!.lines.get(0)).toBe('step 3 line 15000');
  });
});

describe('the ring buffer', () => {
  it('drops the oldest items past capacity', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect([ring.length, ring.pushed, ring.dropped]).toEqual([3, 5, 2]);
    expect(ring.slice(1, 10)).toEqual([4, 5]);
    expect(ring.get(3)).toBeUndefined();
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('log search', () => {
  const lines = [
    'Collecting numpy',
    'error: no matching distribution',
    'Collecting pandas',
    'ERROR: failed',
  ];
  const source = {length: lines.length, get: (i: number) => lines[i]};

  it('finds lines case-insensitively and steps through them with wrap-around', () => {
    const matches = findMatches(source, 'error');
    expect(matches).toEqual([1, 3]);
    expect(findMatches(source, '')).toEqual([]);
    expect(nextMatch(matches, 1, 1)).toBe(3);
    expect(nextMatch(matches, 3, 1)).toBe(1);
    expect(nextMatch(matches, 3, -1)).toBe(1);
    expect(nextMatch(matches, 1, -1)).toBe(3);
    expect(nextMatch([], 0, 1)).toBeUndefined();
  });
});
