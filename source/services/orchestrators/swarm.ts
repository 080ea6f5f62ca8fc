// The `swarm` orchestrator: a run becomes a one-off `replicated-job` service on a Docker Swarm.
// The manager picks a node; that node pulls the image with the registry login forwarded the way
// `docker service create --with-registry-auth` does (X-Registry-Auth on the create request). A
// dependencies-only image gets the repository token (and a snapshot's fetch details) as a Swarm
// secret, a file under /run/secrets created for this run and removed after it: Swarm has no stdin, and env, args
// and labels all show in `docker inspect`. The log streams live from the service; the state
// comes from the task; a node that stops answering fails the run with that reason; cancelling
// stops the task (the program gets SIGTERM through the container's init), then removes the
// service. The service and the secret are removed whatever happens.
import {setTimeout as delay} from 'node:timers/promises';
import {
  createSwarmClient,
  finalTaskStates,
  type SwarmClient,
  type SwarmTask,
} from '../../clients/swarm.js';
import type {Deps} from '../../deps.js';
import {CancelledError, ExitCode, FieldError, UserError} from '../../lib/errors.js';
import type {Component} from '../../models/stack.js';
import {getComponent} from '../components.js';
import type {ActiveContext} from '../context.js';
import type {ModuleView} from '../modules.js';
import {pullAuthFor} from './pull-auth.js';

export type SwarmRunOptions = {
  signal?: AbortSignal;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  onInfo?: (line: string) => void;
  /** The node the manager placed the run on, once known. */
  onNode?: (node: string) => void;
};

/** The secret file under /run/secrets that stands in for the container's stdin. */
export const codeInputFile = 'berth-code-input';
/** Docker refuses secrets larger than this. */
const maxSecretBytes = 500 * 1024;
const pollMs = 400;

/** The manager's endpoint: the orchestrator's `host` option, else the image builder's engine. */
export async function swarmHostOf(
  deps: Deps,
  context: ActiveContext,
  orchestrator: Component,
  components: {image_builder?: string},
): Promise<string> {
  if (orchestrator.options.host) return orchestrator.options.host;
  const builder = components.image_builder
    ? await getComponent(deps, context, 'image_builder', components.image_builder)
    : undefined;
  const {engineHostOf} = await import('../publish/publish.js');
  return engineHostOf(deps, builder);
}

/** How many runs the swarm takes at once: the CPUs of its ready, active nodes. */
export async function swarmCapacity(host: string): Promise<number> {
  const client = createSwarmClient(host);
  await client.checkManager();
  const nodes = await client.nodes();
  return Math.max(
    1,
    nodes
      .filter((node) => node.state === 'ready' && node.availability === 'active')
      .reduce((sum, node) => sum + node.cpus, 0),
  );
}

export async function runInSwarm(
  deps: Deps,
  context: ActiveContext,
  input: {
    runId: string;
    module: ModuleView;
    args: string[];
    orchestrator: Component;
    components: {image_builder?: string; container_registry?: string};
  },
  options: SwarmRunOptions = {},
): Promise<{exitCode: number}> {
  const {module, runId} = input;
  if (!module.registry || !module.image) {
    throw new FieldError(
      'flavor',
      `${module.slug} version ${module.version} was not pushed to a registry: swarm nodes cannot pull it.`,
      {
        hint: (f) =>
          `Publish it with a stack whose container registry every node reaches (\`${f('flavor')} oci\`).`,
        exitCode: ExitCode.failure,
      },
    );
  }
  const host = await swarmHostOf(deps, context, input.orchestrator, input.components);
  const client = createSwarmClient(host);
  await client.checkManager();
  const auth = await pullAuthFor(deps, context, input.components, module.image);
  let env: string[] = [];
  let secretInput: string | null = null;
  if (module.mode === 'dependencies-only') {
    const {codeDownloadOf} = await import('../runs.js');
    const code = await codeDownloadOf(deps, context, module);
    const snapshot = module.codeReference!.snapshot;
    options.onInfo?.(
      `Code: ${code.where} at ${module.codeReference!.commit.slice(0, 12)}${snapshot ? ` + snapshot ${snapshot.slice(0, 19)}` : ''}`,
    );
    if (code.account) {
      const {describeAccount} = await import('../accounts.js');
      options.onInfo?.(describeAccount(code.account));
    }
    // What the docker orchestrator writes to stdin (the token, a snapshot's credentials or the
    // snapshot itself) becomes a secret file: a service has no stdin.
    secretInput = code.stdin;
    env = secretInput
      ? [...code.env, `BERTH_CODE_INPUT_FILE=/run/secrets/${codeInputFile}`]
      : code.env;
    if (secretInput && Buffer.byteLength(secretInput) > maxSecretBytes) {
      throw new UserError(
        `The code snapshot of ${module.slug} version ${module.version} is too large for a Swarm secret (${Math.round(Buffer.byteLength(secretInput) / 1024)} KiB; the limit is 500 KiB).`,
        {
          hint: 'Publish with a stack whose container registry holds snapshots, or commit and push the changes.',
        },
      );
    }
  }
  const labels = {
    'dev.berth.run': runId,
    'dev.berth.module': module.slug,
    'dev.berth.version': String(module.version),
  };
  let secretId: string | undefined;
  let serviceId: string | undefined;
  let nodeLost = false;
  let finished = false;
  try {
    if (secretInput) {
      secretId = await client.createSecret(`berth-run-${runId}-code-input`, secretInput, labels);
    }
    if (options.signal?.aborted) throw new CancelledError();
    // Pinned by digest: every node runs exactly the published image.
    const image = module.digest
      ? `${module.image.replace(/:[^:/]*$/, '')}@${module.digest}`
      : module.image;
    serviceId = await client.createJob({
      name: `berth-run-${runId}`,
      image,
      args: input.args,
      env,
      labels,
      ...(secretId
        ? {secrets: [{id: secretId, name: `berth-run-${runId}-code-input`, file: codeInputFile}]}
        : {}),
      ...(auth ? {auth} : {}),
    });
    options.onInfo?.(`Swarm job berth-run-${runId} on ${client.host}`);
    const result = await watch(client, serviceId, options);
    finished = true;
    return result;
  } catch (error) {
    if (error instanceof NodeLostError) nodeLost = true;
    throw error;
  } finally {
    // A task still running (a cancelled run, a failure while watching) is stopped first;
    // a lost node cannot confirm that, so it is not waited for.
    if (serviceId) await removeService(client, serviceId, !finished && !nodeLost);
    if (secretId) await client.removeSecret(secretId).catch(() => undefined);
  }
}

class NodeLostError extends UserError {}

/** Task states of a task a node has taken and not yet ended. */
const activeTaskStates = new Set([
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
]);

/**
 * Removes the service; with `stop`, first stops its task and waits (at most the 10 s grace and
 * a margin) until the node has ended it: removing a job service alone leaves its task running.
 */
async function removeService(client: SwarmClient, serviceId: string, stop: boolean): Promise<void> {
  if (stop) {
    await client.stopJob(serviceId).catch(() => undefined);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const tasks = await client.tasks(serviceId).catch(() => []);
      if (!tasks.some((task) => activeTaskStates.has(task.state))) break;
      await delay(pollMs);
    }
  }
  await client.removeService(serviceId).catch(() => undefined);
}

async function watch(
  client: SwarmClient,
  serviceId: string,
  options: SwarmRunOptions,
): Promise<{exitCode: number}> {
  const logs = await client.followLogs(serviceId, {
    ...(options.onStdout ? {onStdout: options.onStdout} : {}),
    ...(options.onStderr ? {onStderr: options.onStderr} : {}),
  });
  let nodeName: string | undefined;
  let task: SwarmTask | undefined;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new CancelledError();
      const tasks = await client.tasks(serviceId);
      task = tasks[0];
      if (task?.nodeId && nodeName === undefined) {
        nodeName = await nodeNameOf(client, task.nodeId);
        options.onNode?.(nodeName);
        options.onInfo?.(`Placed on node ${nodeName}`);
      }
      if (task && finalTaskStates.has(task.state)) break;
      if (task?.nodeId) {
        const node = await client.node(task.nodeId);
        if (!node || node.state === 'down') {
          throw new NodeLostError(
            `Node ${nodeName ?? task.nodeId} went down while the run was ${task.state}.`,
            {
              hint: 'Check the node (`docker node ls` on the manager), then run it again.',
            },
          );
        }
      }
      await delay(pollMs, undefined, options.signal ? {signal: options.signal} : {}).catch(
        () => undefined,
      );
    }
  } finally {
    await logs.stop();
  }
  if (!task) throw new UserError('The swarm job has no task.');
  // The live stream may lag behind a task that just ended: add what it has not delivered.
  const whole = await client.logs(serviceId).catch(() => undefined);
  if (whole) {
    const out = whole.stdout.subarray(logs.received.stdout);
    const err = whole.stderr.subarray(logs.received.stderr);
    if (out.length) options.onStdout?.(out);
    if (err.length) options.onStderr?.(err);
  }
  if (task.exitCode !== null && (task.state === 'complete' || task.state === 'failed'))
    return {exitCode: task.exitCode};
  throw new UserError(
    `The swarm did not run the job on ${nodeName ? `node ${nodeName}` : 'any node'}: ${task.error ?? task.message ?? task.state}.`,
    {
      hint: (_f, act) =>
        task.state === 'rejected'
          ? `A node that cannot pull the image says so here: check the registry login (${act({kind: 'token.list'})}) and that every node reaches the registry.`
          : 'See `docker service ps` on the manager.',
    },
  );
}

/** The node's hostname, with its id when nodes share a hostname. */
async function nodeNameOf(client: SwarmClient, nodeId: string): Promise<string> {
  const nodes = await client.nodes().catch(() => []);
  const node = nodes.find((n) => n.id === nodeId);
  if (!node?.hostname) return nodeId.slice(0, 12);
  const shared = nodes.filter((n) => n.hostname === node.hostname).length > 1;
  return shared ? `${node.hostname}/${nodeId.slice(0, 12)}` : node.hostname;
}
