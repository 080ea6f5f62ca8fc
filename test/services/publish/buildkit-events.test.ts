// BuildKit's trace messages → the PublishEvents the pane model and the log file read. Messages
// are encoded by protobufjs from the .proto dockerode ships, as the engine sends them (base64 in
// `aux` of `{"id":"moby.buildkit.trace"}`), in the order a real build sends them.
import {createRequire} from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import {describe, expect, test} from 'vitest';
import type {EngineEvent} from '../../../source/clients/docker.js';
import type {PublishEvent} from '../../../source/models/publish-events.js';
import {BuildEventParser, logLineOf} from '../../../source/services/publish/build-events.js';
import {clippedLogHint} from '../../../source/services/publish/buildkit-events.js';
import {PublishLogModel} from '../../../source/services/publish/log-model.js';

const require = createRequire(import.meta.url);
const statusType = protobuf
  .loadSync(
    path.join(
      path.dirname(require.resolve('dockerode/package.json')),
      'lib/proto/buildkit_status.proto',
    ),
  )
  .lookupType('moby.buildkit.v1.StatusResponse');

function trace(message: object): EngineEvent {
  const aux = Buffer.from(statusType.encode(statusType.fromObject(message)).finish());
  return {id: 'moby.buildkit.trace', aux: aux.toString('base64')};
}

const at = (ms: number) => ({seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6});
const d = (n: number) => `sha256:${String(n).repeat(64)}`;
const vertex = (n: number, name: string, extra: object = {}) => ({digest: d(n), name, ...extra});
const log = (n: number, text: string, stream = 1) => ({
  vertex: d(n),
  stream,
  msg: Buffer.from(text),
  timestamp: at(0),
});

function parse(events: EngineEvent[]) {
  const emitted: PublishEvent[] = [];
  let time = 5_000;
  const parser = new BuildEventParser(
    (event) => emitted.push(event),
    () => (time += 10),
  );
  for (const event of events) parser.push(event);
  parser.finish();
  const model = new PublishLogModel();
  model.apply({type: 'state', state: 'building', at: 5_000});
  model.applyAll(emitted);
  return {emitted, parser, model};
}

const lines = (events: PublishEvent[], step: number | null) =>
  events.flatMap((e) => (e.type === 'log' && e.step === step ? [e.line] : []));

describe('BuildKit progress as publish events', () => {
  // What 20.10's BuildKit sends for a cached FROM, a RUN with output and a COPY, with the cache
  // mount that makes it name even a lone stage.
  const build = [
    trace({vertexes: [vertex(1, '[internal] load remote build context', {started: at(1000)})]}),
    trace({
      vertexes: [
        vertex(1, '[internal] load remote build context', {
          started: at(1000),
          completed: at(1100),
        }),
      ],
    }),
    trace({
      vertexes: [
        vertex(2, '[stage-0 1/3] FROM docker.io/library/python:3.11'),
        vertex(3, '[stage-0 2/3] RUN --mount=type=cache,target=/root/.cache/pip pip install x'),
        vertex(4, '[stage-0 3/3] COPY [code/,./]'),
      ],
    }),
    trace({
      vertexes: [
        vertex(2, '[stage-0 1/3] FROM docker.io/library/python:3.11', {
          cached: true,
          started: at(2000),
          completed: at(2000),
        }),
      ],
    }),
    trace({vertexes: [vertex(3, '[stage-0 2/3] RUN pip install x', {started: at(2000)})]}),
    trace({logs: [log(3, 'Collecting x\nDownloading x-1.0.whl (12 MB)\n'), log(3, 'Inst')]}),
    trace({
      logs: [
        log(3, 'alling collected packages: x\r\n'),
        log(3, 'warning: root\n', 2),
        log(3, 'Inst'),
      ],
    }),
    trace({
      vertexes: [
        vertex(3, '[stage-0 2/3] RUN pip install x', {started: at(2000), completed: at(5500)}),
      ],
      logs: [log(3, 'alling done')],
    }),
    trace({
      vertexes: [
        vertex(4, '[stage-0 3/3] COPY [code/,./]', {started: at(5500), completed: at(5750)}),
      ],
    }),
    trace({
      vertexes: [vertex(5, 'exporting to image', {started: at(5750)})],
      statuses: [{ID: 'exporting layers', vertex: d(5), timestamp: at(5800), completed: at(5900)}],
    }),
    {id: 'moby.image.id', aux: {ID: 'sha256:abc'}},
    trace({vertexes: [vertex(5, 'exporting to image', {started: at(5750), completed: at(6000)})]}),
    {stream: 'Successfully tagged reg/x:build-1\n'},
  ];

  test('numbered vertexes are steps in order, with CACHED, and timed by the engine', () => {
    const {emitted, parser, model} = parse(build);
    expect(
      emitted.flatMap((e) =>
        e.type === 'step-start' || e.type === 'step-cached' || e.type === 'step-end'
          ? [[e.type, e.index]]
          : [],
      ),
    ).toEqual([
      ['step-start', 1],
      ['step-cached', 1],
      ['step-end', 1],
      ['step-start', 2],
      ['step-end', 2],
      ['step-start', 3],
      ['step-end', 3],
    ]);
    // A lone stage's name is noise: the instruction reads as the Dockerfile does.
    expect(model.steps.map((s) => [s.index, s.total, s.instruction, s.cached, s.status])).toEqual([
      [1, 3, 'FROM docker.io/library/python:3.11', true, 'done'],
      [2, 3, 'RUN --mount=type=cache,target=/root/.cache/pip pip install x', false, 'done'],
      [3, 3, 'COPY [code/,./]', false, 'done'],
    ]);
    expect(parser.steps).toEqual([
      {index: 1, instruction: 'FROM docker.io/library/python:3.11', durationMs: 0, cached: true},
      {
        index: 2,
        instruction: 'RUN --mount=type=cache,target=/root/.cache/pip pip install x',
        durationMs: 3500,
        cached: false,
      },
      {index: 3, instruction: 'COPY [code/,./]', durationMs: 250, cached: false},
    ]);
  });

  test('cache hits reported together still read one step at a time', () => {
    const done = {started: at(10), completed: at(10), cached: true};
    const {emitted} = parse([
      trace({
        vertexes: [
          vertex(2, '[1/3] FROM base', done),
          vertex(3, '[2/3] WORKDIR /w', done),
          vertex(4, '[3/3] RUN pip install x', done),
        ],
      }),
    ]);
    expect(emitted.map((e) => `${e.type} ${'index' in e ? e.index : ''}`)).toEqual(
      [1, 2, 3].flatMap((i) => [`step-start ${i}`, `step-cached ${i}`, `step-end ${i}`]),
    );
  });

  test("a step's output is its own lines, reassembled across messages and streams", () => {
    const {emitted, model} = parse(build);
    expect(lines(emitted, 2)).toEqual([
      'Collecting x',
      'Downloading x-1.0.whl (12 MB)',
      'Installing collected packages: x',
      'warning: root',
      'Installing done',
    ]);
    expect(model.step(2)!.lines.toArray()).toEqual(lines(emitted, 2));
    // The rest (loading the context, exporting the image) is said once each, outside the steps.
    expect(lines(emitted, null)).toEqual([
      '[internal] load remote build context (0.1 s)',
      'exporting layers done',
      'exporting to image (0.3 s)',
      'Successfully tagged reg/x:build-1',
    ]);
  });

  test('a failing RUN: its output, its error, and the step named as the failure', () => {
    const failing = [
      trace({vertexes: [vertex(2, '[1/2] FROM base', {started: at(0), completed: at(0)})]}),
      trace({vertexes: [vertex(3, '[2/2] RUN make', {started: at(10)})]}),
      trace({logs: [log(3, 'gcc: error: missing.c: No such file\nmake: *** [all] Error 1\n', 2)]}),
      trace({
        vertexes: [
          vertex(3, '[2/2] RUN make', {
            started: at(10),
            completed: at(900),
            error: 'executor failed running [/bin/sh -c make]: exit code: 2',
          }),
        ],
      }),
      {
        errorDetail: {message: 'executor failed running [/bin/sh -c make]: exit code: 2'},
        error: 'executor failed running [/bin/sh -c make]: exit code: 2',
      },
    ];
    const {emitted, parser, model} = parse(failing);
    expect(parser.lastStep).toBe(2);
    expect(parser.lastInstruction).toBe('Step 2/2 RUN make');
    model.apply({type: 'error', message: 'build failed', step: parser.lastStep});
    model.apply({type: 'state', state: 'failed', at: 9_000});
    expect(model.failingStep!.index).toBe(2);
    expect(model.failingStep!.status).toBe('failed');
    expect(model.failingStep!.lines.toArray()).toEqual([
      'gcc: error: missing.c: No such file',
      'make: *** [all] Error 1',
      'ERROR: executor failed running [/bin/sh -c make]: exit code: 2',
    ]);
    expect(lines(emitted, 1)).toEqual([]);
  });

  test('the last unfinished line of a step is not lost when the build stops', () => {
    const {emitted} = parse([
      trace({vertexes: [vertex(3, '[1/1] RUN sleep 100', {started: at(0)})]}),
      trace({logs: [log(3, 'waiting without a newline')]}),
    ]);
    expect(lines(emitted, 1)).toEqual(['waiting without a newline']);
    expect(emitted.filter((e) => e.type === 'step-end')).toHaveLength(1);
  });

  test("the engine's log limit is named once, with the fix", () => {
    const {emitted} = parse([
      trace({vertexes: [vertex(3, '[1/1] RUN yes', {started: at(0)})]}),
      trace({logs: [log(3, 'y\ny\n\n[output clipped, log limit 1MiB reached]\n')]}),
      trace({logs: [log(3, '\n[output clipped, log limit 200KiB/s reached]\n')]}),
    ]);
    expect(lines(emitted, 1).filter((line) => line === clippedLogHint)).toHaveLength(1);
    expect(clippedLogHint).toMatch(/BUILDKIT_STEP_LOG_MAX_SIZE.*DOCKER_BUILDKIT=0/);
  });

  test('5 MiB of output in 32 KiB messages arrives whole, line for line, in the log file', () => {
    const expected: string[] = [];
    for (let i = 0; expected.length * 105 < 5 * 1024 * 1024; i++)
      expected.push(`line ${String(i).padStart(7, '0')} ${'x'.repeat(92)}`);
    const text = `${expected.join('\n')}\n`;
    const events = [trace({vertexes: [vertex(3, '[1/1] RUN loud', {started: at(0)})]})];
    for (let offset = 0; offset < text.length; offset += 32 * 1024)
      events.push(trace({logs: [log(3, text.slice(offset, offset + 32 * 1024))]}));
    events.push(
      trace({vertexes: [vertex(3, '[1/1] RUN loud', {started: at(0), completed: at(1)})]}),
    );
    const {emitted} = parse(events);
    const written = emitted
      .map((event) => logLineOf(event, new Map()))
      .filter((line) => line !== undefined);
    const body = written.slice(written.indexOf('Step 1/1 : RUN loud') + 1);
    expect(body.length).toBe(expected.length);
    expect(body.join('\n')).toBe(expected.join('\n'));
  });
});
