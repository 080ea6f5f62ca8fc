// `berth status --prompt`: one short line for a shell prompt — profile/stack, where they came
// from when a variable or flag chose them, and the account chosen for this directory. Answered
// by cli.tsx before commander loads; no git, no network, no keychain. Silent on errors (a
// prompt must not print a stack trace on every Enter): nothing on stdout, exit 1.
// `--init bash|zsh` prints the snippet that caches the line in the shell (prompt-init.ts);
// `--with-inputs`, what that snippet runs, adds the inputs that decided the line.
import {createDeps} from '../deps.js';
import {inert} from '../lib/inert.js';
import {resolveContext, type ActiveContext} from '../services/context.js';
import {
  contextInputs,
  preparePromptStamps,
  promptStampDirectory,
  recordStoreOpens,
  type ContextInput,
} from '../services/context-inputs.js';
import type {Deps} from '../deps.js';
import {extractGlobalFlags} from './global-flags.js';
import {promptInitScript, promptShells, type PromptShell} from './prompt-init.js';

/** `default/gpu`, `team/gpu (env)`, `default/gpu @octo-work`. */
export function promptLine(deps: Deps, context: ActiveContext): string {
  const chosen = [context.profileSource, context.stackSource].find(
    (source) => source === 'flag' || source === 'env',
  );
  const tokens = {...context.profile.tokens, ...context.repositoryConfig.tokens};
  const accounts = Object.values(tokens).map(
    (name) => `@${deps.tokenStore.get(name)?.login ?? name}`,
  );
  return [
    `${context.profile.name}/${context.stackName}${chosen ? ` (${chosen})` : ''}`,
    ...new Set(accounts),
  ].join(' ');
}

const inputLetters: Record<ContextInput['kind'], string> = {
  directory: 'd',
  file: 'f',
  optional: 'o',
  'not-directory': 'n',
};

/**
 * The prompt line; with `withInputs`, then one line per input (`f /path`, see prompt-init.ts)
 * and a last line `.` when the shell may keep the answer until one of them changes.
 */
export async function promptText(deps: Deps, withInputs: boolean): Promise<string> {
  const opened = withInputs ? recordStoreOpens(deps) : [];
  const line = `${inert(promptLine(deps, await resolveContext(deps)))}\n`;
  if (!withInputs) return line;
  prepareStamps(deps);
  const inputs = contextInputs(deps, opened);
  // A path with a line break can't be one line of the list: asked again on every prompt.
  if (!inputs || inputs.some((input) => /[\n\r]/.test(input.path))) return line;
  return `${line}${inputs.map((input) => `${inputLetters[input.kind]} ${input.path}\n`).join('')}.\n`;
}

export const unknownShell = (shell: string) =>
  `berth has a prompt snippet for bash, zsh and fish, not "${shell}".`;

/** The snippet for `shell`, or undefined for a shell berth has none for. */
export function promptInit(deps: Pick<Deps, 'stateDir'>, shell: string): string | undefined {
  if (!(promptShells as readonly string[]).includes(shell)) return undefined;
  prepareStamps(deps);
  return promptInitScript(shell as PromptShell, promptStampDirectory(deps));
}

function prepareStamps(deps: Pick<Deps, 'stateDir'>): void {
  try {
    preparePromptStamps(deps);
  } catch {
    // The shell can't write its stamp there: the line is still right, just asked for each time.
  }
}

export async function runPrompt(argv: readonly string[]): Promise<number> {
  let deps: Deps | undefined;
  try {
    const flags = extractGlobalFlags(argv);
    const init = initShell(flags.argv);
    if (init !== undefined) return printInit(init);
    deps = createDeps({overrides: {profile: flags.profile, stack: flags.stack}});
    process.stdout.write(await promptText(deps, flags.argv.includes('--with-inputs')));
    return 0;
  } catch {
    return 1;
  } finally {
    await deps?.close().catch(() => undefined);
  }
}

/** `--init SHELL` / `--init=SHELL`: the shell named ('' when none is). */
function initShell(argv: readonly string[]): string | undefined {
  const index = argv.findIndex(
    (argument) => argument === '--init' || argument.startsWith('--init='),
  );
  if (index < 0) return undefined;
  const argument = argv[index]!;
  return argument === '--init' ? (argv[index + 1] ?? '') : argument.slice('--init='.length);
}

function printInit(shell: string): number {
  const script = promptInit(createDeps(), shell);
  if (script === undefined) {
    process.stderr.write(
      `Error: ${unknownShell(inert(shell))}\nRun \`berth status --help\`: the snippet is loaded by ~/.bashrc, ~/.zshrc or config.fish.\n`,
    );
    return 2;
  }
  process.stdout.write(script);
  return 0;
}
