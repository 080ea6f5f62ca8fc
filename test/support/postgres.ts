// A private PostgreSQL server on 127.0.0.1 for the team-store tests: a fresh cluster per call,
// run as the postgres user (the server refuses root), trust auth on loopback.
import {spawn} from 'node:child_process';
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {freePort, run, terminate, trackProcess} from './services/common.js';
import {waitFor} from './wait.js';

export type Postgres = {url: string; stop(): Promise<void>};

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0])
    throw new Error(
      'PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it.',
    );
  return path.join(root, versions[0], 'bin');
}

export async function startPostgres(): Promise<Postgres> {
  const bin = binDir();
  // Under /tmp itself: the server's socket path must stay short (107 bytes at most).
  const dir = mkdtempSync('/tmp/berth-pg-');
  chmodSync(dir, 0o755);
  const {uid, gid} = await postgresUser();
  chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const asPostgres = (command: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', command, ...args], {timeoutMs: 60_000});
  await asPostgres(path.join(bin, 'initdb'), [
    '-D',
    data,
    '--auth=trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  const port = await freePort();
  const server = spawn(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      path.join(bin, 'postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'fsync=off',
    ],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  server.unref();
  const forget = trackProcess(server.pid!, 'postgres');
  await waitFor(
    async () => {
      try {
        await run(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], {
          timeoutMs: 5_000,
        });
        return true;
      } catch {
        return false;
      }
    },
    {timeoutMs: 30_000, message: 'PostgreSQL did not start'},
  );
  await run(path.join(bin, 'createdb'), [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    'berth',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/berth`,
    async stop() {
      await terminate(server.pid!);
      forget();
      rmSync(dir, {recursive: true, force: true});
    },
  };
}

/** Rows of `sql` as printed by the real `psql` client connected to `url` (unaligned, one per line). */
export async function psql(url: string, sql: string): Promise<string[]> {
  const {stdout} = await run(
    path.join(binDir(), 'psql'),
    ['--no-psqlrc', '--tuples-only', '--no-align', '--set', 'ON_ERROR_STOP=1', '-c', sql, url],
    {timeoutMs: 30_000},
  );
  return stdout.split('\n').filter((line) => line !== '');
}

async function postgresUser(): Promise<{uid: number; gid: number}> {
  const {stdout: uid} = await run('id', ['-u', 'postgres']);
  const {stdout: gid} = await run('id', ['-g', 'postgres']);
  return {uid: Number(uid.trim()), gid: Number(gid.trim())};
}
