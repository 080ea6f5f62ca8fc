// bench/sweep: 24 runs of a module that sleeps 2 seconds, as one sweep each way — the docker
// orchestrator one at a time, the docker orchestrator 8 at a time on one engine, and a swarm of
// two nodes 8 at a time — against a bare `docker run` of the same image, all in one run.
//
//   npm run -s build && node bench/sweep.mjs
//
// Builds on DOCKER_HOST when set, else on the test suite's engine, started if it is not running,
// with its offline base image (BASE_IMAGE, default berth-test/python:3.11); needs dockerd and
// docker-registry on PATH, and root (two private dockerd processes form the swarm).
import {spawn, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {loadTestSupport, median, node, printTable, ratio, testEngine} from './lib.mjs';

const runs = 24;
const parallel = 8;
const sleepSeconds = 2;
const cli = path.resolve('dist/cli.js');
const dockerHost = await testEngine();
const baseImage = process.env.BASE_IMAGE ?? 'berth-test/python:3.11';
const work = mkdtempSync(path.join(tmpdir(), 'berth-bench-sweep-'));
const env = {
  ...process.env,
  BERTH_CONFIG_DIR: path.join(work, 'config'),
  DOCKER_HOST: dockerHost,
  NO_COLOR: '1',
};

function berth(args, {quiet = true} = {}) {
  const result = spawnSync(node, [cli, ...args], {env, cwd: work, encoding: 'utf8'});
  if (result.status !== 0)
    throw new Error(`berth ${args.join(' ')} exited ${result.status}\n${result.stderr}`);
  if (!quiet) process.stderr.write(result.stderr);
  return result;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The test suite's swarm starter (TypeScript), bundled so plain Node can import it. */
const loadSwarmStarter = () => loadTestSupport('test/support/services/swarm.ts');

function timed(work) {
  const started = performance.now();
  work();
  return performance.now() - started;
}

const port = await freePort();
const registryDir = path.join(work, 'registry');
mkdirSync(registryDir);
writeFileSync(
  path.join(registryDir, 'config.yml'),
  `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${registryDir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
);
const registry = spawn('docker-registry', ['serve', path.join(registryDir, 'config.yml')], {
  stdio: 'ignore',
});
const {startSwarm} = await loadSwarmStarter();
const swarm = await startSwarm();
try {
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (i > 200) throw new Error('the registry did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const args of [
    ['component', 'register', 'image_builder', 'engine', '--flavor', 'docker'],
    [
      'component',
      'register',
      'container_registry',
      'bench',
      '--flavor',
      'oci',
      '--option',
      `uri=127.0.0.1:${port}/bench`,
    ],
    ['component', 'register', 'orchestrator', 'containers', '--flavor', 'docker'],
    [
      'component',
      'register',
      'orchestrator',
      'cluster',
      '--flavor',
      'swarm',
      '--option',
      `host=${swarm.manager.host}`,
    ],
    ['stack', 'register', 'one-engine', '-i', 'engine', '-c', 'bench', '-o', 'containers'],
    ['stack', 'register', 'two-nodes', '-i', 'engine', '-c', 'bench', '-o', 'cluster'],
  ])
    berth(args);
  const project = path.join(work, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'requirements.txt'), '');
  writeFileSync(
    path.join(project, 'nap.py'),
    `import time\n\n\ndef data_processor(*args, **kwargs):\n    return lambda function: function\n\n\ndef parameter(*args, **kwargs):\n    return lambda function: function\n\n\n@data_processor(name="Nap", description="sleeps")\n@parameter("i", "int", False, 0, "run number")\ndef main(i):\n    time.sleep(${sleepSeconds})\n    print("run", i)\n\n\nif __name__ == "__main__":\n    import argparse\n    parser = argparse.ArgumentParser()\n    parser.add_argument("--i", type=int, default=0)\n    main(parser.parse_args().i)\n`,
  );
  berth(['stack', 'set', 'one-engine', '--global']);
  berth(['publish', project, '--base-image', baseImage, '--plain']);
  const [module] = JSON.parse(berth(['module', 'list', '--json']).stdout);
  const values = Array.from({length: runs}, (_, i) => i + 1).join(',');

  // Baseline: the same image, run bare (container create, start, wait, remove).
  const bare = [];
  for (let i = 0; i < 5; i++) {
    bare.push(
      timed(() => {
        const result = spawnSync(
          'docker',
          ['run', '--rm', '--network', 'host', module.image, '--i', String(i)],
          {env: {...env, DOCKER_CONFIG: path.join(work, 'docker-cli')}, stdio: 'ignore'},
        );
        if (result.status !== 0) throw new Error('docker run failed');
      }),
    );
  }
  const bareMs = median(bare);

  // Every swarm node pulls the image once before the measured sweep.
  berth(['stack', 'set', 'two-nodes', '--global']);
  berth(['run', 'nap', '--sweep', 'i=1,2,3,4,5,6', '--parallel', '6', '--plain']);

  const cases = [
    ['docker orchestrator, one at a time', 'one-engine', 1],
    [`docker orchestrator, ${parallel} at a time on one engine`, 'one-engine', parallel],
    [`swarm of two nodes, ${parallel} at a time`, 'two-nodes', parallel],
  ];
  const rows = [
    [
      `bare \`docker run\` of the image (baseline, median of 5)`,
      '1',
      `${(bareMs / 1000).toFixed(2)} s`,
      `${(bareMs / 1000).toFixed(2)} s`,
      '—',
      '—',
    ],
  ];
  let sequentialMs;
  for (const [name, stack, width] of cases) {
    berth(['stack', 'set', stack, '--global']);
    const wall = timed(() =>
      berth(['run', 'nap', '--sweep', `i=${values}`, '--parallel', String(width), '--plain']),
    );
    sequentialMs ??= wall;
    // What one run costs a slot: wall time × slots / runs.
    const perRun = (wall * width) / runs;
    rows.push([
      name,
      String(width),
      `${(wall / 1000).toFixed(2)} s`,
      `${(perRun / 1000).toFixed(2)} s`,
      `${((perRun - bareMs) / 1000).toFixed(2)} s (${ratio(perRun, bareMs)})`,
      ratio(wall, sequentialMs),
    ]);
  }
  printTable(
    `Sweep: ${runs} runs of a ${sleepSeconds}-second module`,
    [
      'how',
      'at once',
      'wall time',
      'per run (slot time)',
      'overhead vs bare run',
      'wall vs one at a time',
    ],
    rows,
  );
} finally {
  await swarm.stop();
  registry.kill('SIGTERM');
  rmSync(work, {recursive: true, force: true});
}
