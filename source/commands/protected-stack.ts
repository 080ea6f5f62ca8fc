// Before publishing or running: a protected stack's name must be typed at a prompt, or named
// up front with --yes-i-mean-STACK when there is no terminal to type it in.
import {CancelledError, UsageError} from '../lib/errors.js';
import {inert} from '../lib/inert.js';
import {ask, canPrompt} from '../lib/prompt.js';
import type {CommandContext} from './context.js';

/** The confirmed stack name to pass to the use case, or undefined when the stack is not protected. */
export async function confirmProtectedStack(
  ctx: CommandContext,
  action: 'publish' | 'run',
): Promise<string | undefined> {
  const {protectedActiveStack} = await import('../services/stack-protection.js');
  const name = await protectedActiveStack(ctx.deps);
  if (name === undefined || ctx.confirmedStacks.includes(name)) return name;
  if (!canPrompt(ctx.io)) {
    throw new UsageError(
      `Stack '${name}' is protected, and stdin is not a terminal to type its name in.`,
      {hint: `Pass --yes-i-mean-${name} to ${action} on it.`},
    );
  }
  const typed = await ask(
    ctx.io,
    `Stack '${name}' is protected. Type its name to ${action} on it: `,
  );
  if (typed.trim() !== name) {
    throw new CancelledError(
      `'${inert(typed.trim())}' is not '${name}'; nothing was ${action === 'publish' ? 'published' : 'run'}.`,
    );
  }
  return name;
}
