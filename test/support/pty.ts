// Drives berth in a real pseudo-terminal, like a person: sends keys, waits for the screen they
// lead to. Keys go as fast as a test sends them: berth reads a burst of keys one keypress at a
// time (lib/keypresses.ts), as it must for a fast typist or a slow link.
import pty from '@homebridge/node-pty-prebuilt-multiarch';
import xterm from '@xterm/headless';
import {cleanEnv, cliPath, nodeBinary} from './cli.js';
import {waitFor} from './wait.js';

export type PtySession = {
  /** Everything written to the terminal so far (raw, with escape codes). */
  readonly output: string;
  /** The terminal text with escape sequences removed. */
  text(): string;
  /**
   * What the terminal shows now, row by row (a real terminal emulator replays the output), so a
   * test can check what a person sees: the title on the first row, nothing scrolled away.
   */
  screen(): Promise<string[]>;
  /** The text written after the last `mark()`, escape sequences removed. */
  seen(): string;
  /** Waits until `pattern` appears in the text written after the last `mark()`. */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /**
   * Waits until what the terminal shows now matches `pattern` (rows joined by newlines): for
   * screens drawn incrementally, where a line's new text is written in pieces.
   */
  waitForScreen(pattern: string | RegExp, timeoutMs?: number): Promise<string[]>;
  /** Forgets what was seen so far, so the next waitFor sees only new output. */
  mark(): void;
  /** Sends keys at once, however many (a burst, as a fast typist or ssh delivers them). */
  write(data: string): Promise<void>;
  /** Types text one key per write, with nothing in between (they may arrive as one burst). */
  type(text: string): Promise<void>;
  /** Sends `data`, then waits until the screen shows `expected` (waitForScreen). */
  press(data: string, expected: string | RegExp, timeoutMs?: number): Promise<string[]>;
  resize(cols: number, rows: number): void;
  exit: Promise<number>;
  kill(): void;
};

export const keys = {
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  up: '\u001b[A',
  down: '\u001b[B',
  ctrlC: '\u0003',
  ctrlU: '\u0015',
  backspace: '\u007f',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
};

export function stripAnsi(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
    /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(\u0007|\u001b\\)|\u001b[()][A-Z0-9]|\u001b[=>78]/g,
    '',
  );
}

export type PtyOptions = {
  cwd: string;
  env?: Record<string, string | undefined>;
  cols?: number;
  rows?: number;
};

export function spawnBerth(args: string[], options: PtyOptions): PtySession {
  return spawnInPty(nodeBinary, [cliPath, ...args], options);
}

/** Any program (a shell, for completion tests) in a pseudo-terminal, driven the same way. */
export function spawnInPty(file: string, args: string[], options: PtyOptions): PtySession {
  const child = pty.spawn(file, args, {
    name: 'xterm-256color',
    cols: options.cols ?? 100,
    rows: options.rows ?? 30,
    cwd: options.cwd,
    env: cleanEnv({TERM: 'xterm-256color', NO_COLOR: undefined, ...options.env}),
  });
  const terminal = new xterm.Terminal({
    cols: options.cols ?? 100,
    rows: options.rows ?? 30,
    allowProposedApi: true,
  });
  let output = '';
  let markAt = 0;
  const waiters = new Set<() => void>();
  let lastOutputAt = Date.now();
  child.onData((data) => {
    output += data;
    terminal.write(data);
    lastOutputAt = Date.now();
    for (const waiter of waiters) waiter();
  });
  const exited = new Promise<number>((resolve) => child.onExit(({exitCode}) => resolve(exitCode)));
  // Awaiting the exit is bounded (from the moment a test awaits it), and a hang reports the
  // screen rather than a bare test timeout.
  const exitWithin = (ms: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `berth did not exit within ${ms / 1000} s. Screen:\n${stripAnsi(output).slice(-3000)}`,
            ),
          ),
        ms,
      );
      timer.unref();
      void exited.then((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const waiter of waiters) waiter();
  });

  const appeared = (pattern: string | RegExp, timeoutMs: number) => {
    const matches = () => {
      const seen = stripAnsi(output.slice(markAt));
      return typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen);
    };
    const screen = () => stripAnsi(output.slice(markAt)).slice(-3000);
    return new Promise<void>((resolve, reject) => {
      if (matches()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Timed out waiting for ${String(pattern)}. Screen:\n${screen()}`));
      }, timeoutMs);
      const check = () => {
        if (matches()) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        } else if (hasExited) {
          clearTimeout(timer);
          waiters.delete(check);
          reject(
            new Error(`berth exited before ${String(pattern)} appeared. Screen:\n${screen()}`),
          );
        }
      };
      waiters.add(check);
    });
  };
  /** Resolves once nothing was written for `quietMs` (or after `capMs`, or when berth exited). */
  const quiet = async (quietMs: number, capMs: number) => {
    const deadline = Date.now() + capMs;
    while (!hasExited && Date.now() < deadline) {
      const idle = Date.now() - lastOutputAt;
      if (idle >= quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, quietMs - idle));
    }
  };

  const session: PtySession = {
    get output() {
      return output;
    },
    text: () => stripAnsi(output),
    seen: () => stripAnsi(output.slice(markAt)),
    screen: () =>
      new Promise((resolve) =>
        // An empty write resolves once everything written before it has been parsed.
        terminal.write('', () => {
          const buffer = terminal.buffer.active;
          const rows: string[] = [];
          for (let row = 0; row < terminal.rows; row++)
            rows.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
          resolve(rows);
        }),
      ),
    mark() {
      markAt = output.length;
    },
    async waitFor(pattern, timeoutMs = 30_000) {
      await appeared(pattern, timeoutMs);
      // A screen is drawn before its input handlers attach (React effects run after the frame):
      // a key sent the instant the text appears can land in between. Wait until the terminal
      // has been quiet for a moment, as a person would before reacting.
      await quiet(100, 2_000);
    },
    async waitForScreen(pattern, timeoutMs = 30_000) {
      let rows: string[] = [];
      const matches = async () => {
        rows = await session.screen();
        const shown = rows.join('\n');
        return typeof pattern === 'string' ? shown.includes(pattern) : pattern.test(shown);
      };
      await waitFor(matches, {
        timeoutMs,
        intervalMs: 25,
        message: `${String(pattern)} on the screen`,
      }).catch((error: Error) => {
        throw new Error(`${error.message}. Screen:\n${rows.join('\n')}`);
      });
      return rows;
    },
    async write(data) {
      // No pacing: what a key leads to is awaited by the test (waitFor, waitForScreen, press).
      child.write(data);
    },
    async type(text) {
      for (const char of text) await session.write(char);
    },
    async press(data, expected, timeoutMs) {
      await session.write(data);
      return session.waitForScreen(expected, timeoutMs);
    },
    resize: (cols, rows) => {
      child.resize(cols, rows);
      terminal.resize(cols, rows);
    },
    get exit() {
      return exitWithin(20_000);
    },
    kill: () => child.kill(),
  };
  return session;
}
