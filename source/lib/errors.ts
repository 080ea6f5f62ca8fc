// Errors that reach the user. Each carries the exit code of the CLI contract and, where there
// is one, the next step. `cli.tsx` catches them in one place; anything else is a bug.
import {plainAction, type ActionLabel} from './remedies.js';

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
  /** The next step in plain words; front ends render `text.hint` in their own vocabulary. */
  readonly hint: string | undefined;
  /** Message and hint as text that names fields and actions through each front end's words. */
  readonly text: {message: FieldText; hint: FieldText | undefined};

  constructor(
    message: FieldText,
    options: {hint?: FieldText | undefined; exitCode?: ExitCode; cause?: unknown} = {},
  ) {
    super(renderText(message, plainVocabulary), {cause: options.cause});
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint === undefined ? undefined : renderText(options.hint, plainVocabulary);
    this.text = {message, hint: options.hint};
  }
}

type ErrorOptions = {hint?: FieldText | undefined; cause?: unknown};

/** Something the user can fix: a missing stack, a bad file, an unreachable service. Exit 1. */
export class UserError extends BerthError {
  constructor(message: FieldText, options: ErrorOptions = {}) {
    super(message, {...options, exitCode: ExitCode.failure});
  }
}

/** Wrong flags or arguments. Exit 2. */
export class UsageError extends BerthError {
  constructor(message: FieldText, options: ErrorOptions = {}) {
    super(message, {...options, exitCode: ExitCode.usage});
  }
}

/** A token that does not work, or a keychain that cannot be reached. Exit 4. */
export class AuthError extends BerthError {
  constructor(message: FieldText, options: ErrorOptions = {}) {
    super(message, {...options, exitCode: ExitCode.auth});
  }
}

/** The user cancelled (Ctrl+C, "no" at a prompt, `c` in a pane). Exit 130. */
export class CancelledError extends BerthError {
  constructor(message: FieldText = 'Cancelled.', options: ErrorOptions = {}) {
    super(message, {...options, exitCode: ExitCode.cancelled});
  }
}

/** A long command stopped by SIGINT (exit 130) or SIGTERM (exit 143), after cleaning up. */
export class InterruptedError extends BerthError {
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    message = signal === 'SIGINT' ? 'Cancelled.' : 'Stopped (SIGTERM).',
    options: ErrorOptions = {},
  ) {
    super(message, {
      ...options,
      exitCode: signal === 'SIGINT' ? ExitCode.cancelled : ExitCode.terminated,
    });
  }
}

/** How a front end names an input field: the CLI as a flag (`--api-url`), a form as a label. */
export type FieldLabel = (field: string) => string;

/**
 * Fields whose words are not their name split at capitals. Switches read as what they ask for,
 * so "publish anyway with X" and "use X" read as sentences on a screen.
 */
const humanLabels: Record<string, string> = {
  apiUrl: 'API URL',
  instanceUrl: 'instance URL',
  storeUrl: 'store URL',
  insecureStorage: 'plain-file storage',
  entry: 'entry point',
  params: 'parameter',
  sweeps: 'sweep',
  options: 'option',
  full: 'as asked',
  dependenciesOnly: 'a dependencies-only image',
  allowBreaking: 'breaking changes allowed',
  stdin: 'standard input',
  jq: 'jq filter',
};

/** Field names as words (`apiUrl` → `API URL`, `owner` → `owner`): what `.message` says. */
export const humanFieldLabel: FieldLabel = (field) =>
  humanLabels[field] ?? field.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);

/**
 * Text that names fields and actions through each front end's words:
 * `(f, act) => `Add it again: ${act({kind: 'token.add', name})}, or pass ${f('token')}.``.
 * The CLI names a field by its flag and an action by its command; a screen by its label and by
 * its screen and key.
 */
export type FieldText = string | ((label: FieldLabel, act: ActionLabel) => string);

/** How a front end names fields and actions. */
export type Vocabulary = {field: FieldLabel; action: ActionLabel};

/** Words no front end chose: `.message` and `.hint`, logs. */
export const plainVocabulary: Vocabulary = {field: humanFieldLabel, action: plainAction};

/** The text with its fields and actions named by `vocabulary`. */
export function renderText(text: FieldText, vocabulary: Vocabulary): string {
  return typeof text === 'string' ? text : text(vocabulary.field, vocabulary.action);
}

/**
 * A problem with one input of a service (services take typed inputs, not flags). Message and
 * hint name fields through a label function, `(f) => `${f('apiUrl')} is not a URL.``: the CLI
 * passes flags (`--api-url`), a screen its labels (describeError); `.message` has them as
 * words. Exit 2 unless told otherwise.
 */
export class FieldError extends BerthError {
  readonly field: string;

  constructor(
    field: string,
    message: FieldText,
    options: {hint?: FieldText | undefined; exitCode?: ExitCode; cause?: unknown} = {},
  ) {
    super(message, {...options, exitCode: options.exitCode ?? ExitCode.usage});
    this.field = field;
  }
}

/** The error's message and hint as text that still names fields and actions. */
export function fieldTextOf(error: unknown): {message: FieldText; hint: FieldText | undefined} {
  if (error instanceof BerthError) return error.text;
  return {message: errorMessage(error), hint: undefined};
}

/**
 * A new error around `cause`, its message and hint made from the cause's by `wrap`. The cause's
 * fields and actions stay named by each front end its own way; a FieldError cause gives one.
 */
export function wrapError(
  cause: unknown,
  wrap: (text: {message: string; hint: string | undefined}) => {message: string; hint?: string},
  options: {exitCode?: ExitCode} = {},
): BerthError {
  const exitCode = options.exitCode ?? ExitCode.failure;
  const text = fieldTextOf(cause);
  const render = (field: FieldLabel, action: ActionLabel) => {
    const vocabulary = {field, action};
    return wrap({
      message: renderText(text.message, vocabulary),
      hint: text.hint === undefined ? undefined : renderText(text.hint, vocabulary),
    });
  };
  const hasHint = render(humanFieldLabel, plainAction).hint !== undefined;
  const rest = {
    cause,
    ...(hasHint ? {hint: (f: FieldLabel, act: ActionLabel) => render(f, act).hint ?? ''} : {}),
  };
  const message: FieldText = (f, act) => render(f, act).message;
  if (cause instanceof FieldError) return new FieldError(cause.field, message, {exitCode, ...rest});
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

/** The one way an error becomes text, for the CLI (flags, commands) and the TUI (labels, keys). */
export function describeError(error: unknown, vocabulary: Vocabulary): ErrorReport {
  if (error instanceof BerthError) {
    const {message, hint} = error.text;
    return {
      message: sentence(renderText(message, vocabulary), error, vocabulary),
      hint: hint === undefined ? undefined : renderText(hint, vocabulary),
      exitCode: error.exitCode,
      bug: false,
    };
  }
  return {message: errorMessage(error), hint: undefined, exitCode: ExitCode.failure, bug: true};
}

/** A message that opens with its field's label starts with a capital, as a sentence does. */
function sentence(message: string, error: BerthError, vocabulary: Vocabulary): string {
  if (!(error instanceof FieldError) || !/^[a-z]/.test(message)) return message;
  return message.startsWith(vocabulary.field(error.field))
    ? `${message[0]!.toUpperCase()}${message.slice(1)}`
    : message;
}

/** One line for a screen: the message and its next step. */
export function errorText(error: unknown, vocabulary: Vocabulary): string {
  const {message, hint} = describeError(error, vocabulary);
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
