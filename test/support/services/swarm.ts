// A real two-node Docker Swarm on this machine, private to the caller: two dockerd processes
// (own data-root, exec-root, socket and pidfile; no bridge, no iptables), the first initialised
// as manager on 127.0.0.1, the second joined as a worker. Never the shared test engine: other
// test files use that one concurrently. Both daemons are tracked, so a crashed test run's are
// reaped like any other (scripts/test-services.sh reap).
import {mkdirSync, mkdtempSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import {waitFor} from '../wait.js';
import {freePort, servicesRoot, terminate, trackProcess} from './common.js';
import {spawnDockerd} from './docker.js';

export type SwarmNodeProcess = {
  /** `unix://…/docker.sock` */
  host: string;
  pid: number;
  /** The swarm's id of this node. */
  id: string;
  log: string;
};

export type Swarm = {
  manager: SwarmNodeProcess;
  worker: SwarmNodeProcess;
  /** Node availability (`active`, `drain`) through the manager. */
  setAvailability(node: SwarmNodeProcess, availability: 'active' | 'drain'): Promise<void>;
  /** The manager's view of a node's state (`ready`, `down`). */
  nodeState(node: SwarmNodeProcess): Promise<string>;
  stop(): Promise<void>;
};

type Daemon = {host: string; pid: number; log: string; forget: () => void};

async function startDaemon(dir: string): Promise<Daemon> {
  mkdirSync(dir, {recursive: true});
  const child = await spawnDockerd(dir, {detached: true});
  child.unref();
  const forget = trackProcess(child.pid!, 'swarm-dockerd');
  return {
    host: `unix://${path.join(dir, 'docker.sock')}`,
    pid: child.pid!,
    log: path.join(dir, 'dockerd.log'),
    forget,
  };
}

function client(host: string): Docker {
  return new Docker({socketPath: host.slice('unix://'.length)});
}

export async function startSwarm(): Promise<Swarm> {
  const root = path.join(servicesRoot, 'swarm');
  mkdirSync(root, {recursive: true});
  // Short: the socket path must stay under the 108-byte limit.
  const dir = mkdtempSync(path.join(root, 's-'));
  const daemons: Daemon[] = [];
  const stopAll = async () => {
    for (const daemon of daemons.reverse()) {
      await client(daemon.host)
        .swarmLeave({force: true})
        .catch(() => undefined);
      // dockerd stops its containers before it exits; give it the time that takes.
      await terminate(daemon.pid, 30_000);
      daemon.forget();
    }
    await rm(dir, {recursive: true, force: true}).catch(() => undefined);
  };
  try {
    daemons.push(await startDaemon(path.join(dir, 'm')));
    daemons.push(await startDaemon(path.join(dir, 'w')));
    const [first, second] = daemons as [Daemon, Daemon];
    const manager = client(first.host);
    const worker = client(second.host);
    const managerPort = await freePort();
    const workerPort = await freePort();
    await manager.swarmInit({
      ListenAddr: `127.0.0.1:${managerPort}`,
      AdvertiseAddr: `127.0.0.1:${managerPort}`,
      // A node that stops answering is marked down after a few missed heartbeats (default 5 s each).
      Spec: {Dispatcher: {HeartbeatPeriod: 1_000_000_000}},
    });
    const swarm = (await manager.swarmInspect()) as {JoinTokens: {Worker: string}};
    await worker.swarmJoin({
      ListenAddr: `127.0.0.1:${workerPort}`,
      AdvertiseAddr: `127.0.0.1:${workerPort}`,
      RemoteAddrs: [`127.0.0.1:${managerPort}`],
      JoinToken: swarm.JoinTokens.Worker,
    });
    type Info = {Swarm: {NodeID: string}};
    const managerId = ((await manager.info()) as Info).Swarm.NodeID;
    const workerId = ((await worker.info()) as Info).Swarm.NodeID;
    const nodeState = async (id: string) => {
      const node = (await manager.getNode(id).inspect()) as {Status?: {State?: string}};
      return node.Status?.State ?? 'unknown';
    };
    await waitFor(
      async () =>
        (await nodeState(managerId)) === 'ready' && (await nodeState(workerId)) === 'ready',
      {timeoutMs: 60_000, intervalMs: 200, message: 'both swarm nodes to be ready'},
    );
    const nodes = {
      manager: {host: first.host, pid: first.pid, id: managerId, log: first.log},
      worker: {host: second.host, pid: second.pid, id: workerId, log: second.log},
    };
    return {
      ...nodes,
      async setAvailability(node, availability) {
        const current = (await manager.getNode(node.id).inspect()) as {
          Version: {Index: number};
          Spec: Record<string, unknown>;
        };
        await manager.getNode(node.id).update({
          version: current.Version.Index,
          ...current.Spec,
          Availability: availability,
        });
      },
      nodeState: (node) => nodeState(node.id),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
