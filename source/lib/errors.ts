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

/** How a front end names an input field: the CLI as a flag (`--api-url`), a form as a label. */
export type FieldLabel = (field: string) => string;

const humanLabels: Record<string, string> = {
  apiUrl: 'API URL',
  instanceUrl: 'instance URL',
  insecureStorage: 'plain-file storage',
  entry: 'entry point',
  params: 'parameter',
  sweeps: 'sweep',
};

/** Field names as words (`apiUrl` → `API URL`, `owner` → `owner`): what `.message` says. */
export const humanFieldLabel: FieldLabel = (field) =>
  humanLabels[field] ?? field.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);

/** Text that names fields through a label, so each front end can name them its own way. */
export type FieldText = string | ((label: FieldLabel) => string);

/** The text with its fields named by `label`. */
export function renderText(text: FieldText, label: FieldLabel): string {
  return typeof text === 'string' ? text : text(label);
}

/**
 * A problem with one input of a service (services take typed inputs, not flags). Message and
 * hint name fields through a label function, `(f) => `${f('apiUrl')} is not a URL.``: the CLI
 * passes flags (`--api-url`), a screen its labels (describeError); `.message` has them as
 * words. Exit 2 unless told otherwise.
 */
export class FieldError extends BerthError {
  readonly field: string;
  readonly text: {message: FieldText; hint: FieldText | undefined};

  constructor(
    field: string,
    message: FieldText,
    options: {hint?: FieldText; exitCode?: ExitCode; cause?: unknown} = {},
  ) {
    super(renderText(message, humanFieldLabel), {
      cause: options.cause,
      exitCode: options.exitCode ?? ExitCode.usage,
      hint: options.hint === undefined ? undefined : renderText(options.hint, humanFieldLabel),
    });
    this.field = field;
    this.text = {message, hint: options.hint};
  }
}

/** The error's message and hint as field text: a FieldError's still name fields through a label. */
export function fieldTextOf(error: unknown): {message: FieldText; hint: FieldText | undefined} {
  if (error instanceof FieldError) return error.text;
  if (error instanceof BerthError) return {message: error.message, hint: error.hint};
  return {message: errorMessage(error), hint: undefined};
}

/**
 * A new error around `cause`, its message and hint made from the cause's by `wrap`. A FieldError
 * cause gives a FieldError, so each front end still names the cause's fields its own way.
 */
export function wrapError(
  cause: unknown,
  wrap: (text: {message: string; hint: string | undefined}) => {message: string; hint?: string},
  options: {exitCode?: ExitCode} = {},
): BerthError {
  const exitCode = options.exitCode ?? ExitCode.failure;
  const text = fieldTextOf(cause);
  const render = (label: FieldLabel) =>
    wrap({
      message: renderText(text.message, label),
      hint: text.hint === undefined ? undefined : renderText(text.hint, label),
    });
  if (cause instanceof FieldError) {
    const hasHint = render(humanFieldLabel).hint !== undefined;
    return new FieldError(cause.field, (f) => render(f).message, {
      exitCode,
      cause,
      ...(hasHint ? {hint: (f: FieldLabel) => render(f).hint ?? ''} : {}),
    });
  }
  const {message, hint} = render(humanFieldLabel);
  const rest = {cause, ...(hint === undefined ? {} : {hint})};
  if (exitCode === ExitCode.failure) return new UserError(message, rest);
  if (exitCode === ExitCode.usage) return new UsageError(message, rest);
  return new BerthError(message, {...rest, exitCode});
}

/**
 * `error` said again by a caller, with what it was doing before it (`Can't publish x: `) and
 * what that left behind after its hint. A FieldError stays one: each front end still names its
 * fields its own way.
 */
export function restate(error: unknown, prefix: string, after: string): BerthError {
  return wrapError(
    error,
    (cause) => ({
      message: `${prefix}${cause.message.trim()}`,
      hint: cause.hint ? `${cause.hint}\n${after}` : after,
    }),
    {exitCode: error instanceof FieldError ? error.exitCode : ExitCode.failure},
  );
}

export type ErrorReport = {
  message: string;
  hint: string | undefined;
  exitCode: ExitCode;
  /** Not a BerthError: a bug, reported with a trace (the CLI writes a crash log). */
  bug: boolean;
};

/** The one way an error becomes text, for the CLI (flag labels) and the TUI (field labels). */
export function describeError(error: unknown, label: FieldLabel = humanFieldLabel): ErrorReport {
  if (error instanceof FieldError) {
    const {message, hint} = error.text;
    return {
      message: renderText(message, label),
      hint: hint === undefined ? undefined : renderText(hint, label),
      exitCode: error.exitCode,
      bug: false,
    };
  }
  if (error instanceof BerthError)
    return {message: error.message, hint: error.hint, exitCode: error.exitCode, bug: false};
  return {message: errorMessage(error), hint: undefined, exitCode: ExitCode.failure, bug: true};
}

/** One line for a screen: the message and its next step. */
export function errorText(error: unknown, label: FieldLabel = humanFieldLabel): string {
  const {message, hint} = describeError(error, label);
  return hint ? `${message} ${hint}` : message;
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
