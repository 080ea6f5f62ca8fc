// A stand-in for the publish command, for driving the real publish pane in a pseudo-terminal:
// it feeds scripted PublishEvents (and writes them to a log file, as the service does) and
// reacts to the pane's signal the way the service must. Bundled by publish-pane-bundle.ts.
//
//   node publish-pane-demo.mjs MODE LOGFILE   MODE: hold | publish | fail
import {appendFileSync, writeFileSync} from 'node:fs';
import {runPublishPane} from '../../source/screens/publish-pane.js';
import type {PublishEvent} from '../../source/models/publish-events.js';

const [mode = 'hold', logFile = 'publish.log'] = process.argv.slice(2);
writeFileSync(logFile, '');
const pane = await runPublishPane({
  title: 'demo-module',
  logFile,
  module: 'demo-module',
  version: '7',
});

const emit = (event: PublishEvent) => {
  appendFileSync(logFile, `${JSON.stringify(event)}\n`);
  pane.push(event);
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const total = 4;
let at = Date.now();
const step = (index: number, instruction: string) =>
  emit({type: 'step-start', index, total, instruction, at: (at += 100)});

async function build(): Promise<'published' | 'failed' | 'cancelled'> {
  emit({type: 'state', state: 'building', at});
  step(1, 'FROM python:3.12-slim');
  emit({type: 'step-cached', index: 1});
  emit({type: 'step-end', index: 1, at: (at += 5)});
  step(2, 'RUN pip install --no-cache-dir -r requirements.txt');
  for (let i = 1; i <= 300; i++)
    emit({
      type: 'log',
      line: i === 42 ? `needle-42 collected wheel ${i}` : `pip line ${i} of step 2`,
      step: 2,
    });
  emit({type: 'step-end', index: 2, at: (at += 2500)});
  step(3, 'COPY . /app');
  emit({type: 'step-end', index: 3, at: (at += 50)});
  step(4, 'RUN python -m compileall /app');
  if (mode === 'fail') {
    for (let i = 1; i <= 30; i++) emit({type: 'log', line: `compile output ${i}`, step: 4});
    emit({type: 'log', line: 'SyntaxError: invalid syntax (main.py, line 3)', step: 4});
    emit({type: 'error', message: 'The command returned a non-zero code: 1', step: 4});
    emit({type: 'state', state: 'failed', at: Date.now()});
    return 'failed';
  }
  if (mode === 'hold') {
    // A step that runs until cancelled, logging as it goes.
    for (let i = 1; !pane.signal.aborted; i++) {
      emit({type: 'log', line: `still compiling ${i}`, step: 4});
      await tick();
    }
    emit({type: 'state', state: 'cancelled', at: Date.now()});
    return 'cancelled';
  }
  emit({type: 'step-end', index: 4, at: (at += 700)});
  emit({type: 'state', state: 'pushing', at});
  emit({
    type: 'push-progress',
    layer: 'sha256:aaaaaaaaaaaaaaaa',
    status: 'Pushing',
    current: 1_000_000,
    total: 4_000_000,
  });
  emit({
    type: 'push-progress',
    layer: 'sha256:aaaaaaaaaaaaaaaa',
    status: 'Pushed',
    current: 4_000_000,
    total: 4_000_000,
  });
  emit({
    type: 'summary',
    module: 'demo-module',
    version: '7',
    image: '127.0.0.1:5000/demo-module:7',
    digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    sizeBytes: 123_400_000,
    durationMs: 3400,
    parameters: 2,
    steps: [
      {index: 1, instruction: 'FROM python:3.12-slim', durationMs: 5, cached: true},
      {
        index: 2,
        instruction: 'RUN pip install --no-cache-dir -r requirements.txt',
        durationMs: 2500,
        cached: false,
      },
      {index: 3, instruction: 'COPY . /app', durationMs: 50, cached: false},
      {index: 4, instruction: 'RUN python -m compileall /app', durationMs: 700, cached: false},
    ],
  });
  emit({type: 'state', state: 'published', at: Date.now()});
  return 'published';
}

const outcome = await build();
const result = await pane.done();
process.stdout.write(
  `\nPANE-CLOSED outcome=${outcome} cancelled=${result.cancelled} saved=${result.savedTo ?? '-'}\n`,
);
process.exitCode = outcome === 'cancelled' ? 130 : outcome === 'failed' ? 1 : 0;
