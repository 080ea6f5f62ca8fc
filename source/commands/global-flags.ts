// Flags that every command takes and that never reach a command's own options: the profile and
// stack overrides, the scripting flags (--json [FIELDS], --jq) and --yes-i-mean-STACK (a flag
// whose name carries the stack's name, which commander cannot declare). They are taken out of
// argv before commander parses it.
import type {Command, Option} from 'commander';
import {UsageError} from '../lib/errors.js';

export type GlobalFlags = {
  /** argv without the flags below; what commander parses. */
  argv: string[];
  profile?: string;
  stack?: string;
  json: boolean;
  /** `--json FIELDS`: the top-level fields to keep. */
  jsonFields?: string[];
  jq?: string;
  /** Stacks named by `--yes-i-mean-STACK`. */
  confirmedStacks: string[];
  /** Index in `argv` of the word after a bare `--json`: fields or an argument (see below). */
  jsonWord?: number;
};

const valueFlags = ['--profile', '--stack', '--jq'] as const;
const confirmPrefix = '--yes-i-mean-';

/** Takes the global flags out of argv. Stops at `--`. */
export function extractGlobalFlags(argv: readonly string[]): GlobalFlags {
  const flags: GlobalFlags = {argv: [], json: false, confirmedStacks: []};
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      flags.argv.push(...argv.slice(index));
      break;
    }
    const [name, inline] = splitInline(argument);
    if ((valueFlags as readonly string[]).includes(name)) {
      const value = inline ?? argv[index + 1];
      if (value === undefined || (inline === undefined && value.startsWith('-'))) {
        throw new UsageError(`${name} needs a value.`, {hint: valueHint(name)});
      }
      if (inline === undefined) index++;
      if (name === '--jq') {
        flags.jq = value;
        flags.json = true;
      } else flags[name === '--profile' ? 'profile' : 'stack'] = value;
      continue;
    }
    if (name === '--json') {
      flags.json = true;
      if (inline !== undefined) flags.jsonFields = parseFields(inline);
      else {
        const next = argv[index + 1];
        if (next !== undefined && !next.startsWith('-')) flags.jsonWord = flags.argv.length;
      }
      continue;
    }
    if (argument.startsWith(confirmPrefix) && inline === undefined) {
      flags.confirmedStacks.push(argument.slice(confirmPrefix.length));
      continue;
    }
    flags.argv.push(argument);
  }
  return flags;
}

/**
 * A word after a bare `--json` is a field list when it holds a comma (names never do) or when
 * the command has no free argument slot for it; otherwise it is the command's argument
 * (`berth stack describe --json gpu`). `--json=FIELDS` is never ambiguous.
 */
export function settleJsonWord(flags: GlobalFlags, program: Command): GlobalFlags {
  if (flags.jsonWord === undefined) return flags;
  const at = flags.jsonWord;
  const word = flags.argv[at]!;
  const {leaf, positionals, commandWords} = walk(program, flags.argv);
  const isFields =
    !commandWords.has(at) &&
    (word.includes(',') ||
      (leaf.registeredArguments.every((argument) => !argument.variadic) &&
        positionals.length > leaf.registeredArguments.length));
  if (!isFields) return {...flags, jsonWord: undefined};
  return {
    ...flags,
    argv: [...flags.argv.slice(0, at), ...flags.argv.slice(at + 1)],
    jsonFields: parseFields(word),
    jsonWord: undefined,
  };
}

/** The subcommand argv names, and the indexes of its positional words (option values skipped). */
export function walk(
  program: Command,
  argv: readonly string[],
): {leaf: Command; positionals: number[]; commandWords: Set<number>; path: Command[]} {
  let leaf = program;
  const path = [program];
  const positionals: number[] = [];
  const commandWords = new Set<number>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      for (let rest = index + 1; rest < argv.length; rest++) positionals.push(rest);
      break;
    }
    if (argument.startsWith('-') && argument !== '-') {
      if (argument.includes('=')) continue;
      const option = findOption(path, argument);
      if (option?.required || (option?.optional && !argv[index + 1]?.startsWith('-'))) index++;
      continue;
    }
    if (positionals.length === 0) {
      const sub = leaf.commands.find(
        (command) => command.name() === argument || command.aliases().includes(argument),
      );
      if (sub) {
        leaf = sub;
        path.push(sub);
        commandWords.add(index);
        continue;
      }
    }
    positionals.push(index);
  }
  return {leaf, positionals, commandWords, path};
}

function findOption(path: readonly Command[], flag: string): Option | undefined {
  for (const command of [...path].reverse()) {
    const option = command.options.find((o) => o.long === flag || o.short === flag);
    if (option) return option;
  }
  return undefined;
}

function splitInline(argument: string): [string, string | undefined] {
  if (!argument.startsWith('--')) return [argument, undefined];
  const equals = argument.indexOf('=');
  return equals === -1
    ? [argument, undefined]
    : [argument.slice(0, equals), argument.slice(equals + 1)];
}

function parseFields(text: string): string[] {
  const fields = text
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  if (fields.length === 0) {
    throw new UsageError('--json= needs field names.', {
      hint: 'Write --json name,active, or --json alone for every field.',
    });
  }
  return fields;
}

function valueHint(flag: string): string {
  switch (flag) {
    case '--profile':
      return 'Write --profile NAME (`berth profile list` shows them).';
    case '--stack':
      return 'Write --stack NAME (`berth stack list` shows them).';
    default:
      return "Write --jq EXPR, e.g. --jq '.[].name'.";
  }
}
