// What `--help` and commander's own errors look like: every command's help ends with examples
// (the data below, one entry per command path), and a usage error reads like berth's other
// errors (`Error: …`, then the command whose help to read).
import type {Command} from 'commander';
import type {Output} from '../lib/output.js';

/** An example: the command line, and what it does. */
type Example = readonly [command: string, what: string];

/** Examples per command path (`''` is `berth` itself). Every command has an entry
 *  (test/commands/help.test.ts walks the program). */
export const examples: Readonly<Record<string, readonly Example[]>> = {
  '': [
    ['berth', 'the TUI: stacks, profiles, tokens, repositories, publishing (? for help)'],
    ['berth setup', 'the onboarding wizard: token, repository, init, stack'],
    ['berth publish ./rotate', 'publish a Python project on the active stack'],
    ['berth stack list --json name,active', 'any list as JSON, some fields only'],
  ],
  init: [
    ['berth init', 'this directory gets its own active profile and stack'],
    ['berth init --path ~/work/models', 'another directory'],
  ],
  status: [
    ['berth status', 'repository root, profile and stack (and where they come from)'],
    ['berth status --json', 'the same, plus the code reference, as JSON'],
    [
      'eval "$(berth status --prompt --init bash)"',
      "in ~/.bashrc, then PS1='${berth_prompt:+[$berth_prompt] }\\w \\$ ' (zsh, fish: --init zsh|fish)",
    ],
  ],
  profile: [
    ['berth profile list', 'the profiles; * marks the active one'],
    ['berth profile set team', 'switch profile here'],
  ],
  'profile create': [
    ['berth profile create experiments', 'a profile with its own local store'],
    [
      'berth profile create team --store-url postgres://berth@db:5432/berth',
      'a store a team shares',
    ],
  ],
  'profile list': [
    ['berth profile list', 'name, store and active stack of each profile'],
    ['berth profile list --json', 'as JSON'],
  ],
  'profile describe': [
    ['berth profile describe', 'the active profile'],
    ['berth profile describe team --json', 'another profile, as JSON'],
  ],
  'profile set': [
    ['berth profile set team', 'the active profile of this repository'],
    ['berth profile set team --global', 'the active profile everywhere else'],
    ['berth profile set -', 'back to the previous profile'],
  ],
  'profile delete': [['berth profile delete experiments', 'a profile that is not active']],
  stack: [
    ['berth stack list', 'the stacks; * marks the active one'],
    ['berth stack set gpu', 'switch stack here'],
  ],
  'stack register': [
    ['berth stack register gpu -i local-docker -c team --set', 'build locally, push to team'],
    ['berth stack register cluster -o swarm', 'other types as in the default stack'],
  ],
  'stack list': [
    ['berth stack list', 'its components; * marks the active one'],
    ['berth stack list --json name,active', 'some fields, as JSON'],
  ],
  'stack describe': [
    ['berth stack describe', 'the active stack and its components'],
    ['berth stack describe gpu --json', 'another stack, as JSON'],
  ],
  'stack set': [
    ['berth stack set gpu', 'the active stack of this repository'],
    ['berth stack set gpu --global', 'the active stack of the profile'],
    ['berth stack set -', 'back to the previous stack, like `cd -`'],
  ],
  'stack update': [
    ['berth stack update prod --protect', 'publish and run on prod ask for its name'],
    ['berth stack update prod --no-protect', 'they go ahead again'],
  ],
  'stack delete': [['berth stack delete gpu --yes', 'no question asked; its components stay']],
  'stack rename': [['berth stack rename gpu gpu-a100', 'where it is active, the new name is']],
  'stack copy': [['berth stack copy gpu gpu-test', 'the same components, a new name']],
  component: [
    ['berth component list', 'every component, by type'],
    ['berth component register image_builder local-docker --flavor docker', 'add one'],
  ],
  'component register': [
    ['berth component register image_builder local-docker --flavor docker', 'the local engine'],
    [
      'berth component register container_registry team --flavor oci --option uri=127.0.0.1:5000/team',
      'a registry',
    ],
    [
      'berth component register orchestrator cluster --flavor swarm --option host=tcp://manager:2375',
      'a Docker Swarm',
    ],
  ],
  'component list': [
    ['berth component list', 'every component'],
    ['berth component list container_registry --json', 'one type, as JSON'],
  ],
  'component describe': [
    ['berth component describe container_registry team', 'its options and the stacks using it'],
  ],
  'component delete': [
    ['berth component delete container_registry team', 'only when no stack uses it'],
  ],
  token: [
    ['berth token', 'the tokens screen (in a terminal)'],
    ['berth token add github', 'verify and store a GitHub token'],
  ],
  'token add': [
    ['berth token add github', 'masked prompt; verified, then kept in the keychain'],
    [
      'echo "$PAT" | berth token add gitlab --stdin --api-url https://gitlab.example.com',
      'from stdin',
    ],
    ['berth token add github --name work --replace', 'rotate the secret of token work'],
  ],
  'token list': [
    ['berth token list', 'masked secrets, login, scopes, storage'],
    ['berth token list --json', 'as JSON'],
  ],
  'token status': [['berth token status', 'every token checked now; exit 1 if one fails']],
  'token use': [
    ['berth token use work', "this repository uses 'work' for its host"],
    ['berth token use personal --global', 'everywhere else'],
  ],
  'token unuse': [['berth token unuse github.com', 'forget the token chosen here']],
  'token verify': [['berth token verify github', 'check it again with its provider']],
  'token remove': [
    ['berth token remove github', 'from the keychain (or file)'],
    ['berth token remove github --force', 'even while repositories use it'],
  ],
  repo: [
    ['berth repo list', 'the registered code repositories'],
    ['berth repo detect', 'which one this directory is a checkout of'],
  ],
  'repo register': [
    [
      'berth repo register models --type github --owner acme --repository models --token github',
      'a GitHub repository',
    ],
    [
      'berth repo register seg --type gitlab --group vision/research --project seg --token gitlab',
      'a GitLab project',
    ],
  ],
  'repo list': [
    ['berth repo list', 'type, location, visibility, token'],
    ['berth repo list --json', 'as JSON'],
  ],
  'repo describe': [['berth repo describe models', "and this directory's checkout of it"]],
  'repo update': [
    ['berth repo update models --token work', 'use another stored token'],
    ['berth repo update models --no-token', 'a public repository'],
  ],
  'repo delete': [['berth repo delete models --yes', 'no question asked']],
  'repo detect': [
    ['berth repo detect', 'repository, commit, clean, pushed — no network'],
    ['berth repo detect ../other --json', 'another directory, as JSON'],
  ],
  'repo download': [
    ['berth repo download models --commit 3f2a9c1 --dir /tmp/models', 'that commit'],
    [
      'berth repo download models --commit 3f2a9c1 --dir /tmp/train --subdirectory train',
      'one folder',
    ],
  ],
  setup: [['berth setup', 'token, code repository, init here and a stack, step by step']],
  publish: [
    ['berth publish', 'the project in this directory, live build pane'],
    ['berth publish ./rotate --dry-run', 'the schema and the Dockerfile; builds nothing'],
    ['berth publish ./rotate --plain --full', 'lines, not a pane; the code in the image'],
    [
      'berth publish --base-image python:3.12-slim',
      "another base image; the module's next publishes keep it",
    ],
  ],
  module: [
    ['berth module list', 'every version of every module'],
    ['berth module describe rotate@3', 'one version'],
  ],
  'module list': [
    ['berth module list', 'status, visibility, image, digest'],
    ['berth module list rotate --json', 'one module, as JSON'],
  ],
  'module describe': [
    ['berth module describe rotate', 'the latest version: parameters, image, code'],
    ['berth module describe rotate@3 --json', 'one version, as JSON'],
  ],
  run: [
    ['berth run rotate --param angle=45', 'the latest version, on the active stack'],
    ['berth run rotate@3 --sweep angle=0,45,90 --parallel 2', 'three runs, two at a time'],
  ],
  runs: [
    ['berth runs list', 'the recorded runs'],
    ['berth runs describe 20250101-120000-a1b2c3', 'one run'],
  ],
  'runs list': [
    ['berth runs list', 'module, version, status, duration'],
    ['berth runs list --jq \'.[] | select(.status == "failed") | .id\'', 'failed runs'],
  ],
  'runs describe': [['berth runs describe 20250101-120000-a1b2c3', 'parameters, status, log']],
  logs: [
    ['berth logs rotate@3 --grep ERROR', 'the build log of version 3, matching lines'],
    ['berth logs 20250101-120000-a1b2c3 --follow', "a run's log as it grows"],
    ['berth logs rotate@3 --tail 50', 'the last 50 lines'],
  ],
  code: [['berth code show rotate@3', 'the exact code of a publish']],
  'code show': [
    ['berth code show rotate@3', 'commit, and the snapshot diff if any'],
    [
      'berth code show 20250101-120000-a1b2c3 > run.patch && git apply run.patch',
      "a run's uncommitted work, applied here",
    ],
  ],
  completion: [
    ['source <(berth completion bash)', 'bash; zsh likewise, after compinit'],
    ['berth completion fish | source', 'fish'],
  ],
};

/** `stack register` for that command; `''` for the program. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent)
    names.unshift(current.name());
  return names.join(' ');
}

/** The "Examples:" block for a command path, or undefined when it has none. */
export function examplesText(path: string): string | undefined {
  const entries = examples[path];
  if (!entries?.length) return undefined;
  const lines = entries.flatMap(([command, what]) => [`  # ${what}`, `  $ ${command}`]);
  return `\nExamples:\n${lines.join('\n')}`;
}

/** Appends its examples to the help of `command` and every command below it. */
export function addExamples(command: Command): void {
  const text = examplesText(commandPath(command));
  if (text) command.addHelpText('after', text);
  for (const sub of command.commands) addExamples(sub);
}

/**
 * commander's own errors ("error: unknown option '--colour'\n(Did you mean --color?)") in
 * berth's form: `Error: Unknown option '--colour'.`, the suggestion, then which help to read.
 */
export function usageErrorText(text: string, command: Command, output: Output): string {
  const [first = '', ...rest] = text.trim().split('\n');
  const message = first.replace(/^error:\s*/i, '');
  const sentence = `${message.charAt(0).toUpperCase()}${message.slice(1)}`;
  const suggestions = rest.map((line) => line.replace(/^\((.*)\)$/, '$1')).filter(Boolean);
  const lines = [
    `${output.style('red', 'Error:')} ${/[.!?]$/.test(sentence) ? sentence : `${sentence}.`}`,
    ...(suggestions.length > 0 ? suggestions : parameterHint(message, command)),
    helpHint(command),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `berth run rotate --angle 45`, as `docker run IMAGE --angle 45` takes it: a module's
 * parameters go through --param on berth's command line.
 */
function parameterHint(message: string, command: Command): string[] {
  const name = /^unknown option '--([^'=]+)/.exec(message)?.[1];
  if (!name || commandPath(command) !== 'run') return [];
  return [`A module's parameters go in --param: \`berth run MODULE --param ${name}=VALUE\`.`];
}

/** Where to read how a command is used: ``Run `berth stack register --help`.`` */
export function helpHint(command: Command): string {
  return `Run \`${['berth', commandPath(command)].filter(Boolean).join(' ')} --help\`.`;
}
