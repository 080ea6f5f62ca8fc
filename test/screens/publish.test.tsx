// The publish pane's view, rendered with ink-testing-library against a real log model.
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {PublishEvent} from '../../source/models/publish-events.js';
import {saveFileName} from '../../source/screens/publish-pane.js';
import {PublishPaneView, type PaneControl} from '../../source/screens/publish-pane-view.js';
import {PublishLogModel} from '../../source/services/publish/log-model.js';
import {waitFor} from '../support/wait.js';

const t0 = Date.now();

type TestControl = PaneControl & {calls: string[]; bump(): void; finish(): void};

function testControl(model: PublishLogModel): TestControl {
  let extra = 0;
  let cancelRequested = false;
  let serviceDone = false;
  const calls: string[] = [];
  return {
    calls,
    revision: () => model.revision + extra,
    ticking: () => model.runningStep !== null,
    get cancelRequested() {
      return cancelRequested;
    },
    get serviceDone() {
      return serviceDone;
    },
    cancel() {
      calls.push('cancel');
      cancelRequested = true;
      extra++;
    },
    interrupt() {
      calls.push('interrupt');
    },
    close() {
      calls.push('close');
    },
    async save() {
      calls.push('save');
      return '/tmp/saved.log';
    },
    bump() {
      extra++;
    },
    finish() {
      serviceDone = true;
      extra++;
    },
  };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function mount(model: PublishLogModel, size = {columns: 80, rows: 24}) {
  const control = testControl(model);
  const view = render(
    <PublishPaneView model={model} control={control} title="demo" flushIntervalMs={10} {...size} />,
  );
  cleanups.push(view.unmount);
  // Search matches carry their own inverse-video codes; the rest is plain (no colors in tests).
  // eslint-disable-next-line no-control-regex -- terminal escapes are what it matches
  const frame = () => (view.lastFrame() ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  const until = (predicate: (text: string) => boolean, message: string) =>
    waitFor(() => predicate(frame()), {
      timeoutMs: 5000,
      intervalMs: 10,
      message: `${message}; frame:\n${frame()}`,
    });
  return {control, view, frame, until};
}

function runningBuild(lines: number): PublishEvent[] {
  return [
    {type: 'state', state: 'building', at: t0},
    {type: 'step-start', index: 1, total: 3, instruction: 'FROM python:3.12-slim', at: t0},
    {type: 'step-cached', index: 1},
    {type: 'step-end', index: 1, at: t0 + 1},
    {
      type: 'step-start',
      index: 2,
      total: 3,
      instruction: 'RUN pip install -r requirements.txt',
      at: t0 + 1,
    },
    ...Array.from(
      {length: lines},
      (_, i): PublishEvent => ({type: 'log', line: `pip output ${i + 1}`, step: 2}),
    ),
  ];
}

describe('the publish pane', () => {
  it('shows a row per step with CACHED, and only the tail of the log', async () => {
    const model = new PublishLogModel();
    const {frame, until} = mount(model);
    model.applyAll(runningBuild(5000));
    await until((text) => text.includes('pip output 5000'), 'the newest line');
    const text = frame();
    expect(text).toMatch(/✓ 1\/3 FROM python:3\.12-slim\s+CACHED/);
    expect(text).toMatch(/› 2\/3 RUN pip install -r requirements\.txt/);
    expect(text).not.toContain('pip output 4980\n');
    expect(text).toContain('following');
    // The frame fits the terminal whatever the log's size.
    expect(text.split('\n').length).toBeLessThan(24);
    const logRows = text.split('\n').filter((row) => row.includes('pip output'));
    expect(logRows.length).toBeGreaterThan(5);
    expect(logRows.length).toBeLessThan(24);
  });

  it('shows the failing step and its full output on failure, scrollable to its first line', async () => {
    const model = new PublishLogModel();
    const {view, frame, until} = mount(model);
    model.applyAll(runningBuild(40));
    model.applyAll([
      {type: 'step-end', index: 2, at: t0 + 2},
      {
        type: 'step-start',
        index: 3,
        total: 3,
        instruction: 'RUN python -m compileall /app',
        at: t0 + 2,
      },
      ...Array.from(
        {length: 60},
        (_, i): PublishEvent => ({type: 'log', line: `compile ${i + 1}`, step: 3}),
      ),
      {type: 'log', line: 'SyntaxError: invalid syntax', step: 3},
      {type: 'error', message: 'The command returned a non-zero code: 1', step: 3},
      {type: 'state', state: 'failed', at: t0 + 3},
    ]);
    await until((text) => text.includes('Step 3/3 failed'), 'the failure');
    expect(frame()).toMatch(/✗ 3\/3 RUN python -m compileall/);
    expect(frame()).toContain('Step 3/3 output');
    expect(frame()).toContain('SyntaxError: invalid syntax');
    expect(frame()).not.toContain('pip output');
    view.stdin.write('g');
    await until((text) => /\bcompile 1\b/.test(text), 'the first line of the failing step');
    expect(frame()).not.toContain('SyntaxError');
  });

  it("names the module in its title once the publish says it (not the path it was given, e.g. '.')", async () => {
    const model = new PublishLogModel();
    const {frame, until} = mount(model);
    await until((text) => text.includes('publish demo'), 'the title from the host');
    model.apply({
      type: 'state',
      state: 'pending',
      at: t0,
      module: 'add-noise',
      subject: "add-noise (noise.py) on stack 'default'",
    });
    await until((text) => text.includes('publish add-noise pending'), 'the module in the title');
    expect(frame()).not.toContain('publish demo');
  });

  it('wraps a long failure over rows instead of cutting what it says, and still fits', async () => {
    const model = new PublishLogModel();
    const {frame, until} = mount(model);
    const message =
      'The base image python:3.11-slim is not on the engine at unix:///var/tmp/engine/docker.sock and could not be pulled: no such host';
    model.applyAll([
      {type: 'state', state: 'pending', at: t0},
      {type: 'error', message, step: null},
      {type: 'state', state: 'failed', at: t0 + 1},
    ]);
    await until((text) => text.includes('could not be'), 'the failure');
    const rows = frame().split('\n');
    expect(rows.join(' ').replace(/\s+/g, ' ')).toContain(
      'unix:///var/tmp/engine/docker.sock and could not be pulled: no such host',
    );
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(80);
    expect(rows.length).toBeLessThan(24);
  });

  it('shows the summary and the step chart when published', async () => {
    const model = new PublishLogModel();
    const {control, view, frame, until} = mount(model);
    model.applyAll([
      ...runningBuild(3),
      {type: 'step-end', index: 2, at: t0 + 4000},
      {type: 'state', state: 'pushing', at: t0 + 4000},
      {type: 'push-progress', layer: 'sha256:abc', status: 'Pushed', current: 10, total: 10},
      {
        type: 'summary',
        module: 'resnet-filter',
        version: '3',
        image: '127.0.0.1:5000/resnet-filter:3',
        digest: 'sha256:feedface',
        sizeBytes: 120 * 1024 * 1024,
        durationMs: 4100,
        parameters: 2,
        schemaChanges: [
          'BREAKING: parameter threshold removed (since version 2)',
          'note: parameter angle added, optional (since version 2)',
        ],
        steps: [
          {index: 1, instruction: 'FROM python:3.12-slim', durationMs: 1, cached: true},
          {
            index: 2,
            instruction: 'RUN pip install -r requirements.txt',
            durationMs: 3999,
            cached: false,
          },
        ],
      },
      {type: 'state', state: 'published', at: t0 + 4100},
    ]);
    control.finish();
    await until((text) => text.includes('127.0.0.1:5000/resnet-filter:3'), 'the summary');
    const text = frame();
    expect(text).toContain('sha256:feedface');
    expect(text).toContain('120.0 MiB');
    expect(text).toContain('2 parameters');
    // The schema diff against the previous version, under the summary.
    expect(text).toContain('BREAKING: parameter threshold removed (since version 2)');
    expect(text).toContain('note: parameter angle added, optional (since version 2)');
    expect(text).toMatch(/2 RUN pip install.*█{10,}.*4\.0s/);
    expect(text).toContain('q close');
    view.stdin.write('q');
    await waitFor(() => control.calls.includes('close'), {message: 'close on q'});
  });

  it('searches, toggles follow, saves and cancels from the keyboard', async () => {
    const model = new PublishLogModel();
    const {control, view, frame, until} = mount(model);
    model.applyAll(runningBuild(500));
    await until((text) => text.includes('pip output 500'), 'the log');

    view.stdin.write('/');
    for (const char of 'output 123') view.stdin.write(char);
    await until((text) => text.includes('/output 123'), 'the search prompt');
    view.stdin.write('\r');
    await until((text) => text.includes('"output 123" 1 match'), 'the match count');
    expect(frame()).toMatch(/›pip output 123\b/);
    expect(frame()).not.toContain('following');

    view.stdin.write('f');
    await until((text) => text.includes('following'), 'follow on');
    view.stdin.write('f');
    await until((text) => /lines \d+-\d+ of 500/.test(text), 'follow off');

    view.stdin.write('s');
    await until((text) => text.includes('Saved the log to /tmp/saved.log'), 'the save message');

    view.stdin.write('q');
    await until((text) => text.includes('Still publishing'), 'q refused while running');
    expect(control.calls).not.toContain('close');

    view.stdin.write('c');
    await until((text) => text.includes('cancelling…'), 'the cancelling state');
    expect(control.calls).toContain('cancel');

    view.stdin.write('\u0003');
    await waitFor(() => control.calls.includes('interrupt'), {message: 'Ctrl+C'});
  });

  it('fits 80x24 and a resize to 60x12', async () => {
    const model = new PublishLogModel();
    model.applyAll(runningBuild(100));
    for (const size of [
      {columns: 80, rows: 24},
      {columns: 60, rows: 12},
    ]) {
      const {frame, until} = mount(model, size);
      await until(
        (text) => text.includes('pip output 100'),
        `the tail at ${size.columns}x${size.rows}`,
      );
      const rows = frame().split('\n');
      expect(rows.length).toBeLessThan(size.rows);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(size.columns);
    }
  });

  it('names the saved log after the module and version', () => {
    const model = new PublishLogModel();
    expect(saveFileName(model, {title: 'my project', module: 'resnet', version: '4'})).toBe(
      'berth-publish-resnet-4.log',
    );
    expect(saveFileName(model, {title: 'my project'})).toBe('berth-publish-my-project.log');
  });
});
