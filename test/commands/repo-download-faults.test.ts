// `berth repo download` under signals and refusals: SIGINT/SIGTERM mid-download remove the
// partial directory and exit 130/143 without a Node trace; a target that can't take the tree
// is refused before anything is requested; a refusal never reads as a success.
import {spawn} from 'node:child_process';
import {chmodSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {gzipSync} from 'node:zlib';
import tar from 'tar-stream';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, nodeBinary, tempDir} from '../support/cli.js';
import {waitFor} from '../support/wait.js';
import {
  downloadRepo,
  makeSourceRepository,
  registerGithub,
  startRepoWorld,
  tokens,
  type RepoWorld,
} from './repo-fixture.js';

let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;
let sha: string;
let outside: string;
let stalled: PassThrough | undefined;

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  const source = path.join(tempDir('berth-download-source-'), 'models');
  ({sha} = makeSourceRepository(source));
  world.forge.addRepository({provider: 'github', path: 'acme/models', gitDir: source});
});
afterAll(async () => stop?.());
afterEach(() => {
  stalled?.end();
  world.forge.archiveOverride(undefined);
});
beforeEach(async () => {
  fresh();
  outside = tempDir('berth-download-out-');
  await world.addToken('gh', 'github', tokens.github.token);
  const gh = await registerGithub(world, 'models', {owner: 'acme', repository: 'models'});
  expect(gh.code, gh.stderr).toBe(0);
  world.forge.reset();
});

/** Half of a large archive, then nothing more until the test ends. */
async function serveStalledArchive(): Promise<void> {
  const pack = tar.pack();
  for (let i = 0; i < 400; i++)
    pack.entry({name: `models/f${i}.bin`}, Buffer.alloc(16_384, i % 251));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const gz = gzipSync(Buffer.concat(chunks), {level: 0});
  world.forge.archiveOverride(() => {
    stalled = new PassThrough();
    stalled.write(gz.subarray(0, Math.floor(gz.length / 2)));
    return stalled;
  });
}

describe('repo download interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s removes the partial directory and exits %i without a trace',
    async (signal, code) => {
      await serveStalledArchive();
      const target = path.join(outside, 'target');
      const child = spawn(
        nodeBinary,
        [cliPath, 'repo', 'download', 'models', '--commit', sha, '--dir', target],
        {
          cwd: world.project,
          env: cleanEnv({BERTH_CONFIG_DIR: world.configDir, ...world.keychain.env}),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Extraction has started: the partial directory is there.
      await waitFor(() => readdirSync(outside).some((name) => name.includes('.partial-')), {
        timeoutMs: 30_000,
        message: 'the partial directory',
      });
      child.kill(signal);
      expect(await exited, stderr).toBe(code);
      expect(stderr).not.toMatch(/Unhandled 'error' event|berth hit a bug|at .*\.js:\d+/);
      expect(stderr).toContain(`nothing was written to ${target}`);
      expect(readdirSync(outside)).toEqual([]);
    },
    60_000,
  );
});

describe('repo download refuses a target before requesting anything', () => {
  it.each([
    ['a file', (dir: string) => writeFileSync(dir, 'x'), /is not a directory/],
    [
      'a directory with files',
      (dir: string) => {
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'keep.txt'), 'mine');
      },
      /is not empty/,
    ],
    ['a path under a file', (dir: string) => writeFileSync(path.dirname(dir), 'x'), /is a file/],
    [
      'a read-only directory',
      (dir: string) => {
        mkdirSync(path.dirname(dir));
        chmodSync(path.dirname(dir), 0o555);
      },
      // root may write anyway (then nothing to refuse); see below.
      /permission denied|read-only/,
    ],
  ])('%s', async (_what, prepare, message) => {
    const target = path.join(outside, 'sub', 'target');
    mkdirSync(path.join(outside, 'sub'), {recursive: true});
    if (_what === 'a path under a file' || _what === 'a read-only directory')
      (await import('node:fs')).rmSync(path.join(outside, 'sub'), {recursive: true});
    prepare(target);
    const result = await downloadRepo(world, 'models', sha, target);
    if (_what === 'a read-only directory' && process.getuid?.() === 0) {
      // root writes through a 0555 directory: the download goes ahead, and that is right.
      expect(result.code, result.stderr).toBe(0);
      return;
    }
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('extracted safely');
    expect(result.stderr).not.toContain('Downloaded');
    expect(world.forge.requests.filter((r) => /tarball|archive/.test(r.path))).toEqual([]);
  });
});
