// A Docker Swarm manager behind a small interface (dockerode underneath): one-off jobs as
// `replicated-job` services, their tasks, their logs, the nodes, and secrets. Short calls are
// bounded by a timeout; an unreachable manager is one message naming the host.
import {PassThrough} from 'node:stream';
import Docker from 'dockerode';
import {UserError} from '../lib/errors.js';
import {parseDockerHost, unreachableEngine, type RegistryAuthConfig} from './docker.js';

export type SwarmNode = {
  id: string;
  hostname: string;
  /** `ready`, `down`, `disconnected`, `unknown`. */
  state: string;
  /** `active`, `pause`, `drain`. */
  availability: string;
  role: string;
  cpus: number;
};

/** Swarm's task states, in order; the last five are final. */
export type SwarmTaskState =
  | 'new'
  | 'pending'
  | 'assigned'
  | 'accepted'
  | 'preparing'
  | 'ready'
  | 'starting'
  | 'running'
  | 'complete'
  | 'failed'
  | 'shutdown'
  | 'rejected'
  | 'orphaned'
  | 'remove';

export const finalTaskStates: ReadonlySet<string> = new Set([
  'complete',
  'failed',
  'shutdown',
  'rejected',
  'orphaned',
  'remove',
]);

export type SwarmTask = {
  id: string;
  nodeId: string | null;
  state: SwarmTaskState;
  message: string;
  error: string | null;
  exitCode: number | null;
};

export type SwarmSecretMount = {id: string; name: string; file: string};

export type SwarmJob = {
  name: string;
  image: string;
  args: string[];
  env: string[];
  labels: Record<string, string>;
  secrets?: SwarmSecretMount[];
  /** Forwarded as X-Registry-Auth, as `docker service create --with-registry-auth` does. */
  auth?: RegistryAuthConfig;
};

export type LogFollower = {
  /** Ends the stream; resolves once it has closed. */
  stop(): Promise<void>;
  /** Bytes received so far on stdout and stderr. */
  readonly received: {stdout: number; stderr: number};
};

export interface SwarmClient {
  readonly host: string;
  /** The engine's CPUs (any engine, in a swarm or not). */
  cpus(): Promise<number>;
  /** Fails with a clear message unless the engine answers and is a swarm manager. */
  checkManager(): Promise<void>;
  nodes(): Promise<SwarmNode[]>;
  node(id: string): Promise<SwarmNode | undefined>;
  createSecret(name: string, data: string, labels: Record<string, string>): Promise<string>;
  removeSecret(id: string): Promise<void>;
  createJob(job: SwarmJob): Promise<string>;
  /**
   * Stops a job's running task without removing the service: Docker 20.10 leaves the task of a
   * removed replicated-job service running on its node, for good. A new job iteration that no
   * node can take makes the node shut the old task down (SIGTERM, then SIGKILL after the grace).
   */
  stopJob(id: string): Promise<void>;
  removeService(id: string): Promise<void>;
  tasks(serviceId: string): Promise<SwarmTask[]>;
  followLogs(
    serviceId: string,
    handlers: {onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void},
  ): Promise<LogFollower>;
  /** The whole (finished) log of a service, split into stdout and stderr. */
  logs(serviceId: string): Promise<{stdout: Buffer; stderr: Buffer}>;
}

const shortCallTimeoutMs = 15_000;

function statusCode(error: unknown): number | undefined {
  return (error as {statusCode?: number} | undefined)?.statusCode;
}

function isUnreachable(error: unknown): boolean {
  const code = (error as {code?: string} | undefined)?.code;
  return ['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'EPIPE'].includes(
    code ?? '',
  );
}

/** Splits a non-TTY log (8-byte frame headers: stream id, 0, 0, 0, size big-endian). */
export function demuxLog(logs: Buffer): {stdout: Buffer; stderr: Buffer} {
  const parts: Record<number, Buffer[]> = {1: [], 2: []};
  let offset = 0;
  while (offset + 8 <= logs.length) {
    const kind = logs[offset] === 2 ? 2 : 1;
    const size = logs.readUInt32BE(offset + 4);
    parts[kind]!.push(logs.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return {stdout: Buffer.concat(parts[1]!), stderr: Buffer.concat(parts[2]!)};
}

type RawNode = {
  ID?: string;
  Description?: {Hostname?: string; Resources?: {NanoCPUs?: number}};
  Status?: {State?: string};
  Spec?: {Availability?: string; Role?: string};
};

function nodeOf(raw: RawNode): SwarmNode {
  return {
    id: raw.ID ?? '',
    hostname: raw.Description?.Hostname ?? '',
    state: raw.Status?.State ?? 'unknown',
    availability: raw.Spec?.Availability ?? 'active',
    role: raw.Spec?.Role ?? 'worker',
    cpus: Math.max(1, Math.round((raw.Description?.Resources?.NanoCPUs ?? 1e9) / 1e9)),
  };
}

type RawTask = {
  ID?: string;
  NodeID?: string;
  Status?: {
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: {ExitCode?: number};
  };
};

function taskOf(raw: RawTask): SwarmTask {
  const state = (raw.Status?.State ?? 'new') as SwarmTaskState;
  const exitCode = raw.Status?.ContainerStatus?.ExitCode;
  return {
    id: raw.ID ?? '',
    nodeId: raw.NodeID || null,
    state,
    message: raw.Status?.Message ?? '',
    error: raw.Status?.Err || null,
    exitCode: finalTaskStates.has(state) && typeof exitCode === 'number' ? exitCode : null,
  };
}

export function createSwarmClient(hostValue?: string): SwarmClient {
  const parsed = parseDockerHost(hostValue);
  const host = parsed.display;
  const docker = new Docker(parsed.options);

  async function call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(shortCallTimeoutMs);
    try {
      return await work(signal);
    } catch (error) {
      if (isUnreachable(error) || signal.aborted) throw unreachableEngine(host, error);
      throw error;
    }
  }

  return {
    host,
    async cpus() {
      const info = (await call((abortSignal) =>
        (docker.info as (options: object) => Promise<unknown>)({abortSignal}),
      )) as {NCPU?: number};
      return Math.max(1, info.NCPU ?? 1);
    },
    async checkManager() {
      const info = (await call((abortSignal) =>
        (docker.info as (options: object) => Promise<unknown>)({abortSignal}),
      )) as {Swarm?: {LocalNodeState?: string; ControlAvailable?: boolean}};
      const state = info.Swarm?.LocalNodeState ?? 'inactive';
      if (state !== 'active' || !info.Swarm?.ControlAvailable) {
        throw new UserError(
          state === 'active'
            ? `The Docker engine at ${host} is a swarm worker, not a manager.`
            : `The Docker engine at ${host} is not part of a swarm (${state}).`,
          {
            hint: (_f, act) =>
              `Point the orchestrator at a manager (or run \`docker swarm init\` there): ${act({kind: 'component.register', type: 'orchestrator', flavor: 'swarm', options: {host: 'unix:///path/to/manager.sock'}})}.`,
          },
        );
      }
    },
    async nodes() {
      const list = await call((abortSignal) =>
        (docker.listNodes as (options: object) => Promise<RawNode[]>)({abortSignal}),
      );
      return list.map(nodeOf);
    },
    async node(id) {
      try {
        const info = await call((abortSignal) =>
          (docker.getNode(id).inspect as (options: object) => Promise<RawNode>).call(
            docker.getNode(id),
            {abortSignal},
          ),
        );
        return nodeOf(info);
      } catch (error) {
        if (statusCode(error) === 404) return undefined;
        throw error;
      }
    },
    async createSecret(name, data, labels) {
      const secret = await call(() =>
        docker.createSecret({
          Name: name,
          Labels: labels,
          Data: Buffer.from(data).toString('base64'),
        }),
      );
      return (secret as unknown as {id: string}).id;
    },
    async removeSecret(id) {
      try {
        await call(() => docker.getSecret(id).remove());
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
      }
    },
    async createJob(job) {
      const spec = {
        Name: job.name,
        Labels: job.labels,
        TaskTemplate: {
          ContainerSpec: {
            Image: job.image,
            Args: job.args,
            Env: job.env,
            Labels: job.labels,
            // docker-init as PID 1: removing the service (a cancelled run) SIGTERMs the program
            // with its default action instead of waiting out the 10 s grace before SIGKILL.
            Init: true,
            ...(job.secrets?.length
              ? {
                  Secrets: job.secrets.map((secret) => ({
                    SecretID: secret.id,
                    SecretName: secret.name,
                    File: {Name: secret.file, UID: '0', GID: '0', Mode: 0o400},
                  })),
                }
              : {}),
          },
          // The engines berth targets may have no bridge: host works on every node.
          Networks: [{Target: 'host'}],
          RestartPolicy: {Condition: 'none', MaxAttempts: 0},
        },
        Mode: {ReplicatedJob: {MaxConcurrent: 1, TotalCompletions: 1}},
      };
      const service = await call(
        () =>
          (
            docker.createService as (
              auth: RegistryAuthConfig | undefined,
              options: object,
            ) => Promise<Docker.Service>
          )(job.auth, spec) as Promise<Docker.Service>,
      );
      return service.id;
    },
    async stopJob(id) {
      const service = docker.getService(id);
      try {
        const current = (await call(() => service.inspect())) as {
          Version: {Index: number};
          Spec: {TaskTemplate: {ForceUpdate?: number; Placement?: object}};
        };
        const {TaskTemplate} = current.Spec;
        await call(() =>
          service.update({
            version: current.Version.Index,
            ...current.Spec,
            TaskTemplate: {
              ...TaskTemplate,
              Placement: {Constraints: ['node.labels.berth-stopped==true']},
              ForceUpdate: (TaskTemplate.ForceUpdate ?? 0) + 1,
            },
          }),
        );
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
      }
    },
    async removeService(id) {
      try {
        await call(() => docker.getService(id).remove());
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
      }
    },
    async tasks(serviceId) {
      const list = await call((abortSignal) =>
        (docker.listTasks as (options: object) => Promise<RawTask[]>)({
          filters: JSON.stringify({service: [serviceId]}),
          abortSignal,
        }),
      );
      return list.map(taskOf);
    },
    async followLogs(serviceId, handlers) {
      const received = {stdout: 0, stderr: 0};
      const stream = (await call(() =>
        docker.getService(serviceId).logs({follow: true, stdout: true, stderr: true}),
      )) as unknown as NodeJS.ReadableStream & {destroy(): void};
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.on('data', (chunk: Buffer) => {
        received.stdout += chunk.length;
        handlers.onStdout?.(chunk);
      });
      stderr.on('data', (chunk: Buffer) => {
        received.stderr += chunk.length;
        handlers.onStderr?.(chunk);
      });
      docker.modem.demuxStream(stream, stdout, stderr);
      const closed = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      return {
        received,
        async stop() {
          stream.destroy();
          await closed;
        },
      };
    },
    async logs(serviceId) {
      const raw = (await call(() =>
        docker.getService(serviceId).logs({follow: false, stdout: true, stderr: true}),
      )) as unknown as Buffer;
      return demuxLog(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    },
  };
}
