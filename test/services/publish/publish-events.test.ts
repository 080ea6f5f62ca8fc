// The engine's raw build/push messages → PublishEvents (the contract the pane and plain mode read).
import {describe, expect, test} from 'vitest';
import {
  BuildEventParser,
  logLineOf,
  pushEventOf,
} from '../../../source/services/publish/build-events.js';
import type {PublishEvent} from '../../../source/models/publish-events.js';

function parse(chunks: string[]): {events: PublishEvent[]; parser: BuildEventParser} {
  const events: PublishEvent[] = [];
  let time = 1000;
  const parser = new BuildEventParser(
    (event) => events.push(event),
    () => (time += 100),
  );
  for (const chunk of chunks) parser.push({stream: chunk});
  parser.finish();
  return {events, parser};
}

describe('BuildEventParser', () => {
  test('steps, cache hits and log lines, with lines split across messages', () => {
    const {events, parser} = parse([
      'Step 1/3 : FROM base\n ---> abc\n',
      'Step 2/3 : RUN pip ',
      'install x\n ---> Using cache\n ---> def\nStep 3/3 : COPY code ./\n',
      ' ---> Running in 123\ncollecting x',
      '\r\ndone\n',
    ]);
    expect(
      events.filter((e) => e.type !== 'log').map((e) => [e.type, 'index' in e ? e.index : null]),
    ).toEqual([
      ['step-start', 1],
      ['step-end', 1],
      ['step-start', 2],
      ['step-cached', 2],
      ['step-end', 2],
      ['step-start', 3],
      ['step-end', 3],
    ]);
    expect(events.find((e) => e.type === 'step-start' && e.index === 2)).toMatchObject({
      total: 3,
      instruction: 'RUN pip install x',
    });
    expect(
      events.filter((e) => e.type === 'log' && e.step === 3).map((e) => (e as {line: string}).line),
    ).toEqual([' ---> Running in 123', 'collecting x', 'done']);
    expect(parser.steps.map((s) => [s.index, s.cached])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(parser.lastInstruction).toBe('Step 3/3 COPY code ./');
  });

  test('push messages become per-layer progress; repository lines stay out', () => {
    expect(
      pushEventOf({status: 'Pushing', id: 'bab00fcd9478', progressDetail: {current: 5, total: 10}}),
    ).toEqual({
      type: 'push-progress',
      layer: 'bab00fcd9478',
      status: 'Pushing',
      current: 5,
      total: 10,
    });
    expect(pushEventOf({status: 'The push refers to repository [x]'})).toBeUndefined();
    expect(pushEventOf({status: 'digest: sha256:...', id: '1-abc'})).toBeUndefined();
  });

  test('the log file gets one line per layer status change, not every progress tick', () => {
    const seen = new Map<string, string>();
    const tick = (current: number) =>
      logLineOf({type: 'push-progress', layer: 'l1', status: 'Pushing', current, total: 9}, seen);
    expect(tick(1)).toBe('push l1: Pushing');
    expect(tick(2)).toBeUndefined();
    expect(logLineOf({type: 'push-progress', layer: 'l1', status: 'Pushed'}, seen)).toBe(
      'push l1: Pushed',
    );
  });
});
