// Private, isolated OS keychains: a D-Bus session bus of our own with gnome-keyring's Secret
// Service on it, its keyring files in a temp dir. Each call gives a new, empty keychain.
import {mkdirSync, writeFileSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import path from 'node:path';
import {tempDir} from '../cli.js';
import {waitFor} from '../wait.js';
import {run, terminate, trackProcess} from './common.js';

export type SessionBus = {
  /** What a process needs to use this bus: DBUS_SESSION_BUS_ADDRESS. */
  env: Record<string, string>;
  stop(): Promise<void>;
};

export type Keychain = SessionBus & {
  /** `secret-tool search --all service SERVICE` (stdout and stderr: attributes go to stderr). */
  search(service: string): Promise<string>;
};

/** The keyring's unlock password: test-only, it protects an empty throwaway keyring. */
const keyringPassword = 'berth-test-keyring';

function privateDirs(dir: string): Record<string, string> {
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, {recursive: true, mode: 0o700});
  return {
    HOME: dir,
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    XDG_RUNTIME_DIR: runtime,
  };
}

/**
 * The stock session config lists /usr/share/dbus-1/services, where gnome-keyring registers
 * org.freedesktop.secrets for activation: any client would then start a keyring of its own
 * (locked, in the real HOME). This config has no service directories, so only what a test
 * starts is on the bus.
 */
function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

async function startBus(dir: string): Promise<{address: string; pid: number; untrack: () => void}> {
  const config = path.join(dir, 'bus.conf');
  writeFileSync(config, busConfig(path.join(dir, 'bus')));
  const {stdout} = await run(
    'dbus-daemon',
    [`--config-file=${config}`, '--fork', '--nopidfile', '--print-address=1', '--print-pid=1'],
    {env: privateDirs(dir), timeoutMs: 10_000},
  );
  const [address, pidText] = stdout.trim().split('\n');
  const pid = Number(pidText);
  if (!address || !Number.isInteger(pid)) throw new Error(`dbus-daemon printed: ${stdout}`);
  return {address, pid, untrack: trackProcess(pid, 'dbus')};
}

function busEnv(address: string): Record<string, string> {
  return {DBUS_SESSION_BUS_ADDRESS: address};
}

/** A session bus with nothing providing org.freedesktop.secrets on it. */
export async function startBusWithoutSecretService(): Promise<SessionBus> {
  const dir = tempDir('berth-bus-');
  const bus = await startBus(dir);
  return {
    env: busEnv(bus.address),
    async stop() {
      await terminate(bus.pid);
      bus.untrack();
      await rm(dir, {recursive: true, force: true});
    },
  };
}

/** An environment where no session bus can be reached at all. */
export function missingBusEnv(): Record<string, string> {
  return {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/berth-test-bus'};
}

export async function startKeychain(): Promise<Keychain> {
  const dir = tempDir('berth-keychain-');
  const bus = await startBus(dir);
  const env = {...privateDirs(dir), ...busEnv(bus.address)};
  let keyringPid: number | undefined;
  let untrackKeyring = () => {};
  try {
    await run('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
      env,
      input: keyringPassword,
      timeoutMs: 10_000,
    });
    // The daemon forks before it claims its bus name; wait for the name and learn its pid.
    keyringPid = await waitFor(
      async () => {
        const {stdout} = await run(
          'dbus-send',
          [
            '--session',
            '--print-reply',
            '--dest=org.freedesktop.DBus',
            '/org/freedesktop/DBus',
            'org.freedesktop.DBus.GetConnectionUnixProcessID',
            'string:org.freedesktop.secrets',
          ],
          {env, timeoutMs: 5_000},
        );
        const match = /uint32 (\d+)/.exec(stdout);
        return match ? Number(match[1]) : undefined;
      },
      {
        timeoutMs: 10_000,
        intervalMs: 20,
        message: 'gnome-keyring to provide org.freedesktop.secrets',
      },
    );
    untrackKeyring = trackProcess(keyringPid, 'gnome-keyring');
  } catch (error) {
    await terminate(bus.pid);
    bus.untrack();
    await rm(dir, {recursive: true, force: true});
    throw error;
  }
  return {
    env: busEnv(bus.address),
    async search(service) {
      const {stdout, stderr} = await run('secret-tool', ['search', '--all', 'service', service], {
        env,
        timeoutMs: 10_000,
      });
      return stdout + stderr;
    },
    async stop() {
      if (keyringPid !== undefined) await terminate(keyringPid);
      untrackKeyring();
      await terminate(bus.pid);
      bus.untrack();
      await rm(dir, {recursive: true, force: true});
    },
  };
}
