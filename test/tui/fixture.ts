// Given-steps shared by the TUI tests: a temp config dir, a real git checkout, the built CLI.
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {cleanEnv, runBerth, tempDir, type RunResult} from '../support/cli.js';
import {spawnBerth, type PtySession} from '../support/pty.js';

export type TuiWorld = {
  configDir: string;
  /** A git checkout with an `origin` on GitHub and one commit. */
  checkout: string;
  env: Record<string, string>;
  berth(args: string[], cwd?: string): Promise<RunResult>;
  open(
    args?: string[],
    options?: {
      cwd?: string;
      cols?: number;
      rows?: number;
      env?: Record<string, string | undefined>;
    },
  ): PtySession;
  repositoryConfig(): string | undefined;
  globalConfig():
    | {activeProfile?: string; profiles: {name: string; activeStack: string}[]}
    | undefined;
};

export function createWorld(): TuiWorld {
  const configDir = path.join(tempDir('berth-tui-config-'), 'berth');
  const checkout = tempDir('berth-tui-checkout-');
  const env = {BERTH_CONFIG_DIR: configDir};
  const git = (...args: string[]) =>
    execFileSync('git', args, {cwd: checkout, env: cleanEnv(), stdio: 'pipe'});
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://github.com/acme/widgets.git');
  writeFileSync(path.join(checkout, 'train.py'), 'print("hi")\n');
  git('add', '.');
  git('commit', '-qm', 'first');
  const sessions: PtySession[] = [];
  return {
    configDir,
    checkout,
    env,
    berth: (args, cwd = checkout) => runBerth(args, {cwd, env}),
    open(args = [], options = {}) {
      const session = spawnBerth(args, {
        cwd: options.cwd ?? checkout,
        env: {...env, ...options.env},
        cols: options.cols ?? 100,
        rows: options.rows ?? 30,
      });
      sessions.push(session);
      return session;
    },
    repositoryConfig() {
      const file = path.join(checkout, '.berth', 'config.yaml');
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    },
    globalConfig() {
      const file = path.join(configDir, 'config.json');
      return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    },
  };
}

export async function expectOk(result: Promise<RunResult>): Promise<RunResult> {
  const done = await result;
  if (done.code !== 0) throw new Error(`berth exited ${done.code}\n${done.stdout}\n${done.stderr}`);
  return done;
}

/** Ends a session that a failed test left running. */
export function closeQuietly(session: PtySession | undefined): void {
  try {
    session?.kill();
  } catch {
    // already gone
  }
}
