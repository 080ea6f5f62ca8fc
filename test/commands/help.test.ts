// `--help` of every command, walked from the program definition and run as a user runs it:
// each ends with examples that name the command and only its options, no `(default: [])`;
// commander's own errors read like berth's and exit 2. Also where the "No berth repository"
// warning appears, and the one form of "the active stack/profile changed".
import type {Command} from 'commander';
import {beforeAll, describe, expect, it} from 'vitest';
import {createProgram, runCli} from '../../source/commands/program.js';
import type {CommandContext} from '../../source/commands/context.js';
import {createDeps, type Deps} from '../../source/deps.js';
import {Output} from '../../source/lib/output.js';
import {runBerth, tempDir, type RunResult} from '../support/cli.js';

type Walked = {path: string; command: Command};

function walk(command: Command, prefix: string[] = []): Walked[] {
  return command.commands
    .filter((sub) => !sub.name().startsWith('__'))
    .flatMap((sub) => {
      const path = [...prefix, sub.name()];
      return [{path: path.join(' '), command: sub}, ...walk(sub, path)];
    });
}

/** Long option names a command line may use at `command`: its own and the program's. */
function longOptions(command: Command, program: Command): Set<string> {
  const names = [...command.options, ...program.options].flatMap((option) =>
    option.long ? [option.long] : [],
  );
  return new Set([...names, '--help']);
}

/** The example command lines at the end of a help text (after "Examples:"). */
function exampleLines(help: string): string[] {
  const block = help.split('\nExamples:\n')[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('  $ '))
    .map((line) => line.slice(4));
}

/** `berth ARGS` in this process (the entry the bin calls), its output captured: fast enough to
 *  read the help of every command. */
async function inProcess(args: string[]): Promise<RunResult> {
  const text = {stdout: '', stderr: ''};
  const stream = (name: keyof typeof text) =>
    ({
      isTTY: false,
      write: (chunk: string | Uint8Array) => {
        text[name] += chunk.toString();
        return true;
      },
    }) as unknown as NodeJS.WriteStream;
  const code = await runCli({
    argv: args,
    deps: createDeps({env: {BERTH_CONFIG_DIR: configDir, NO_COLOR: '1'}, cwd: project}),
    io: {stdin: process.stdin, stdout: stream('stdout'), stderr: stream('stderr')},
  });
  return {code, ...text, json: () => JSON.parse(text.stdout) as never};
}

let program: Command;
let commands: Walked[];
let configDir: string;
let project: string;
const berth = (args: string[], cwd = project) =>
  runBerth(args, {cwd, env: {BERTH_CONFIG_DIR: configDir}});

beforeAll(async () => {
  const ctx: CommandContext = {
    deps: {} as Deps,
    output: new Output({json: false, color: false}),
    io: process as unknown as CommandContext['io'],
    confirmedStacks: [],
  };
  program = await createProgram(ctx, ['--help']);
  commands = [{path: '', command: program}, ...walk(program)];
  configDir = tempDir('berth-help-config-');
  project = tempDir('berth-help-project-');
});

describe('--help', () => {
  it('walks every command of the program', () => {
    // The walk is the program itself: a new command is covered without touching this test.
    const paths = commands.map((c) => c.path);
    for (const expected of ['stack register', 'token add', 'repo download', 'code show', 'logs'])
      expect(paths).toContain(expected);
    expect(paths.length).toBeGreaterThan(40);
  });

  it('ends with examples in the installed bin too', async () => {
    for (const args of [['--help'], ['stack', 'register', '--help']]) {
      const result = await berth(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\nExamples:\n(?: {2}.*\n)+$/);
    }
  });

  it('ends with examples of that command, using only its options, on every command', async () => {
    const helps = new Map<string, RunResult>();
    for (const {path} of commands)
      helps.set(path, await inProcess([...path.split(' ').filter(Boolean), '--help']));
    const problems: string[] = [];
    for (const {path} of commands) {
      const result = helps.get(path);
      const name = `berth ${path}`.trim();
      if (!result) throw new Error(`no help for ${name}`);
      if (result.code !== 0) problems.push(`${name} --help exits ${result.code}: ${result.stderr}`);
      const help = result.stdout;
      if (help.includes('(default: [])')) problems.push(`${name} --help shows (default: [])`);
      if (!/\nExamples:\n(?: {2}.*\n)+$/.test(help))
        problems.push(`${name} --help does not end with an Examples block:\n${help}`);
      const examples = exampleLines(help);
      if (examples.length === 0) problems.push(`${name} --help has no example`);
      for (const example of examples) {
        if (!example.includes(name)) problems.push(`${name}: example "${example}" is not of it`);
        // The options must be those of the command the example runs (a group's example runs
        // one of its subcommands).
        const words = example.slice(example.indexOf('berth ') + 'berth '.length).split(/\s+/);
        let target = program;
        for (const word of words) {
          const sub = target.commands.find((c) => c.name() === word);
          if (sub) target = sub;
          else if (!word.startsWith('-')) break;
        }
        const known = longOptions(target, program);
        for (const word of words) {
          const option = /^--[a-z][a-z0-9-]*/.exec(word)?.[0];
          if (option && !known.has(option))
            problems.push(`${name}: example "${example}" uses ${option}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("commander's own errors", () => {
  const expectUsage = (result: RunResult, lines: string[]) => {
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${lines.join('\n')}\n`);
  };

  it('an unknown option names it and the help to read, exit 2', async () => {
    expectUsage(await berth(['stack', 'list', '--colour']), [
      "Error: Unknown option '--colour'.",
      'Run `berth stack list --help`.',
    ]);
    expectUsage(await berth(['stack', 'register', 'gpu', '--sett']), [
      "Error: Unknown option '--sett'.",
      'Did you mean --set?',
      'Run `berth stack register --help`.',
    ]);
    expectUsage(await berth(['run', 'rotate', '--angle', '45']), [
      "Error: Unknown option '--angle'.",
      "A module's parameters go in --param: `berth run MODULE --param angle=VALUE`.",
      'Run `berth run --help`.',
    ]);
  });

  it('a missing argument or required option says which, exit 2', async () => {
    expectUsage(await berth(['stack', 'register']), [
      "Error: Missing required argument 'name'.",
      'Run `berth stack register --help`.',
    ]);
    expectUsage(await berth(['repo', 'download', 'models', '--dir', 'x']), [
      "Error: Required option '--commit <sha>' not specified.",
      'Run `berth repo download --help`.',
    ]);
  });

  it("berth's own usage errors without a next step point at the same help, exit 2", async () => {
    expectUsage(await berth(['repo', 'register', 'models', '--type', 'github']), [
      'Error: --owner is required.',
      'Run `berth repo register --help`.',
    ]);
  });

  it('an unknown command suggests the near one, exit 2', async () => {
    expectUsage(await berth(['stak', 'list']), [
      "Error: Unknown command 'stak'.",
      'Did you mean stack?',
      'Run `berth --help`.',
    ]);
  });
});

describe('what a command says besides its result', () => {
  const outside = 'No berth repository in';

  it('warns about no berth repository only where the repository matters', async () => {
    for (const args of [
      ['stack', 'list'],
      ['profile', 'list'],
      ['stack', 'describe'],
    ]) {
      const result = await berth(args);
      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain(outside);
    }
    expect((await berth(['status'])).stderr).toContain(outside);
    // "here" means nothing without a repository: the switch is global, and berth says so.
    const set = await berth(['stack', 'set', 'default']);
    expect(set.stderr).toContain(outside);
    expect(set.stdout).toBe("✓ Active stack: 'default' (global).\n");
    const global = await berth(['stack', 'set', 'default', '--global']);
    expect(global.stderr).not.toContain(outside);
  });

  it('says every switch of stack or profile in one form', async () => {
    expect((await berth(['stack', 'register', 'gpu', '--set'])).stdout).toBe(
      "✓ Registered stack 'gpu'.\n✓ Active stack: 'gpu' (global).\n",
    );
    expect((await berth(['profile', 'create', 'team'])).code).toBe(0);
    expect((await berth(['profile', 'set', 'team', '--global'])).stdout).toBe(
      "✓ Active profile: 'team' (global).\n",
    );
  });
});
