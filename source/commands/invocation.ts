// One CLI invocation, commander or not: the global flags, the output, the dependencies, and the
// one place that turns errors into messages and exit codes. program.ts runs commander inside it;
// here.ts runs `status` and `repo detect` in it without loading commander.
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {createDeps, stateDirFor, type Deps} from '../deps.js';
import {BerthError, CancelledError, describeError, ExitCode} from '../lib/errors.js';
import {fileError, fileOf, isFileSystemError} from '../lib/file-errors.js';
import {Output, shouldUseColor} from '../lib/output.js';
import {cliVocabulary, type CommandContext} from './context.js';
import {extractGlobalFlags, type GlobalFlags} from './global-flags.js';

export type RunOptions = {argv: string[]; deps?: Deps; io?: CommandContext['io']};

export type Invocation = {
  flags: GlobalFlags;
  /** A global flag without its value: reported once the invocation runs. */
  flagError: Error | undefined;
  ctx: CommandContext;
};

export function startInvocation(options: RunOptions): Invocation {
  // stdin is opened only by the commands that read it (opening it loads Node's stream stack).
  const io = options.io ?? {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  };
  let flags: GlobalFlags;
  let flagError: Error | undefined;
  try {
    flags = extractGlobalFlags(options.argv);
  } catch (error) {
    flagError = error as Error;
    flags = {argv: options.argv, json: false, confirmedStacks: []};
  }
  const color =
    shouldUseColor(
      process.env,
      flags.argv.includes('--no-color') ? false : undefined,
      Boolean(io.stderr.isTTY),
    ) && !flags.json;
  const output = new Output({json: flags.json, color, stdout: io.stdout, stderr: io.stderr});
  const deps = options.deps ?? createDeps();
  if (flags.profile !== undefined || flags.stack !== undefined)
    deps.overrides = {profile: flags.profile, stack: flags.stack};
  return {flags, flagError, ctx: {deps, output, io, confirmedStacks: flags.confirmedStacks}};
}

/**
 * Runs `body` and returns the exit code: its own, or the one its error maps to (`helpHint`: the
 * command's help line, for a usage error that has no next step of its own). Closes the stores.
 */
export async function invoke(
  invocation: Invocation,
  body: () => Promise<number>,
  helpHint: () => string | undefined = () => undefined,
): Promise<number> {
  const {deps, output} = invocation.ctx;
  try {
    if (invocation.flagError) throw invocation.flagError;
    return await body();
  } catch (error) {
    return reportError(error, {output, stateDir: deps.stateDir, helpHint: helpHint()});
  } finally {
    await deps.close().catch(() => undefined);
  }
}

/** A command's action under --json FIELDS / --jq; its JSON goes out even when it then failed. */
export async function runAction(
  output: Output,
  flags: GlobalFlags,
  action: () => Promise<unknown>,
): Promise<void> {
  output.filter({fields: flags.jsonFields, jq: flags.jq});
  if (flags.jq !== undefined) {
    const {checkJqExpression} = await import('../lib/json-filter.js');
    await checkJqExpression(flags.jq);
  }
  try {
    await action();
  } finally {
    await output.finish();
  }
}

/** Errors outside a command (the TUI of a bare `berth`) take the same path as a command's. */
export function reportUncaught(error: unknown): number {
  const output = new Output({
    json: false,
    color: shouldUseColor(process.env, undefined, Boolean(process.stderr.isTTY)),
  });
  return reportError(error, {output, stateDir: stateDirFor(process.env)});
}

function reportError(
  error: unknown,
  ctx: {output: Output; stateDir: string; helpHint?: string | undefined},
): number {
  const {output} = ctx;
  // A file-system failure that no layer translated still names its cause and its file.
  if (!(error instanceof BerthError) && isFileSystemError(error) && fileOf(error))
    error = fileError(error, fileOf(error)!, 'use');
  if (error instanceof CancelledError) {
    const cancelled = describeError(error, cliVocabulary);
    output.info(cancelled.message);
    if (cancelled.hint) output.info(cancelled.hint);
    return error.exitCode;
  }
  const report = describeError(error, cliVocabulary);
  if (!report.bug) {
    output.info(`${output.style('red', 'Error:')} ${report.message}`);
    if (report.hint) output.info(report.hint);
    // A usage error with no next step of its own points at the command's help.
    else if (report.exitCode === ExitCode.usage && ctx.helpHint) output.info(ctx.helpHint);
    return report.exitCode;
  }
  const trace = writeCrashLog(ctx.stateDir, error);
  output.info(`${output.style('red', 'berth hit a bug:')} ${report.message}`);
  if (trace) output.info(`The full trace is in ${trace}. Please attach it to a bug report.`);
  return ExitCode.failure;
}

function writeCrashLog(stateDir: string, error: unknown): string | undefined {
  try {
    const directory = path.join(stateDir, 'logs');
    mkdirSync(directory, {recursive: true});
    const file = path.join(
      directory,
      `crash-${new Date().toISOString().replace(/[:.]/g, '-')}.log`,
    );
    writeFileSync(
      file,
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      {mode: 0o600},
    );
    return file;
  } catch {
    return undefined;
  }
}
