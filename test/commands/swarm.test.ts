// The swarm orchestrator on a real two-node Docker Swarm (two private dockerd processes on this
// machine, never the shared test engine): the module is published through the shared engine to
// an htpasswd registry; the swarm nodes pull it with the login forwarded from the keychain; the
// log streams live; the node is recorded; Ctrl+C (or SIGTERM during a sweep) removes the
// services, the program gets SIGTERM through the container's init, and the runs are recorded
// `cancelled`; a node that stops answering fails the run with that reason.
import {spawn} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {cleanEnv, cliPath, nodeBinary, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {
  baseImage,
  ensureBaseImage,
  startDocker,
  startKeychain,
  startRegistry,
  type Keychain,
  type Registry,
} from '../support/services.js';
import {startForgeServer, type ForgeServer} from '../support/forge-server.js';
import {runGit} from '../support/git.js';
import {moduleSource} from '../support/module-source.js';
import {startSwarm, type Swarm} from '../support/services/swarm.js';
import {
  inspectEngineObjects,
  objectsContaining,
  type EngineObject,
} from '../support/token-leaks.js';
import {waitFor} from '../support/wait.js';

const user = 'swarmer';
const GITHUB_TOKEN = 'ghp_swarmSecretTest0000000000000000wxyz';
const password = `pw-${Math.random().toString(36).slice(2)}-swarm`;

let builderHost: string;
let registry: Registry;
let keychain: Keychain;
let swarm: Swarm;
let home: string;
let configDir: string;
let hold: Hold;
const outputs: string[] = [];
/** Services, tasks, containers and secrets as `docker inspect` showed them while runs held. */
const seen: EngineObject[] = [];

/** An HTTP server a run's entry point waits on until the test releases it. */
type Hold = {url: string; waiting: () => number; release: () => void; close: () => void};

async function startHold(): Promise<Hold> {
  let waiting = 0;
  let releases: Array<() => void> = [];
  const server: Server = createServer((_request, response) => {
    waiting += 1;
    releases.push(() => response.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hold`,
    waiting: () => waiting,
    release() {
      for (const release of releases) release();
      releases = [];
      waiting = 0;
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

function env(): Record<string, string> {
  return {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: builderHost, ...keychain.env};
}

async function berth(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  const result = await runBerth(args, {cwd: home, env: env(), timeoutMs});
  outputs.push(result.stdout, result.stderr);
  return result;
}

async function ok(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  const result = await berth(args, timeoutMs);
  if (result.code !== 0)
    throw new Error(
      `berth ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

/** A berth process the test can signal; resolves with its exit code and output. */
function startBerth(args: string[]) {
  const child = spawn(nodeBinary, [cliPath, ...args], {
    cwd: home,
    env: cleanEnv(env()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) =>
    child.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({code, stdout, stderr});
    }),
  );
  return {child, done, output: () => stdout + stderr};
}

type RunJson = {
  id: string;
  status: string;
  node: string | null;
  sweep: string | null;
  exitCode: number | null;
};

async function runsList(): Promise<RunJson[]> {
  return (await ok(['runs', 'list', '--json'])).json<RunJson[]>();
}

async function describeRun(id: string): Promise<RunJson & {error: string | null}> {
  return (await ok(['runs', 'describe', id, '--json'])).json();
}

/** Services left on the manager (berth removes each run's service when it ends). */
async function services(): Promise<string[]> {
  const objects = await inspectEngineObjects([swarm.manager.host]);
  return objects.filter((o) => o.kind === 'service').map((o) => o.id);
}

/**
 * How the containers of these runs ended on either node (`docker events`, `die`): the exit code
 * says whether the program got SIGTERM (143) or was killed after the stop grace (137).
 */
async function containerExits(runIds: string[], since: number): Promise<Record<string, string>> {
  const {default: Docker} = await import('dockerode');
  const exits: Record<string, string> = {};
  for (const node of [swarm.manager, swarm.worker]) {
    const docker = new Docker({socketPath: node.host.slice('unix://'.length)});
    const stream = (await docker.getEvents({
      since: Math.floor(since / 1000),
      until: Math.ceil(Date.now() / 1000),
      filters: {type: ['container'], event: ['die']},
    })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    for (const line of text.split('\n').filter(Boolean)) {
      const event = JSON.parse(line) as {Actor: {Attributes: Record<string, string>}};
      const run = event.Actor.Attributes['dev.berth.run'];
      if (run && runIds.includes(run)) exits[run] = event.Actor.Attributes.exitCode ?? '?';
    }
  }
  return exits;
}

/** Containers of these runs still running on either node. */
async function runningContainers(runIds: string[]): Promise<string[]> {
  const objects = await inspectEngineObjects([swarm.manager.host, swarm.worker.host]);
  return objects
    .filter((o) => o.kind === 'container')
    .map(
      (o) =>
        JSON.parse(o.text) as {
          Id: string;
          State: {Running: boolean};
          Config: {Labels: Record<string, string>};
        },
    )
    .filter((c) => c.State.Running && runIds.includes(c.Config.Labels['dev.berth.run'] ?? ''))
    .map((c) => c.Id.slice(0, 12));
}

/** Waits until every run's container has ended (the node stops it after the service is gone). */
function exitsOf(runIds: string[], since: number): Promise<Record<string, string>> {
  return waitFor(
    async () => {
      const exits = await containerExits(runIds, since);
      return Object.keys(exits).length === runIds.length ? exits : undefined;
    },
    {timeoutMs: 30_000, message: `the containers of ${runIds.join(', ')} to end`},
  );
}

beforeAll(async () => {
  builderHost = (await startDocker()).host;
  await ensureBaseImage(builderHost);
  [registry, keychain, swarm, hold] = await Promise.all([
    startRegistry({htpasswd: {user, password}}),
    startKeychain(),
    startSwarm(),
    startHold(),
  ]);
  home = tempDir('berth-swarm-');
  configDir = path.join(home, 'config');
  const add = await runBerth(
    [
      'token',
      'add',
      'registry',
      '--name',
      'team-registry',
      '--api-url',
      registry.address,
      '--username',
      user,
      '--stdin',
    ],
    {cwd: home, env: env(), input: password},
  );
  expect(add.code, add.stderr).toBe(0);
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
    '--option',
    'credentials=team-registry',
  ]);
  await ok([
    'component',
    'register',
    'orchestrator',
    'cluster',
    '--flavor',
    'swarm',
    '--option',
    `host=${swarm.manager.host}`,
  ]);
  await ok(['stack', 'register', 'swarm', '-i', 'engine', '-c', 'team', '-o', 'cluster', '--set']);

  const project = tempDir('berth-swarm-project-');
  writeFileSync(path.join(project, 'requirements.txt'), '');
  writeFileSync(
    path.join(project, 'job.py'),
    moduleSource(
      `import sys
import urllib.request
`,
      `@data_processor(name="Swarm job", description="prints, and waits on a URL when given one")
@parameter("label", "str", False, "x", "printed")
@parameter("hold", "str", False, "", "a URL to wait on")
def main(label, hold):
    print("started label=%s" % label, flush=True)
    sys.stderr.write("to stderr\\n")
    if hold:
        urllib.request.urlopen(hold, timeout=120).read()
    print("finished label=%s" % label, flush=True)
    if label == "fail":
        sys.exit(3)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="x")
    parser.add_argument("--hold", default="")
    arguments = parser.parse_args()
    main(arguments.label, arguments.hold)
`,
    ),
  );
  await ok(['publish', project, '--base-image', baseImage, '--plain'], 240_000);
}, 600_000);

afterEach(() => {
  // A test that failed while its runs held must not leave them holding for the next one.
  hold?.release();
});

afterAll(async () => {
  hold?.close();
  await swarm?.stop();
  await registry?.stop();
  await keychain?.stop();
});

describe('swarm orchestrator', () => {
  test('a run pulls from the htpasswd registry on a swarm node, streams its log live, records the node and removes its service', async () => {
    const running = startBerth([
      'run',
      'swarm-job',
      '--param',
      'label=live',
      '--param',
      `hold=${hold.url}`,
    ]);
    // The first line arrives while the job is still running: the log is live, not a dump at the end.
    await waitFor(() => running.output().includes('started label=live') && hold.waiting() === 1, {
      timeoutMs: 120_000,
      message: 'the first line of the run while it holds',
    });
    expect(running.output()).not.toContain('finished label=live');
    // Pulled with the forwarded login: the registry refuses anonymous pulls.
    expect(await services()).toHaveLength(1);
    seen.push(...(await inspectEngineObjects([swarm.manager.host, swarm.worker.host])));
    hold.release();
    const {code, stdout, stderr} = await running.done;
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('started label=live\nfinished label=live\n');
    expect(stderr).toContain('to stderr');
    expect(stderr).toMatch(/Placed on node \S+/);
    const [run] = (await runsList()).slice(-1);
    expect(run).toMatchObject({status: 'succeeded', exitCode: 0, sweep: null});
    expect(run!.node).toMatch(/\S/);
    expect(await services()).toEqual([]);
  });

  test('a failing module is a failed run with its exit code', async () => {
    const result = await berth(['run', 'swarm-job', '--param', 'label=fail'], 120_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('finished label=fail');
    const [run] = (await runsList()).slice(-1);
    expect(run).toMatchObject({status: 'failed', exitCode: 3});
  });

  test('a sweep spreads its runs over both nodes', async () => {
    const result = await ok(
      ['run', 'swarm-job', '--sweep', 'label=a,b,c,d', '--parallel', '4', '--json'],
      240_000,
    );
    const runs = result.json<RunJson[]>();
    expect(runs.map((run) => run.status)).toEqual(Array(4).fill('succeeded'));
    expect(new Set(runs.map((run) => run.sweep)).size).toBe(1);
    expect(new Set(runs.map((run) => run.node)).size).toBe(2);
    expect(await services()).toEqual([]);
  });

  test('Ctrl+C removes the service, the program gets SIGTERM (not SIGKILL after the grace) and the run is recorded cancelled', async () => {
    const since = Date.now();
    const running = startBerth([
      'run',
      'swarm-job',
      '--param',
      'label=cancel',
      '--param',
      `hold=${hold.url}`,
    ]);
    await waitFor(() => hold.waiting() === 1, {timeoutMs: 120_000, message: 'the run to hold'});
    expect(await services()).toHaveLength(1);
    running.child.kill('SIGINT');
    const {code, stderr} = await running.done;
    expect(code, stderr).toBe(130);
    expect(await services()).toEqual([]);
    const [run] = (await runsList()).slice(-1);
    expect(run).toMatchObject({status: 'cancelled'});
    // berth waited for the node to end the program (removing a job service alone does not).
    expect(await runningContainers([run!.id])).toEqual([]);
    expect(await exitsOf([run!.id], since)).toEqual({[run!.id]: '143'});
  });

  test('SIGTERM during a sweep removes every service; its runs are recorded cancelled', async () => {
    const since = Date.now();
    const running = startBerth([
      'run',
      'swarm-job',
      '--sweep',
      'label=s1,s2',
      '--param',
      `hold=${hold.url}`,
      '--parallel',
      '2',
      '--plain',
    ]);
    await waitFor(() => hold.waiting() === 2, {timeoutMs: 120_000, message: 'both runs to hold'});
    expect(await services()).toHaveLength(2);
    running.child.kill('SIGTERM');
    const {code, stderr} = await running.done;
    expect(code, stderr).toBe(143);
    expect(stderr).not.toMatch(/berth hit a bug|Unhandled/);
    expect(await services()).toEqual([]);
    const sweep = /Sweep (\S+): 2 runs/.exec(stderr)![1]!;
    const runs = (await ok(['runs', 'list', '--sweep', sweep, '--json'])).json<RunJson[]>();
    expect(runs.map((run) => run.status)).toEqual(['cancelled', 'cancelled']);
    const ids = runs.map((run) => run.id);
    expect(await runningContainers(ids)).toEqual([]);
    expect(await exitsOf(ids, since)).toEqual(Object.fromEntries(ids.map((id) => [id, '143'])));
  });

  test('a node that stops answering mid-run fails the run with that reason', async () => {
    // Everything goes to the worker, so the manager (berth's endpoint) stays up.
    await swarm.setAvailability(swarm.manager, 'drain');
    try {
      const running = startBerth([
        'run',
        'swarm-job',
        '--param',
        'label=lost',
        '--param',
        `hold=${hold.url}`,
      ]);
      await waitFor(() => hold.waiting() === 1, {timeoutMs: 120_000, message: 'the run to hold'});
      process.kill(swarm.worker.pid, 'SIGSTOP');
      try {
        const {code, stderr} = await running.done;
        expect(code).toBe(1);
        expect(stderr).toMatch(/Node \S+ went down while the run was running/);
      } finally {
        process.kill(swarm.worker.pid, 'SIGCONT');
      }
      const [listed] = (await runsList()).slice(-1);
      const run = await describeRun(listed!.id);
      expect(run).toMatchObject({status: 'failed'});
      expect(run.error).toMatch(/went down/);
      expect(await services()).toEqual([]);
      hold.release();
      await waitFor(async () => (await swarm.nodeState(swarm.worker)) === 'ready', {
        timeoutMs: 60_000,
        message: 'the worker to come back',
      });
    } finally {
      await swarm.setAvailability(swarm.manager, 'active');
    }
  });

  describe('a dependencies-only module (code downloaded at start from a private repository)', () => {
    let forge: ForgeServer;
    let commit: string;

    beforeAll(async () => {
      forge = await startForgeServer({
        tokens: [{token: GITHUB_TOKEN, login: 'octocat', scopes: ['repo']}],
      });
      const work = tempDir('berth-swarm-code-');
      const project = path.join(work, 'jobs');
      mkdirSync(project);
      writeFileSync(path.join(project, 'requirements.txt'), '');
      writeFileSync(
        path.join(project, 'code.py'),
        moduleSource(
          `import sys
import urllib.request
`,
          `@data_processor(name="Swarm code", description="downloaded when the container starts")
@parameter("hold", "str", False, "", "a URL to wait on")
def main(hold):
    if hold:
        urllib.request.urlopen(hold, timeout=120).read()
    print("code from the repository, commit marker 7")


if __name__ == "__main__":
    main(sys.argv[2] if len(sys.argv) > 2 else "")
`,
        ),
      );
      runGit(work, 'init', '-q');
      runGit(work, 'add', '--all');
      runGit(work, 'commit', '-qm', 'code');
      const bare = path.join(tempDir('berth-swarm-bare-'), 'jobs.git');
      runGit(work, 'init', '-q', '--bare', bare);
      runGit(work, 'remote', 'add', 'origin', 'https://github.com/acme/jobs.git');
      runGit(work, 'remote', 'set-url', '--push', 'origin', bare);
      runGit(work, 'push', '-q', 'origin', 'main');
      runGit(work, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
      commit = runGit(work, 'rev-parse', 'HEAD');
      forge.addRepository({provider: 'github', path: 'acme/jobs', gitDir: bare, private: true});
      const add = await runBerth(
        ['token', 'add', 'github', '--api-url', forge.githubApiUrl, '--name', 'gh', '--stdin'],
        {cwd: home, env: env(), input: `${GITHUB_TOKEN}\n`},
      );
      expect(add.code, add.stderr).toBe(0);
      await ok([
        'repo',
        'register',
        'jobs',
        '--type',
        'github',
        '--owner',
        'acme',
        '--repository',
        'jobs',
        '--host',
        'github.com',
        '--api-url',
        forge.githubApiUrl,
        '--token',
        'gh',
      ]);
      const published = await ok(
        ['publish', project, '--base-image', baseImage, '--plain', '--json'],
        240_000,
      );
      expect(published.json()).toMatchObject({mode: 'dependencies-only', status: 'published'});
    }, 300_000);

    afterAll(async () => {
      await forge?.close();
    });

    test('the token reaches the container as a Swarm secret file, created for the run and removed after it', async () => {
      const running = startBerth(['run', 'swarm-code', '--param', `hold=${hold.url}`]);
      await waitFor(() => hold.waiting() === 1, {timeoutMs: 120_000, message: 'the run to hold'});
      const during = await inspectEngineObjects([swarm.manager.host, swarm.worker.host]);
      seen.push(...during);
      const secrets = during.filter((o) => o.kind === 'secret');
      expect(secrets).toHaveLength(1);
      expect(secrets[0]!.text).toMatch(/"Name":"berth-run-[^"]+-code-input"/);
      const service = during.find((o) => o.kind === 'service')!;
      expect(service.text).toContain('BERTH_CODE_INPUT_FILE=/run/secrets/berth-code-input');
      expect(service.text).toContain('BERTH_CODE_TOKEN_STDIN=1');
      expect(objectsContaining(GITHUB_TOKEN, during)).toEqual([]);
      hold.release();
      const {code, stdout, stderr} = await running.done;
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('code from the repository, commit marker 7');
      expect(stderr).toContain(`downloading the code at ${commit.slice(0, 12)}`);
      const after = await inspectEngineObjects([swarm.manager.host, swarm.worker.host]);
      expect(after.filter((o) => o.kind === 'secret' || o.kind === 'service')).toEqual([]);
    });
  });

  test('the registry password and the repository token are in no service, task, container or secret, and no output', async () => {
    const objects = [
      ...seen,
      ...(await inspectEngineObjects([swarm.manager.host, swarm.worker.host])),
    ];
    for (const kind of ['service', 'task', 'container', 'secret'])
      expect(objects.some((o) => o.kind === kind)).toBe(true);
    for (const secret of [password, GITHUB_TOKEN]) {
      expect(objectsContaining(secret, objects)).toEqual([]);
      for (const text of outputs) expect(text).not.toContain(secret);
    }
  });
});
