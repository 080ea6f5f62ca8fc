// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
// through @napi-rs/keyring, the maintained successor of the archived keytar.
//
// Every call runs in a short-lived child process that is killed after the timeout: the
// binding blocks inside native code (even `new Entry()` connects to D-Bus synchronously), and
// a thread stuck there cannot be stopped — measured here, neither Worker.terminate() nor
// process.exit() returns while a worker hangs on an unanswered D-Bus socket. Secrets travel
// over the child's stdin/stdout, never in its arguments.
import {createRequire} from 'node:module';
import {BerthError, ExitCode, FieldError, type FieldLabel} from '../lib/errors.js';

export interface Keychain {
  /** A human name of the backend, for messages ("Secret Service"). */
  readonly backend: string;
  get(account: string): Promise<string | undefined>;
  getMany(accounts: string[]): Promise<Map<string, string | undefined>>;
  set(account: string, secret: string): Promise<void>;
  /** Returns false when there was nothing to delete. */
  delete(account: string): Promise<boolean>;
}

export type KeychainOptions = {
  service?: string;
  env?: NodeJS.ProcessEnv;
  /** Per call, counted from when the helper is ready (default 3 s, as `gh`). */
  timeoutMs?: number;
};

type Operation =
  | {op: 'get'; account: string}
  | {op: 'set'; account: string; secret: string}
  | {op: 'delete'; account: string};
type Reply = {ok: true; results: Array<string | boolean | null>} | {ok: false; message: string};

export const unreachableKeychainMessage = (f: FieldLabel) =>
  `Can't reach the OS keychain (no D-Bus session / Secret Service). Start gnome-keyring (or another Secret Service) in a D-Bus session, or use ${f('insecureStorage')} to keep the token in a 0600 file.`;

const helperStartupMs = 15_000;

/** The helper: reads one JSON request on stdin, answers one JSON reply on stdout. */
function helperScript(modulePath: string): string {
  return `
const {Entry} = require(${JSON.stringify(modulePath)});
process.stdout.write('R');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  let reply;
  try {
    const {service, ops} = JSON.parse(input);
    // Pinned: without it the binding silently falls back to the kernel keyring on Linux.
    const options = process.platform === 'linux' ? {linux: {store: 'secret-service'}} : undefined;
    const results = [];
    for (const op of ops) {
      const entry = new Entry(service, op.account, options);
      if (op.op === 'get') results.push(entry.getPassword() ?? null);
      else if (op.op === 'set') { entry.setPassword(op.secret); results.push(true); }
      else results.push(entry.deletePassword());
    }
    reply = {ok: true, results};
  } catch (error) {
    reply = {ok: false, message: String((error && error.message) || error)};
  }
  process.stdout.write(JSON.stringify(reply));
});
`;
}

export class OsKeychain implements Keychain {
  readonly backend: string;
  private readonly service: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  constructor(options: KeychainOptions = {}) {
    this.service = options.service ?? 'berth';
    this.env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.backend =
      process.platform === 'darwin'
        ? 'macOS Keychain'
        : process.platform === 'win32'
          ? 'Windows Credential Manager'
          : 'Secret Service';
  }

  async get(account: string): Promise<string | undefined> {
    const [result] = await this.run([{op: 'get', account}]);
    return typeof result === 'string' ? result : undefined;
  }

  async getMany(accounts: string[]): Promise<Map<string, string | undefined>> {
    const found = new Map<string, string | undefined>();
    if (accounts.length === 0) return found;
    const results = await this.run(accounts.map((account) => ({op: 'get', account})));
    accounts.forEach((account, index) => {
      const result = results[index];
      found.set(account, typeof result === 'string' ? result : undefined);
    });
    return found;
  }

  async set(account: string, secret: string): Promise<void> {
    await this.run([{op: 'set', account, secret}]);
  }

  async delete(account: string): Promise<boolean> {
    const [result] = await this.run([{op: 'delete', account}]);
    return result === true;
  }

  private async run(ops: Operation[]): Promise<Array<string | boolean | null>> {
    const modulePath = createRequire(import.meta.url).resolve('@napi-rs/keyring');
    // child_process is loaded on the first keychain call, not by every command that builds deps.
    const {spawn} = await import('node:child_process');
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', helperScript(modulePath)], {
        env: this.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (error: Error | undefined, results?: Array<string | boolean | null>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          child.kill('SIGKILL');
          reject(error);
        } else resolve(results ?? []);
      };
      let timer = setTimeout(
        () => finish(keychainError('the keychain helper did not start')),
        helperStartupMs,
      );
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (stdout === '' && chunk.startsWith('R')) {
          clearTimeout(timer);
          timer = setTimeout(
            () => finish(keychainError(`no answer within ${this.timeoutMs / 1000} s`)),
            this.timeoutMs,
          );
        }
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (error) => finish(keychainError(error.message)));
      child.on('close', () => {
        let reply: Reply;
        try {
          reply = JSON.parse(stdout.slice(1)) as Reply;
        } catch {
          finish(keychainError(firstLine(stderr) || 'the keychain helper failed'));
          return;
        }
        if (reply.ok) finish(undefined, reply.results);
        else finish(keychainError(reply.message));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(JSON.stringify({service: this.service, ops}));
    });
  }
}

/** The way around a missing keychain is a field of the request: `insecureStorage`. */
export class KeychainUnavailableError extends FieldError {
  constructor(readonly reason: string) {
    super('insecureStorage', unreachableKeychainMessage, {
      hint: `The keychain said: ${reason}`,
      exitCode: ExitCode.auth,
    });
  }
}

function keychainError(reason: string): BerthError {
  if (/unlock|locked|dismissed/i.test(reason)) {
    return new FieldError(
      'insecureStorage',
      'The OS keychain is locked and berth could not unlock it.',
      {
        hint: (f) =>
          `Unlock your login keyring (e.g. log in to a desktop session), or use ${f('insecureStorage')} to keep the token in a 0600 file.`,
        exitCode: ExitCode.auth,
      },
    );
  }
  return new KeychainUnavailableError(firstLine(reason));
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}
