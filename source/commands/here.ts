// `berth status` and `berth repo detect [PATH] [--ignore-untracked]`, the commands people type
// all day, without commander: the same actions (checkout.ts) in the same invocation
// (invocation.ts), answered by cli.tsx from one file of their own (scripts/build.mjs). Anything
// else on the line (--help, an unknown flag, a word after a bare --json) is left to the full
// program, which says what is wrong with it.
import type {CommandContext} from './context.js';
import {detectCheckout, showStatus} from './checkout.js';
import {extractGlobalFlags} from './global-flags.js';
import {invoke, runAction, startInvocation, type RunOptions} from './invocation.js';

type Action = (ctx: CommandContext) => Promise<void>;

/** The action for this command line, or undefined when the full program must parse it. */
export function hereAction(argv: readonly string[]): Action | undefined {
  let words: string[];
  try {
    const flags = extractGlobalFlags(argv);
    if (flags.jsonWord !== undefined) return undefined;
    words = flags.argv.filter((word) => word !== '--no-color');
  } catch {
    return undefined;
  }
  if (words.length === 1 && words[0] === 'status') return showStatus;
  if (words[0] !== 'repo' || words[1] !== 'detect') return undefined;
  const rest = words.slice(2);
  const ignoreUntracked = rest.includes('--ignore-untracked');
  const paths = rest.filter((word) => word !== '--ignore-untracked');
  if (paths.length > 1 || paths.some((word) => word.startsWith('-'))) return undefined;
  return (ctx) => detectCheckout(ctx, paths[0], {ignoreUntracked});
}

/** Runs `status` or `repo detect`; undefined when the line is not one of them (see above). */
export async function runHere(options: RunOptions): Promise<number | undefined> {
  const action = hereAction(options.argv);
  if (!action) return undefined;
  const invocation = startInvocation(options);
  return invoke(invocation, async () => {
    await runAction(invocation.ctx.output, invocation.flags, () => action(invocation.ctx));
    return 0;
  });
}
