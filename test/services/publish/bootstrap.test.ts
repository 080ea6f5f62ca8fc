// The bootstrap of dependencies-only images, run with the real python3 against archives served
// from 127.0.0.1 (as GitHub/GitLab archive endpoints would serve them).
import {spawn} from 'node:child_process';
import {existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync} from 'node:fs';
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {gzipSync} from 'node:zlib';
import {pack as tarPack} from 'tar-stream';
import {afterEach, describe, expect, test} from 'vitest';
import {BOOTSTRAP_SCRIPT} from '../../../source/services/publish/bootstrap.js';
import {tempDir} from '../../support/cli.js';

type Entry =
  | {name: string; content: string; mode?: number}
  | {name: string; type: 'symlink'; linkname: string}
  | {name: string; type: 'directory'};

async function archive(entries: Entry[]): Promise<Buffer> {
  const pack = tarPack();
  for (const entry of entries) {
    if ('content' in entry)
      pack.entry({name: entry.name, mode: entry.mode ?? 0o644}, entry.content);
    else if (entry.type === 'symlink')
      pack.entry({name: entry.name, type: 'symlink', linkname: entry.linkname});
    else pack.entry({name: entry.name, type: 'directory', mode: 0o755});
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const ENTRY = `import json, os, sys
print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(),
                  "berth": sorted(k for k in os.environ if k.startswith("BERTH_CODE_"))}))
`;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

type Seen = {url: string; headers: IncomingHttpHeaders};

async function serve(
  handler: (
    url: string,
    respond: (status: number, headers: Record<string, string>, body?: Buffer) => void,
    socket: () => void,
  ) => void,
) {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    seen.push({url: request.url ?? '', headers: request.headers});
    handler(
      request.url ?? '',
      (status, headers, body) => {
        response.writeHead(status, headers);
        response.end(body);
      },
      () => response.socket?.destroy(),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {base: `http://127.0.0.1:${port}`, seen};
}

type Run = {code: number | null; stdout: string; stderr: string};

/** `token` goes to stdin (as `berth run` writes it) with BERTH_CODE_TOKEN_STDIN=1. */
function bootstrap(env: Record<string, string>, args: string[] = [], token?: string): Promise<Run> {
  const dir = tempDir('berth-bootstrap-');
  const script = path.join(dir, 'bootstrap.py');
  writeFileSync(script, BOOTSTRAP_SCRIPT);
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [script, ...args], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        ...env,
        ...(token !== undefined ? {BERTH_CODE_TOKEN_STDIN: '1'} : {}),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(token !== undefined ? `${token}\n` : '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout, stderr}));
  });
}

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('bootstrap script', () => {
  test('downloads the archive with the token, extracts the project folder and runs the entry point with the arguments', async () => {
    const body = await archive([
      {name: `o-r-${SHA.slice(0, 7)}/`, type: 'directory'},
      {name: `o-r-${SHA.slice(0, 7)}/README.md`, content: 'root'},
      {name: `o-r-${SHA.slice(0, 7)}/ml/rotate/main.py`, content: ENTRY},
      {name: `o-r-${SHA.slice(0, 7)}/ml/rotate/lib/util.py`, content: 'X = 1\n'},
      {name: `o-r-${SHA.slice(0, 7)}/ml/rotate/run.sh`, content: '#!/bin/sh\n', mode: 0o755},
      {name: `o-r-${SHA.slice(0, 7)}/ml/rotate/alias.py`, type: 'symlink', linkname: 'lib/util.py'},
    ]);
    const {base, seen} = await serve((_url, respond) =>
      respond(200, {'Content-Type': 'application/gzip'}, body),
    );
    const code = tempDir('berth-code-');
    const run = await bootstrap(
      {
        BERTH_CODE_ARCHIVE_URL: `${base}/repos/o/r/tarball/${SHA}?secret=1`,
        BERTH_ENTRY_POINT: 'main.py',
        BERTH_CODE_SUBDIRECTORY: 'ml/rotate',
        BERTH_CODE_COMMIT: SHA,
        BERTH_CODE_DIR: code,
      },
      ['--angle', '45'],
      'ghp_supersecret',
    );
    expect(run.stderr).not.toContain('ghp_supersecret');
    expect(run.stderr).not.toContain('secret=1');
    expect(run.stderr).toContain(
      `downloading the code at ${SHA.slice(0, 12)} from ${base}/repos/o/r/tarball/${SHA}`,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({argv: ['--angle', '45'], cwd: code, berth: []});
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toBe('Bearer ghp_supersecret');
    expect(readFileSync(path.join(code, 'lib/util.py'), 'utf8')).toBe('X = 1\n');
    expect(statSync(path.join(code, 'run.sh')).mode & 0o111).not.toBe(0);
    expect(lstatSync(path.join(code, 'alias.py')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(code, 'alias.py'))).toBe('lib/util.py');
    expect(existsSync(path.join(code, 'README.md'))).toBe(false);
  });

  test('a GitLab-style token header is sent as is; file:// archives work too', async () => {
    const body = await archive([{name: 'p-main/main.py', content: ENTRY}]);
    const {base, seen} = await serve((_url, respond) => respond(200, {}, body));
    const code = tempDir('berth-code-');
    const run = await bootstrap(
      {
        BERTH_CODE_ARCHIVE_URL: `${base}/api/v4/projects/1/repository/archive.tar.gz?sha=${SHA}`,
        BERTH_ENTRY_POINT: 'main.py',
        BERTH_CODE_TOKEN_HEADER: 'PRIVATE-TOKEN',
        BERTH_CODE_DIR: code,
      },
      [],
      'glpat-secret',
    );
    expect(run.code).toBe(0);
    expect(seen[0]?.headers['private-token']).toBe('glpat-secret');
    expect(seen[0]?.headers.authorization).toBeUndefined();

    const file = path.join(tempDir('berth-archive-'), 'code.tar.gz');
    writeFileSync(file, body);
    const local = await bootstrap({
      BERTH_CODE_ARCHIVE_URL: pathToFileURL(file).href,
      BERTH_ENTRY_POINT: 'main.py',
      BERTH_CODE_DIR: tempDir('berth-code-'),
    });
    expect(local.code).toBe(0);
  });

  test('the token is not forwarded on a redirect', async () => {
    const body = await archive([{name: 'p/main.py', content: ENTRY}]);
    const target = await serve((_url, respond) => respond(200, {}, body));
    const origin = await serve((_url, respond) =>
      respond(302, {Location: `${target.base}/codeload`}),
    );
    const run = await bootstrap(
      {
        BERTH_CODE_ARCHIVE_URL: `${origin.base}/tarball`,
        BERTH_ENTRY_POINT: 'main.py',
        BERTH_CODE_DIR: tempDir('berth-code-'),
      },
      [],
      'ghp_supersecret',
    );
    expect(run.code).toBe(0);
    expect(origin.seen[0]?.headers.authorization).toBe('Bearer ghp_supersecret');
    expect(target.seen[0]?.headers.authorization).toBeUndefined();
  });

  test.each<[string, Entry[], RegExp]>([
    [
      'an entry escaping with ..',
      [
        {name: 'p/main.py', content: ENTRY},
        {name: 'p/../../evil.py', content: 'x'},
      ],
      /entry outside its folder/,
    ],
    [
      'an absolute entry',
      [
        {name: 'p/main.py', content: ENTRY},
        {name: '/tmp/evil.py', content: 'x'},
      ],
      /entry outside its folder/,
    ],
    [
      'a symlink pointing out',
      [
        {name: 'p/main.py', content: ENTRY},
        {name: 'p/link', type: 'symlink', linkname: '../../etc/passwd'},
      ],
      /link pointing outside/,
    ],
    [
      'an absolute symlink',
      [
        {name: 'p/main.py', content: ENTRY},
        {name: 'p/link', type: 'symlink', linkname: '/etc/passwd'},
      ],
      /link pointing outside/,
    ],
    [
      'a missing entry point',
      [{name: 'p/other.py', content: ENTRY}],
      /the entry point main\.py is not in the downloaded code/,
    ],
  ])('refuses %s (exit 70, nothing run)', async (_name, entries, message) => {
    const file = path.join(tempDir('berth-archive-'), 'code.tar.gz');
    writeFileSync(file, await archive(entries));
    const run = await bootstrap({
      BERTH_CODE_ARCHIVE_URL: pathToFileURL(file).href,
      BERTH_ENTRY_POINT: 'main.py',
      BERTH_CODE_DIR: path.join(tempDir('berth-code-'), 'module'),
    });
    expect(run.code).toBe(70);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  test('a download cut short is an error, not a partial tree', async () => {
    const body = await archive([{name: 'p/main.py', content: ENTRY}]);
    const {base} = await serve((_url, respond, destroy) => {
      respond(200, {'Content-Length': String(body.length + 1000)}, undefined);
      destroy();
    });
    const run = await bootstrap({
      BERTH_CODE_ARCHIVE_URL: `${base}/tarball`,
      BERTH_ENTRY_POINT: 'main.py',
      BERTH_CODE_DIR: tempDir('berth-code-'),
    });
    expect(run.code).toBe(70);
    expect(run.stderr).toMatch(/could not download the code|cut short|damaged or incomplete/);
  });

  test('an HTTP error names the status, never the token', async () => {
    const {base} = await serve((_url, respond) => respond(404, {}, Buffer.from('Not Found')));
    const run = await bootstrap(
      {
        BERTH_CODE_ARCHIVE_URL: `${base}/tarball`,
        BERTH_ENTRY_POINT: 'main.py',
        BERTH_CODE_DIR: tempDir('berth-code-'),
      },
      [],
      'ghp_supersecret',
    );
    expect(run.code).toBe(70);
    expect(run.stderr).toContain(`could not download the code from ${base}/tarball (HTTP 404)`);
    expect(run.stderr).not.toContain('ghp_supersecret');
  });

  test('a token is taken from stdin only: the entry point reads nothing of it, an env variable is ignored', async () => {
    const reader = `import sys\nprint(repr(sys.stdin.read()))\n`;
    const body = await archive([{name: 'p/main.py', content: reader}]);
    const {base, seen} = await serve((_url, respond) => respond(200, {}, body));
    const run = await bootstrap(
      {
        BERTH_CODE_ARCHIVE_URL: `${base}/tarball`,
        BERTH_ENTRY_POINT: 'main.py',
        BERTH_CODE_DIR: tempDir('berth-code-'),
      },
      [],
      'ghp_fromstdin',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe("''");
    expect(seen[0]?.headers.authorization).toBe('Bearer ghp_fromstdin');

    const viaEnv = await bootstrap({
      BERTH_CODE_ARCHIVE_URL: `${base}/tarball`,
      BERTH_ENTRY_POINT: 'main.py',
      BERTH_CODE_TOKEN: 'ghp_inenvironment',
      BERTH_CODE_DIR: tempDir('berth-code-'),
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(seen[1]?.headers.authorization).toBeUndefined();
  });

  test('without the environment it says what to set', async () => {
    const run = await bootstrap({});
    expect(run.code).toBe(70);
    expect(run.stderr).toContain('set BERTH_CODE_ARCHIVE_URL and BERTH_ENTRY_POINT');
  });
});
