// Leak checks for secrets: files under directories, process arguments while a command runs.
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {runBerth, type RunOptions, type RunResult} from './cli.js';

/** Files (recursively) under `dirs` whose bytes contain `secret`. */
export function filesContaining(secret: string, dirs: string[]): string[] {
  const needle = Buffer.from(secret);
  const found: string[] = [];
  const visit = (entry: string) => {
    let stat;
    try {
      stat = statSync(entry);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const child of readdirSync(entry)) visit(path.join(entry, child));
    } else if (stat.isFile() && readFileSync(entry).includes(needle)) {
      found.push(entry);
    }
  };
  for (const dir of dirs) visit(dir);
  return found;
}

/** Command lines of running processes that contain `secret`. */
export function processArgumentsContaining(secret: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(secret)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * Runs berth while scanning every process's arguments for `secret` (each scan takes a few ms,
 * so the berth process and the keychain helper it spawns are seen many times).
 */
export async function runBerthWatchingArguments(
  secret: string,
  args: string[],
  options: RunOptions,
): Promise<RunResult & {leakedArguments: string[]; scans: number}> {
  const leaked = new Set<string>();
  let running = true;
  let scans = 0;
  const watcher = (async () => {
    while (running) {
      for (const line of processArgumentsContaining(secret)) leaked.add(line);
      scans += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  try {
    const result = await runBerth(args, options);
    return {...result, leakedArguments: [...leaked], scans};
  } finally {
    running = false;
    await watcher;
  }
}

export type EngineObject = {
  kind: 'service' | 'task' | 'container' | 'secret';
  id: string;
  text: string;
};

/**
 * What `docker inspect` shows of every service, task, container (running or not) and secret on
 * the engines at `hosts` (`unix://…`). Engines outside a swarm simply have no services.
 */
export async function inspectEngineObjects(hosts: string[]): Promise<EngineObject[]> {
  const {default: Docker} = await import('dockerode');
  const objects: EngineObject[] = [];
  const inSwarm = async <T>(list: () => Promise<T[]>): Promise<T[]> =>
    list().catch((error: {statusCode?: number}) => {
      if (error.statusCode === 503) return [];
      throw error;
    });
  /** Adds what inspect says of one object; one removed since it was listed (a swarm task of a
   *  deleted service goes a moment later) holds nothing any more, and is left out. */
  const add = async (kind: EngineObject['kind'], id: string, inspect: () => Promise<unknown>) => {
    try {
      objects.push({kind, id, text: JSON.stringify(await inspect())});
    } catch (error) {
      if ((error as {statusCode?: number}).statusCode !== 404) throw error;
    }
  };
  for (const host of hosts) {
    const docker = new Docker({socketPath: host.slice('unix://'.length)});
    for (const service of await inSwarm(() => docker.listServices()))
      await add('service', service.ID, () => docker.getService(service.ID).inspect());
    for (const task of await inSwarm(() => docker.listTasks())) {
      const id = (task as {ID: string}).ID;
      await add('task', id, () => docker.getTask(id).inspect());
    }
    for (const secret of await inSwarm(() => docker.listSecrets()))
      await add('secret', secret.ID, () => docker.getSecret(secret.ID).inspect());
    for (const container of await docker.listContainers({all: true}))
      await add('container', container.Id, () => docker.getContainer(container.Id).inspect());
  }
  return objects;
}

/** The engine objects (see inspectEngineObjects) whose inspect output contains `secret`. */
export function objectsContaining(secret: string, objects: EngineObject[]): string[] {
  return objects.filter((o) => o.text.includes(secret)).map((o) => `${o.kind} ${o.id}`);
}
