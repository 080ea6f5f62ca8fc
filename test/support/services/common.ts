// Shared plumbing for the test services: a fixed state directory, cross-process locks,
// child processes with bounded runs, and a record of daemons so none outlive a test run.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** Fixed per machine so engines, images and caches are reused across runs and workers. */
export const servicesRoot = process.env.BERTH_TEST_SERVICES_DIR ?? '/var/tmp/berth-test-services';
const pidsDir = path.join(servicesRoot, 'pids');

/** PATH with the sbin directories, where dockerd and friends live. */
export const servicePath = [
  ...(process.env.PATH ?? '').split(':').filter(Boolean),
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
]
  .filter((entry, index, all) => all.indexOf(entry) === index)
  .join(':');

export type RunOptions = {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
};

/** Runs a command to completion; rejects with its stderr when it fails or runs too long. */
export function run(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<{stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: {...process.env, PATH: servicePath, ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({stdout, stderr});
      else {
        const why = signal ? `was killed (${signal})` : `exited with ${code}`;
        reject(new Error(`${command} ${args.join(' ')} ${why}\n${tail(stderr || stdout)}`));
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function readTail(file: string, lines = 30): string {
  try {
    return tail(readFileSync(file, 'utf8'), lines);
  } catch {
    return '(no log)';
  }
}

/** True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Field 3 of /proc/PID/stat is the state; the name before it is in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Holds a cross-process lock (vitest runs test files in parallel processes) while `fn` runs.
 * The lock's mtime is refreshed while held, so a crashed holder frees it after `stale` ms.
 */
export async function withLock<T>(
  name: string,
  fn: () => Promise<T>,
  {timeoutMs = 120_000}: {timeoutMs?: number} = {},
): Promise<T> {
  mkdirSync(servicesRoot, {recursive: true});
  const target = path.join(servicesRoot, `${name}.lock-target`);
  const release = await lockfile.lock(target, {
    realpath: false,
    stale: 15_000,
    update: 3_000,
    retries: {retries: Math.ceil(timeoutMs / 250), factor: 1, minTimeout: 250, maxTimeout: 250},
    // The default throws from a timer and kills the worker; losing the lock only risks
    // duplicate work, which every caller re-checks anyway.
    onCompromised: () => {},
  });
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

/** A port that was free a moment ago (the caller retries if it loses the race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const ownedPids = new Set<number>();
let exitHookInstalled = false;

/**
 * Records a daemon this process started, so it is killed when this process exits, and so the
 * global teardown and .ci/run can kill it if this process dies without cleaning up.
 * Returns the function that forgets it again (after a normal stop).
 */
export function trackProcess(pid: number, kind: string): () => void {
  mkdirSync(pidsDir, {recursive: true});
  const file = path.join(pidsDir, `${kind}-${pid}`);
  writeFileSync(file, `${pid} ${process.pid}\n`);
  ownedPids.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const owned of ownedPids) {
        try {
          process.kill(owned, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
  }
  return () => {
    ownedPids.delete(pid);
    rmSync(file, {force: true});
  };
}

/** Kills tracked daemons whose owning process is gone; returns how many it killed. */
export function reapOrphans(): number {
  if (!existsSync(pidsDir)) return 0;
  let killed = 0;
  for (const name of readdirSync(pidsDir)) {
    const file = path.join(pidsDir, name);
    const [pid, owner] = readFileSync(file, 'utf8').trim().split(' ').map(Number);
    if (owner !== undefined && isAlive(owner)) continue;
    if (pid !== undefined && isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed += 1;
      } catch {
        // Exited between the check and the kill.
      }
    }
    rmSync(file, {force: true});
  }
  return killed;
}

/** Sends SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function terminate(pid: number, graceMs = 5_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited between the check and the kill.
    }
  }
}
