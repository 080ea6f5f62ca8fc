// Errors that reach the user. Each carries the exit code of the CLI contract and, where there
// is one, the next step. `cli.tsx` catches them in one place; anything else is a bug.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 4,
  cancelled: 130,
  /** Stopped by SIGTERM (128 + 15), as a shell reports it. */
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class BerthError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(
    message: string,
    options: {hint?: string; exitCode?: ExitCode; cause?: unknown} = {},
  ) {
    super(message, {cause: options.cause});
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
  }
}

/** Something the user can fix: a missing stack, a bad file, an unreachable service. Exit 1. */
export class UserError extends BerthError {
  constructor(message: string, options: {hint?: string; cause?: unknown} = {}) {
    super(message, {...options, exitCode: ExitCode.failure});
  }
}

/** Wrong flags or arguments. Exit 2. */
export class UsageError extends BerthError {
  constructor(message: string, options: {hint?: string; cause?: unknown} = {}) {
    super(message, {...options, exitCode: ExitCode.usage});
  }
}

/** A token that does not work, or a keychain that cannot be reached. Exit 4. */
export class AuthError extends BerthError {
  constructor(message: string, options: {hint?: string; cause?: unknown} = {}) {
    super(message, {...options, exitCode: ExitCode.auth});
  }
}

/** The user cancelled (Ctrl+C, "no" at a prompt, `c` in a pane). Exit 130. */
export class CancelledError extends BerthError {
  constructor(message = 'Cancelled.', options: {hint?: string; cause?: unknown} = {}) {
    super(message, {...options, exitCode: ExitCode.cancelled});
  }
}

/** A long command stopped by SIGINT (exit 130) or SIGTERM (exit 143), after cleaning up. */
export class InterruptedError extends BerthError {
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    message = signal === 'SIGINT' ? 'Cancelled.' : 'Stopped (SIGTERM).',
    options: {hint?: string; cause?: unknown} = {},
  ) {
    super(message, {
      ...options,
      exitCode: signal === 'SIGINT' ? ExitCode.cancelled : ExitCode.terminated,
    });
  }
}

export function isBerthError(error: unknown): error is BerthError {
  return error instanceof BerthError;
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
