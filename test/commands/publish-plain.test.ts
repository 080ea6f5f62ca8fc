// `berth publish --plain` prints what the pane shows: the same log model's lines (escapes gone,
// `\r` progress redraws collapsed to their last state, multi-line chunks split) and step timings.
import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {runBerth, tempDir, tempProject} from '../support/cli.js';
import {moduleSource} from '../support/module-source.js';
import {PlainPublishPrinter} from '../../source/commands/publish.js';
import {Output} from '../../source/lib/output.js';
import type {PublishEvent} from '../../source/models/publish-events.js';

function printed(events: PublishEvent[]): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const printer = new PlainPublishPrinter(out, new Output({json: false, color: false}));
  for (const event of events) printer.print(event);
  return text;
}

describe('PlainPublishPrinter', () => {
  it("prints build output as the pane's log model has it, with step lines and timings", () => {
    const text = printed([
      {type: 'state', state: 'building', at: 0},
      {type: 'step-start', index: 1, total: 2, instruction: 'RUN pip install -r r.txt', at: 0},
      {type: 'log', line: '\u001b[31mERROR-free\u001b[0m \u001b[1mbold\u001b[22m', step: 1},
      {type: 'log', line: 'Downloading  10%\rDownloading  55%\rDownloading 100%', step: 1},
      {type: 'log', line: 'first\nsecond\n', step: 1},
      {type: 'log', line: ' ---> 1a2b3c4d', step: 1},
      {type: 'step-end', index: 1, at: 2500},
      {type: 'step-start', index: 2, total: 2, instruction: 'COPY . /app', at: 2500},
      {type: 'step-cached', index: 2},
      {type: 'step-end', index: 2, at: 2600},
    ]);
    expect(text.split('\n')).toEqual([
      '==> building',
      'Step 1/2 RUN pip install -r r.txt',
      '  ERROR-free bold',
      '  Downloading 100%',
      '  first',
      '  second',
      'Step 1/2 done in 2.5 s',
      'Step 2/2 COPY . /app',
      'Step 2/2 CACHED',
      '',
    ]);
    // Nothing a terminal would act on, and no escape shown as ␛ either: it is gone.
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    expect(text).not.toMatch(/[\u001b\r␛]/);
  });

  it('opens with what is published where; pending itself is not a line', () => {
    const text = printed([
      {type: 'state', state: 'pending', at: 0, subject: "add-noise (noise.py) on stack 'default'"},
      {type: 'log', line: 'full image (code in the image): not a git checkout', step: null},
      {type: 'state', state: 'building', at: 1},
    ]);
    expect(text.split('\n')).toEqual([
      "==> Publishing add-noise (noise.py) on stack 'default'",
      '  full image (code in the image): not a git checkout',
      '==> building',
      '',
    ]);
  });
});

describe('a failed `berth publish --plain`', () => {
  it('says its error once, on stderr, and exits 1; stdout has only the progress lines', async () => {
    const project = tempProject({
      'noise.py': moduleSource('', '@data_processor(name="Add Noise")\ndef main():\n    pass\n'),
    });
    const result = await runBerth(['publish', '--plain'], {
      cwd: project,
      env: {BERTH_CONFIG_DIR: tempDir(), DOCKER_HOST: 'unix:///nonexistent/docker.sock'},
      timeoutMs: 90_000,
    });
    expect(result.code, result.stderr).toBe(1);
    const error = "Can't reach the Docker engine at unix:///nonexistent/docker.sock";
    expect(result.stdout).toContain("==> Publishing add-noise (noise.py) on stack 'default'");
    expect(result.stdout).not.toContain(error);
    expect(result.stdout).not.toContain('FAILED');
    expect(result.stderr.split(error).length - 1).toBe(1);
    expect(result.stderr).toContain('Nothing was built and no version was recorded.');
  });
});
