// Runs the built CLI (dist/cli.js) as a user would: a real process, Node 24, its own config dir.
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, realpathSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(repoRoot, 'dist/cli.js');
/** Node 24 from node_modules (the system Node may be older). */
export const nodeBinary = process.execPath;

export type RunResult = {code: number; stdout: string; stderr: string; json<T = unknown>(): T};

export type RunOptions = {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
};

/** A fresh temp directory (realpath'd, so comparisons with process.cwd() hold). */
export function tempDir(prefix = 'berth-test-'): string {
  return realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
}

/** A new temporary folder holding `files` (POSIX paths → contents). */
export function tempProject(files: Record<string, string>, prefix = 'berth-project-'): string {
  const dir = tempDir(prefix);
  for (const [file, content] of Object.entries(files)) {
    const absolute = path.join(dir, ...file.split('/'));
    mkdirSync(path.dirname(absolute), {recursive: true});
    writeFileSync(absolute, content);
  }
  return dir;
}

/** Environment with nothing of the developer's own berth, git or token set-up leaking in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Berth Test',
    GIT_AUTHOR_EMAIL: 'test@berth.invalid',
    GIT_COMMITTER_NAME: 'Berth Test',
    GIT_COMMITTER_EMAIL: 'test@berth.invalid',
    ...extra,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function runBerth(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`berth ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`stdout is not JSON:\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
    child.stdin.end(options.input ?? '');
  });
}
