import {spawn} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {missingBusEnv, startBusWithoutSecretService, startKeychain} from './services.js';
import type {SessionBus} from './services.js';
import {isAlive} from './services/common.js';
import {cleanEnv, nodeBinary, repoRoot} from './cli.js';

/** Runs keyring calls in a fresh Node process with `env`, the way berth itself would. */
function keyring(
  env: Record<string, string>,
  script: string,
): Promise<{code: number; output: string}> {
  const program = `
    import {Entry} from '@napi-rs/keyring';
    const entry = (user) => new Entry('berth-test', user, {linux: {store: 'secret-service'}});
    try { ${script} } catch (error) { console.log('ERROR ' + error.message); process.exitCode = 3; }
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary, ['--input-type=module', '-e', program], {
      cwd: repoRoot,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code: code ?? -1, output});
    });
  });
}

/** The dbus-daemon and gnome-keyring-daemon processes serving the bus at `address`. */
function pidsOf(address: string): number[] {
  const dir = path.dirname(address.slice('unix:path='.length).split(',')[0]!);
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return (
          /^(dbus-daemon|gnome-keyring-daemon)/.test(path.basename(cmdline.split('\0')[0] ?? '')) &&
          environ.includes(`HOME=${dir}\0`)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('private keychain', () => {
  const started: SessionBus[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((bus) => bus.stop()));
  });

  test('stores and reads a secret through @napi-rs/keyring pinned to the Secret Service', async () => {
    const keychain = await startKeychain();
    started.push(keychain);
    expect(keychain.env.DBUS_SESSION_BUS_ADDRESS).toMatch(/^unix:path=/);
    const stored = await keyring(
      keychain.env,
      `entry('alice').setPassword('s3cret-value'); console.log('READ ' + entry('alice').getPassword());`,
    );
    expect(stored).toEqual({code: 0, output: 'READ s3cret-value\n'});
    const search = await keychain.search('berth-test');
    expect(search).toContain('secret = s3cret-value');
    expect(search).toContain('attribute.username = alice');
  });

  test('each keychain is its own: a secret in one is absent from another', async () => {
    const first = await startKeychain();
    const second = await startKeychain();
    started.push(first, second);
    await keyring(first.env, `entry('bob').setPassword('only-in-first');`);
    const fromSecond = await keyring(
      second.env,
      `console.log('READ ' + entry('bob').getPassword());`,
    );
    // @napi-rs/keyring 2.1.2 reports a missing entry as null, not as an error.
    expect(fromSecond).toEqual({code: 0, output: 'READ null\n'});
    expect(await second.search('berth-test')).not.toContain('only-in-first');
    expect(await first.search('berth-test')).toContain('only-in-first');
  });

  test('a bus without a Secret Service makes the pinned store fail instead of falling back', async () => {
    const bus = await startBusWithoutSecretService();
    started.push(bus);
    const result = await keyring(
      bus.env,
      `entry('carol').setPassword('x'); console.log('STORED');`,
    );
    expect(result.code).toBe(3);
    expect(result.output).toMatch(/^ERROR .*org\.freedesktop\.secrets was not provided/);
  });

  test('no session bus at all is an error too', async () => {
    const result = await keyring(
      missingBusEnv(),
      `entry('dave').setPassword('x'); console.log('STORED');`,
    );
    expect(result.code).toBe(3);
    expect(result.output).toMatch(/^ERROR /);
    expect(result.output).not.toContain('STORED');
  });

  test('stop() ends the bus and the keyring daemon', async () => {
    const keychain = await startKeychain();
    const pids = pidsOf(keychain.env.DBUS_SESSION_BUS_ADDRESS!);
    expect(pids).toHaveLength(2);
    expect(pids.every(isAlive)).toBe(true);
    await keychain.stop();
    expect(pids.some(isAlive)).toBe(false);
    const result = await keyring(
      keychain.env,
      `entry('erin').setPassword('x'); console.log('STORED');`,
    );
    expect(result.code).toBe(3);
  });
});
