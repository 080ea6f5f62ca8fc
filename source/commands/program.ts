// Builds the commander program and runs it: the one place that turns errors into messages
// and exit codes.
import {Command, CommanderError} from 'commander';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {createDeps, type Deps} from '../deps.js';
import {BerthError, ExitCode, errorMessage} from '../lib/errors.js';
import {Output, shouldUseColor} from '../lib/output.js';
import {registerComponentCommands} from './component.js';
import type {CommandContext} from './context.js';
import {registerInitCommand} from './init.js';
import {registerModuleCommands} from './module.js';
import {registerProfileCommands} from './profile.js';
import {registerPublishCommand} from './publish.js';
import {registerRepoCommands} from './repo.js';
import {registerRunCommands} from './run.js';
import {registerSetupCommand} from './setup.js';
import {registerStackCommands} from './stack.js';
import {registerStatusCommand} from './status.js';
import {registerTokenCommands} from './token.js';

export const version = process.env.BERTH_VERSION ?? '0.0.0-dev';

export function createProgram(ctx: CommandContext): Command {
  const program = new Command('berth')
    .description('Tokens, code repositories, per-directory profiles and stacks, and published code modules.')
    .version(version, '-v, --version', 'print the version')
    .option('--json', 'JSON on stdout (list, describe, status and detect commands)')
    .option('--no-color', 'no colors (also: NO_COLOR=1)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    })
    .addHelpText('after', '\nRun `berth` alone in a terminal for the TUI. Docs: readme.md.');

  registerInitCommand(program, ctx);
  registerStatusCommand(program, ctx);
  registerProfileCommands(program, ctx);
  registerStackCommands(program, ctx);
  registerComponentCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerRepoCommands(program, ctx);
  registerSetupCommand(program, ctx);
  registerPublishCommand(program, ctx);
  registerModuleCommands(program, ctx);
  registerRunCommands(program, ctx);

  // Every subcommand reports usage errors (exit 2) through the same override.
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride().showSuggestionAfterError(true).configureOutput(program.configureOutput());
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

export type RunOptions = {argv: string[]; deps?: Deps; io?: CommandContext['io']};

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(options: RunOptions): Promise<number> {
  const argv = options.argv;
  const io = options.io ?? {stdin: process.stdin, stdout: process.stdout, stderr: process.stderr};
  const json = argv.includes('--json');
  const color = shouldUseColor(process.env, argv.includes('--no-color') ? false : undefined, Boolean(io.stderr.isTTY)) && !json;
  const output = new Output({json, color, stdout: io.stdout, stderr: io.stderr});
  const deps = options.deps ?? createDeps();
  const ctx: CommandContext = {deps, output, io};
  try {
    const program = createProgram(ctx);
    await program.parseAsync(argv, {from: 'user'});
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, ctx);
  } finally {
    await deps.close().catch(() => undefined);
  }
}

function reportError(error: unknown, ctx: CommandContext): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return ExitCode.ok;
    }
    // commander printed the message already.
    return ExitCode.usage;
  }
  const {output} = ctx;
  if (error instanceof BerthError) {
    output.info(`${output.style('red', 'Error:')} ${error.message}`);
    if (error.hint) output.info(error.hint);
    return error.exitCode;
  }
  const trace = writeCrashLog(ctx.deps.configDir, error);
  output.info(`${output.style('red', 'berth hit a bug:')} ${errorMessage(error)}`);
  if (trace) output.info(`The full trace is in ${trace}. Please attach it to a bug report.`);
  return ExitCode.failure;
}

function writeCrashLog(configDir: string, error: unknown): string | undefined {
  try {
    const directory = path.join(configDir, 'logs');
    mkdirSync(directory, {recursive: true});
    const file = path.join(directory, `crash-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    writeFileSync(file, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`, {mode: 0o600});
    return file;
  } catch {
    return undefined;
  }
}
