// Parameter sweeps on the docker orchestrator (the shared test engine): `--sweep` axes expand to
// their cartesian product, every combination is validated before anything starts, runs carry
// the sweep id, `runs list --sweep` shows them, a failing run fails the sweep but not the
// others, and the live view (a real pty) shows rows, a summary, a chart, and a run's log.
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {spawn} from 'node:child_process';
import {cleanEnv, cliPath, nodeBinary, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {waitFor} from '../support/wait.js';
import {moduleSource} from '../support/module-source.js';
import {keys, spawnBerth} from '../support/pty.js';
import {
  baseImage,
  ensureBaseImage,
  startDocker,
  startRegistry,
  type Registry,
} from '../support/services.js';

let host: string;
let registry: Registry;
let home: string;
let configDir: string;

function env() {
  return {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host};
}

function berth(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return runBerth(args, {cwd: home, env: env(), timeoutMs});
}

async function ok(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  const result = await berth(args, timeoutMs);
  if (result.code !== 0)
    throw new Error(
      `berth ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

type RunJson = {
  id: string;
  status: string;
  sweep: string | null;
  node: string | null;
  parameters: Record<string, unknown>;
  exitCode: number | null;
};

async function runCount(): Promise<number> {
  return (await ok(['runs', 'list', '--json'])).json<RunJson[]>().length;
}

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry();
  home = tempDir('berth-sweep-');
  configDir = path.join(home, 'config');
  await ok(['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
  await ok([
    'component',
    'register',
    'container_registry',
    'team',
    '--flavor',
    'oci',
    '--option',
    `uri=${registry.address}/team`,
  ]);
  await ok(['component', 'register', 'orchestrator', 'containers', '--flavor', 'docker']);
  await ok([
    'stack',
    'register',
    'sweeps',
    '-i',
    'engine',
    '-c',
    'team',
    '-o',
    'containers',
    '--set',
  ]);
  const project = tempDir('berth-sweep-project-');
  writeFileSync(path.join(project, 'requirements.txt'), '');
  writeFileSync(
    path.join(project, 'grid.py'),
    moduleSource(
      `import sys
import time
`,
      `@data_processor(name="Grid", description="prints its parameters")
@parameter("angle", "float", True, None, "degrees")
@parameter("label", "str", False, "x", "a label")
@parameter("sizes", "list", False, "[]", "a list")
def main(angle, label, sizes):
    print("angle=%s label=%s sizes=%s" % (angle, label, sizes))
    if label == "slow":
        sys.stdout.flush()
        time.sleep(300)
    if label == "boom":
        sys.stderr.write("exploding on purpose\\n")
        sys.exit(4)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--angle", type=float)
    parser.add_argument("--label", default="x")
    parser.add_argument("--sizes", default="[]")
    arguments = parser.parse_args()
    main(arguments.angle, arguments.label, arguments.sizes)
`,
    ),
  );
  await ok(['publish', project, '--base-image', baseImage, '--plain'], 240_000);
}, 300_000);

afterAll(async () => {
  await registry?.stop();
});

describe('berth run --sweep', () => {
  test('SIGTERM stops a plain sweep: its runs recorded cancelled, the summary, exit 143', async () => {
    const child = spawn(
      nodeBinary,
      [cliPath, 'run', 'grid', '--sweep', 'angle=1,2', '--param', 'label=slow', '--parallel', '1'],
      {cwd: home, env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe']},
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The first run is going: its output is there.
    await waitFor(() => stdout.includes('[1/2] angle=1.0 label=slow'), {
      timeoutMs: 90_000,
      message: 'the first run of the sweep',
    });
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(143);
    expect(stderr).not.toMatch(/berth hit a bug|Unhandled/);
    const sweep = /Sweep (\S+): 2 runs/.exec(stderr)![1]!;
    expect(stderr).toContain(`Cancelled sweep ${sweep}.`);
    const runs = (await ok(['runs', 'list', '--sweep', sweep, '--json'])).json<RunJson[]>();
    expect(runs.map((run) => run.status)).not.toContain('running');
    expect(runs.map((run) => run.status)).toContain('cancelled');
  }, 180_000);

  test('expands the axes to their cartesian product; every run carries the sweep id; runs list --sweep shows them', async () => {
    const result = await ok(
      [
        'run',
        'grid',
        '--sweep',
        'angle=0,45,90',
        '--sweep',
        'label=a,b',
        '--param',
        'sizes=1,2',
        '--parallel',
        '3',
        '--json',
      ],
      180_000,
    );
    const runs = result.json<RunJson[]>();
    expect(runs).toHaveLength(6);
    const sweep = runs[0]!.sweep;
    expect(sweep).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(runs.every((run) => run.sweep === sweep && run.status === 'succeeded')).toBe(true);
    const combinations = runs.map(
      (run) => `${String(run.parameters.angle)}/${String(run.parameters.label)}`,
    );
    expect(combinations.sort()).toEqual(['0/a', '0/b', '45/a', '45/b', '90/a', '90/b']);
    // A plain list parameter stays one value, commas and all.
    expect(runs.every((run) => JSON.stringify(run.parameters.sizes) === '["1","2"]')).toBe(true);
    expect(result.stderr).toContain(
      `Sweep ${sweep}: 6 runs of grid version 1 (3 angle × 2 label), 3 at a time`,
    );
    expect(result.stderr).toMatch(/\[\d\/6\] angle=45 label=b: succeeded in \d+\.\d s/);
    expect(result.stderr).toContain(`Sweep ${sweep}: 6 succeeded.`);

    const listed = await ok(['runs', 'list', '--sweep', sweep!, '--json']);
    expect(
      listed
        .json<RunJson[]>()
        .map((run) => run.id)
        .sort(),
    ).toEqual(runs.map((run) => run.id).sort());
    const table = await ok(['runs', 'list', '--sweep', sweep!]);
    expect(table.stdout).toMatch(/PARAMETERS\s+NODE\s+STATUS\s+DURATION/);
    expect(table.stdout).toContain('angle=90 label=a');
    // Output lines carry their run's number.
    const plain = await ok(['run', 'grid', '--sweep', 'angle=1,2', '--parallel', '1'], 120_000);
    expect(plain.stdout).toContain('[1/2] angle=1.0 label=x sizes=[]\n');
    expect(plain.stdout).toContain('[2/2] angle=2.0 label=x sizes=[]\n');
  });

  test('validates every combination before anything starts, and refuses what is too large', async () => {
    const before = await runCount();
    const refusals: Array<[string[], RegExp]> = [
      [
        ['--sweep', 'angle=0,north,90'],
        /Sweep run angle=north: Parameter "angle" takes a number, not "north"/,
      ],
      [['--sweep', 'height=1,2', '--param', 'angle=1'], /The module has no parameter "height"/],
      [['--sweep', 'label=a,b'], /Missing required parameter: angle/],
      [['--sweep', 'angle=1,2', '--param', 'angle=3'], /"angle" is given with --param and --sweep/],
      [['--sweep', 'angle=1', '--sweep', 'angle=2'], /"angle" is swept twice/],
      [['--sweep', 'angle='], /--sweep angle has no values/],
      [
        [
          '--sweep',
          `angle=${Array.from({length: 20}, (_, i) => i).join(',')}`,
          '--sweep',
          `label=${Array.from({length: 13}, (_, i) => `l${i}`).join(',')}`,
        ],
        /expands to 260 runs \(20 angle × 13 label\); the limit is 256/,
      ],
      [['--sweep', 'angle=1,2', '--parallel', '65'], /takes 1 to 64, not 65/],
      [
        ['--sweep', 'angle=1,2', '--parallel', 'many'],
        /--parallel takes a whole number, not "many"/,
      ],
      [['--param', 'angle=1', '--parallel', '2'], /--parallel goes with --sweep/],
    ];
    for (const [args, message] of refusals) {
      const result = await berth(['run', 'grid', ...args]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(await runCount()).toBe(before);
    const unknown = await berth(['runs', 'list', '--sweep', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No runs of a sweep "nope"');
  });

  test('a failing run fails the sweep (exit 1) but the others run to the end', async () => {
    const result = await berth(
      ['run', 'grid', '--param', 'angle=1', '--sweep', 'label=a,boom,c', '--json'],
      120_000,
    );
    expect(result.code).toBe(1);
    const runs = result.json<RunJson[]>();
    expect(runs.map((run) => [run.parameters.label, run.status, run.exitCode])).toEqual(
      expect.arrayContaining([
        ['a', 'succeeded', 0],
        ['boom', 'failed', 4],
        ['c', 'succeeded', 0],
      ]),
    );
    expect(result.stderr).toContain('exploding on purpose');
    expect(result.stderr).toMatch(/2 succeeded, 1 failed\./);
    expect(result.stderr).toContain('1 of 3 runs of sweep');
  });

  test('on a terminal: a live row per run, a summary and a chart by outcome; Enter opens a run log', async () => {
    const session = spawnBerth(
      ['run', 'grid', '--param', 'angle=7', '--sweep', 'label=one,boom,three', '--parallel', '2'],
      {
        cwd: home,
        env: env(),
        cols: 120,
        rows: 30,
      },
    );
    try {
      await session.waitFor(/PARAMETERS\s+NODE\s+STATUS\s+DURATION/, 30_000);
      await session.waitFor(/2 succeeded · 1 failed · .* elapsed · done/, 120_000);
      const screen = session.text();
      expect(screen).toMatch(/label=one\s+-\s+succeeded/);
      expect(screen).toMatch(/label=boom\s+-\s+failed/);
      expect(screen).toMatch(/succeeded\s+█+.*×2 median/);
      expect(screen).toMatch(/failed\s+█+.*×1 median/);
      session.mark();
      await session.write(keys.down);
      await session.write(keys.enter);
      await session.waitFor('exploding on purpose');
      await session.waitFor(/run \S+ · label=boom/);
      session.mark();
      await session.write(keys.escape);
      await session.waitFor(/PARAMETERS\s+NODE/);
      await session.write('q');
      expect(await session.exit).toBe(1);
    } finally {
      session.kill();
    }
  });
});
