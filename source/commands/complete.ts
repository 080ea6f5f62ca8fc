// `berth __complete WORD... CURRENT`: what the shell completion scripts call on every Tab.
// Commands and flags come from a description of the commander program written at build time
// (dist/completion-spec.json, so this path loads neither commander nor the command groups;
// without a build there is no spec and nothing is offered);
// names (stacks, profiles, components, repositories, modules, tokens) come from the store.
// Prints `value<TAB>description` lines. Never fails loudly: a completion prints nothing.
import {readFileSync} from 'node:fs';
import type {Command} from 'commander';
import type {Deps} from '../deps.js';
import {inert, isInert} from '../lib/inert.js';
import type {Candidate, CompletionKind} from '../services/completion.js';

export type OptionSpec = {long?: string; short?: string; description: string; takesValue: boolean};
export type ArgumentSpec = {name: string; required: boolean; variadic: boolean};
export type CommandSpec = {
  name: string;
  aliases: string[];
  description: string;
  options: OptionSpec[];
  arguments: ArgumentSpec[];
  commands: CommandSpec[];
};

/** The program as data: what completion needs of it. Hidden commands (`__…`) are left out. */
export function describeCommand(command: Command): CommandSpec {
  const options: OptionSpec[] = command.options
    .filter((option) => !option.hidden)
    .map((option) => ({
      ...(option.long ? {long: option.long} : {}),
      ...(option.short ? {short: option.short} : {}),
      description: option.description,
      // `--json [fields]` takes its value only in the `=` form here (see global-flags.ts).
      takesValue: option.required,
    }));
  options.push({long: '--help', short: '-h', description: 'show help', takesValue: false});
  return {
    name: command.name(),
    aliases: command.aliases(),
    description: command.description(),
    options,
    arguments: command.registeredArguments.map((argument) => ({
      name: argument.name(),
      required: argument.required,
      variadic: argument.variadic,
    })),
    commands: command.commands
      .filter((sub) => !sub.name().startsWith('__'))
      .map((sub) => describeCommand(sub)),
  };
}

/** Which names an argument completes to, by command path and position. */
export const argumentKinds: Record<string, CompletionKind[]> = {
  'profile describe': ['profile'],
  'profile set': ['profile'],
  'profile delete': ['profile'],
  'stack describe': ['stack'],
  'stack set': ['stack'],
  'stack update': ['stack'],
  'stack delete': ['stack'],
  'stack rename': ['stack'],
  'stack copy': ['stack'],
  'component register': ['component-type'],
  'component list': ['component-type'],
  'component describe': ['component-type', 'component'],
  'component delete': ['component-type', 'component'],
  'token add': ['provider'],
  'token use': ['token'],
  'token unuse': ['token-host'],
  'token verify': ['token'],
  'token remove': ['token'],
  'repo describe': ['repository'],
  'repo update': ['repository'],
  'repo delete': ['repository'],
  'repo download': ['repository'],
  'module describe': ['module'],
  run: ['module'],
  'runs describe': ['run'],
  completion: ['shell'],
};

/** Which names an option's value completes to, by long flag. */
export const optionKinds: Record<string, CompletionKind> = {
  '--stack': 'stack',
  '--profile': 'profile',
  '--token': 'token',
  '--orchestrator': 'component:orchestrator',
  '--artifact-store': 'component:artifact_store',
  '--container-registry': 'component:container_registry',
  '--image-builder': 'component:image_builder',
  '--type': 'repository-type',
  '--flavor': 'flavor',
  '--visibility': 'visibility',
};

let cachedSpec: CommandSpec | undefined;

/** The build's description of the program (dist/completion-spec.json, next to this file). */
export function programSpec(): CommandSpec {
  cachedSpec ??= JSON.parse(
    readFileSync(new URL('./completion-spec.json', import.meta.url), 'utf8'),
  ) as CommandSpec;
  return cachedSpec;
}

type Walked = {
  path: CommandSpec[];
  positionals: string[];
  /** The option whose value the current word is, if the previous word expects one. */
  pendingOption?: OptionSpec;
  /** `--profile`/`--stack` given on the line: completion reads that profile's names. */
  overrides: {profile?: string; stack?: string};
};

function findOption(path: readonly CommandSpec[], flag: string): OptionSpec | undefined {
  for (const command of [...path].reverse()) {
    const option = command.options.find((o) => o.long === flag || o.short === flag);
    if (option) return option;
  }
  return undefined;
}

function walkWords(spec: CommandSpec, words: readonly string[]): Walked {
  const walked: Walked = {path: [spec], positionals: [], overrides: {}};
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    const leaf = walked.path.at(-1)!;
    if (word.startsWith('-') && word !== '-') {
      const [flag, inline] = word.includes('=')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
      const option = findOption(walked.path, flag);
      if (!option?.takesValue || inline !== undefined) {
        if (inline !== undefined) remember(walked, flag, inline);
        continue;
      }
      const value = words[index + 1];
      if (value === undefined) walked.pendingOption = option;
      else remember(walked, flag, value);
      index++;
      continue;
    }
    if (walked.positionals.length === 0) {
      const sub = leaf.commands.find((c) => c.name === word || c.aliases.includes(word));
      if (sub) {
        walked.path.push(sub);
        continue;
      }
    }
    walked.positionals.push(word);
  }
  return walked;
}

function remember(walked: Walked, flag: string, value: string): void {
  if (flag === '--profile') walked.overrides.profile = value;
  if (flag === '--stack') walked.overrides.stack = value;
}

/** The candidates for the last word of `words` (the word being completed, possibly empty). */
export async function complete(deps: Deps, words: readonly string[]): Promise<Candidate[]> {
  const spec = programSpec();
  const current = words.at(-1) ?? '';
  const walked = walkWords(spec, words.slice(0, -1));
  deps.overrides = walked.overrides;
  const leaf = walked.path.at(-1)!;
  const commandPath = walked.path
    .slice(1)
    .map((command) => command.name)
    .join(' ');
  const values = async (kind: CompletionKind | undefined, hint?: string) => {
    if (!kind) return [];
    const {completionValues} = await import('../services/completion.js');
    return completionValues(deps, kind, hint);
  };

  let candidates: Candidate[];
  let prefix = '';
  if (walked.pendingOption) {
    candidates = await values(optionKinds[walked.pendingOption.long ?? ''], walked.positionals[0]);
  } else if (current.startsWith('--') && current.includes('=')) {
    const flag = current.slice(0, current.indexOf('='));
    prefix = `${flag}=`;
    candidates = await values(optionKinds[flag], walked.positionals[0]);
  } else if (current.startsWith('-')) {
    candidates = walked.path.flatMap((command) =>
      command.options.flatMap((option) => {
        const flag = option.long ?? option.short;
        return flag ? [{value: flag, description: option.description}] : [];
      }),
    );
  } else if (leaf.commands.length > 0 && walked.positionals.length === 0) {
    candidates = leaf.commands.map((command) => ({
      value: command.name,
      description: command.description,
    }));
  } else {
    const kinds = argumentKinds[commandPath] ?? [];
    candidates = await values(kinds[walked.positionals.length], walked.positionals[0]);
  }
  const wanted = current.slice(prefix.length);
  const seen = new Set<string>();
  return candidates
    .filter((candidate) => candidate.value.startsWith(wanted))
    .filter((candidate) => !seen.has(candidate.value) && seen.add(candidate.value))
    .map((candidate) => ({...candidate, value: `${prefix}${candidate.value}`}));
}

/** The `__complete` entry point: candidates on stdout, nothing on stderr, exit 0. */
export async function runComplete(words: readonly string[]): Promise<number> {
  const {createDeps} = await import('../deps.js');
  const deps = createDeps();
  try {
    const candidates = await complete(deps, words.length === 0 ? [''] : words);
    // The shell shows these in its menu: a value or description from outside (a host in a
    // cloned repository's .berth/config.yaml, a login an API returned) must not reach it raw.
    // A value with control characters could not be typed anyway: it is left out.
    process.stdout.write(
      candidates
        .filter((c) => isInert(c.value))
        .map((c) => `${c.value}\t${inert(c.description)}\n`)
        .join(''),
    );
  } catch {
    // A completion that cannot read the store offers nothing rather than an error mid-line.
  } finally {
    await deps.close().catch(() => undefined);
  }
  return 0;
}
