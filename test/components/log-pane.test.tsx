import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {clampTop, LogPane} from '../../source/components/log-pane.js';
import {barLength, chartSteps, StepChart} from '../../source/components/step-chart.js';
import {
  fitMiddle,
  formatDuration,
  StepList,
  visibleSteps,
} from '../../source/components/step-list.js';
import {RingBuffer} from '../../source/lib/ring-buffer.js';

function ringOf(count: number): RingBuffer<string> {
  const ring = new RingBuffer<string>(count);
  for (let i = 1; i <= count; i++) ring.push(`line ${i}`);
  return ring;
}

describe('the log pane', () => {
  it('renders exactly the visible window of a large log', () => {
    const lines = ringOf(100_000);
    const {lastFrame, unmount} = render(
      <LogPane source={lines} top={clampTop(Infinity, lines.length, 5)} height={5} width={60} />,
    );
    const rows = lastFrame()!.split('\n');
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.trim())).toEqual([
      'line 99996',
      'line 99997',
      'line 99998',
      'line 99999',
      'line 100000',
    ]);
    unmount();
  });

  it('pads a short log to its height and truncates long lines to the width', () => {
    const lines = new RingBuffer<string>(10);
    lines.push('short');
    lines.push('y'.repeat(200));
    const {lastFrame, unmount} = render(<LogPane source={lines} top={0} height={4} width={30} />);
    const rows = lastFrame()!.split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[1]!.length).toBeLessThanOrEqual(30);
    expect(rows[1]).toContain('…');
    unmount();
  });

  it('marks the current search match', () => {
    const lines = ringOf(20);
    const {lastFrame, unmount} = render(
      <LogPane source={lines} top={10} height={3} width={40} query="line 12" current={11} />,
    );
    const rows = lastFrame()!.split('\n');
    // eslint-disable-next-line no-control-regex -- terminal escapes are what it matches
    expect(rows.map((row) => row.replace(/\u001b\[[0-9;]*m/g, ''))).toEqual([
      ' line 11',
      '›line 12',
      ' line 13',
    ]);
    // The match is in inverse video, written without colors (NO_COLOR-proof).
    expect(rows[1]).toBe('›\u001b[7mline 12\u001b[27m');
    expect(rows[0]).toBe(' line 11');
    unmount();
  });

  it('clamps scrolled positions to the log', () => {
    expect(clampTop(-5, 100, 10)).toBe(0);
    expect(clampTop(95, 100, 10)).toBe(90);
    expect(clampTop(3, 2, 10)).toBe(0);
  });
});

describe('the step list', () => {
  it('shows one row per step with its CACHED marker and timer', () => {
    const {lastFrame, unmount} = render(
      <StepList
        width={70}
        maxRows={5}
        rows={[
          {
            index: 1,
            total: 2,
            instruction: 'FROM python:3.12-slim',
            status: 'done',
            cached: true,
            durationMs: 40,
          },
          {
            index: 2,
            total: 2,
            instruction: 'RUN pip install -r requirements.txt',
            status: 'running',
            cached: false,
            durationMs: 12_300,
          },
        ]}
      />,
    );
    const rows = lastFrame()!.split('\n');
    expect(rows[0]).toMatch(/✓ 1\/2 FROM python:3\.12-slim\s+CACHED\s+0\.0s/);
    expect(rows[1]).toMatch(/› 2\/2 RUN pip install -r requirements\.txt\s+12s/);
    expect(rows[1]).not.toContain('CACHED');
    unmount();
  });

  it('keeps the latest steps when they do not all fit', () => {
    expect(visibleSteps([1, 2, 3, 4, 5], 3)).toEqual({hidden: 3, rows: [4, 5]});
    expect(visibleSteps([1, 2], 3)).toEqual({hidden: 0, rows: [1, 2]});
    expect(formatDuration(185_000)).toBe('3m 05s');
  });

  it('cuts a long path in its middle, keeping the file name on a narrow terminal', () => {
    const saved =
      'Saved the log to /root/.local/state/berth/logs/saved/berth-publish-image-rotation-12.log';
    expect(fitMiddle(saved, 80)).toBe(
      'Saved the log to /root/.local/state/bert…ved/berth-publish-image-rotation-12.log',
    );
    expect(fitMiddle(saved, 60)).toBe(
      'Saved the log to /root/…/berth-publish-image-rotation-12.log',
    );
    // Too narrow for the name: the message's start, then as much of its end as fits.
    expect(fitMiddle(saved, 40)).toBe('Saved the lo…blish-image-rotation-12.log');
    expect(fitMiddle('short', 10)).toBe('short     ');
    expect(fitMiddle('no slashes in this long sentence', 15)).toBe('no slas…entence');
  });
});

describe('the step chart', () => {
  it('draws bars proportional to step durations', () => {
    const {lastFrame, unmount} = render(
      <StepChart
        width={60}
        maxRows={5}
        steps={[
          {index: 1, instruction: 'FROM python', durationMs: 0, cached: true},
          {index: 2, instruction: 'RUN pip install', durationMs: 4000, cached: false},
          {index: 3, instruction: 'COPY . /app', durationMs: 1000, cached: false},
        ]}
      />,
    );
    const rows = lastFrame()!.split('\n');
    const bar = (row: string) => (row.match(/█+/)?.[0] ?? '').length;
    expect(bar(rows[0]!)).toBe(0);
    expect(rows[0]).toContain('CACHED');
    expect(bar(rows[1]!)).toBeGreaterThan(3 * bar(rows[2]!) - 2);
    expect(bar(rows[2]!)).toBeGreaterThan(0);
    unmount();
  });

  it('keeps the slowest steps in step order when space is short', () => {
    const steps = [5, 1, 9, 3].map((seconds, i) => ({
      index: i + 1,
      instruction: `s${i + 1}`,
      durationMs: seconds * 1000,
      cached: false,
    }));
    expect(chartSteps(steps, 2).map((step) => step.index)).toEqual([1, 3]);
    expect(barLength(1, 1000, 50)).toBe(1);
  });
});
