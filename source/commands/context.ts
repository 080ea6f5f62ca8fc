// What every command gets: the dependencies, the output, and the terminal it runs in.
import type {Command} from 'commander';
import type {Deps} from '../deps.js';
import {renderText, type FieldLabel, type Vocabulary} from '../lib/errors.js';
import {commandAction} from './remedies.js';
import type {Output} from '../lib/output.js';
import type {PromptIo} from '../lib/prompt.js';
import {outsideRepositoryWarning, type ActiveContext} from '../services/context.js';

export type CommandContext = {
  deps: Deps;
  output: Output;
  io: PromptIo & {stdout: NodeJS.WriteStream};
  /** Stacks named by `--yes-i-mean-STACK` on this command line (protected stacks). */
  confirmedStacks: readonly string[];
};

export type RegisterCommands = (program: Command, context: CommandContext) => void;

/**
 * The lines every profile/stack command prints first (stderr, so `--json` stays clean). The
 * warning about being outside a berth repository only where the repository matters
 * (`repository`): status, and choosing a stack, profile or token for "here".
 */
export function announce(
  ctx: CommandContext,
  active: ActiveContext,
  options: {repository?: boolean} = {},
): void {
  if (options.repository && !active.repositoryRoot)
    ctx.output.warn(renderText(outsideRepositoryWarning(ctx.deps.cwd), cliVocabulary));
  for (const notice of active.notices) ctx.output.warn(notice);
  ctx.output.info(
    `Running with active profile: '${active.profile.name}' (${active.profileSource})`,
  );
}

/** Collects a repeatable option (`--option a=b --option c=d`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A service's field as the flag that sets it: `apiUrl` → `--api-url`. */
const flagLabel: FieldLabel = (field) => {
  const flag = flagNames[field] ?? field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return `--${flag}`;
};

/** Fields whose flag is not their name in kebab case. */
const flagNames: Record<string, string> = {options: 'option', params: 'param', sweeps: 'sweep'};

/** The CLI's words: fields as flags, next steps as commands. */
export const cliVocabulary: Vocabulary = {field: flagLabel, action: commandAction};
