// Protected stacks: publishing or running on one needs its name confirmed (typed at a prompt,
// or named by the caller up front). The check lives in the use cases themselves, so no front
// end can skip it; front ends ask first (`protectedActiveStack`) and pass what was confirmed.
import type {Deps} from '../deps.js';
import {UserError} from '../lib/errors.js';
import type {Stack} from '../models/stack.js';
import {resolveContext, type ActiveContext} from './context.js';
import {getStack} from './stacks.js';

/** Raised when a protected stack was not confirmed; `stackName` names it for the front end. */
export class ProtectedStackError extends UserError {
  constructor(
    readonly stackName: string,
    readonly action: 'publish' | 'run',
  ) {
    super(`Stack '${stackName}' is protected: to ${action} on it, confirm its name.`);
  }
}

/** Marks a stack protected, or not. */
export async function setStackProtection(
  deps: Deps,
  input: {name: string; protect: boolean},
): Promise<{stack: Stack; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const stacks = store.collection<Stack>('stacks');
  const stack = await store.transaction(async () => {
    const current = await getStack(store, input.name, context.profile.name);
    const next: Stack = {...current};
    if (input.protect) next.protected = true;
    else delete next.protected;
    await stacks.put(current.name, next);
    return next;
  });
  return {stack, context};
}

/** The active stack's name when it is protected (front ends ask before they start). */
export async function protectedActiveStack(
  deps: Deps,
  context?: ActiveContext,
): Promise<string | undefined> {
  const active = context ?? (await resolveContext(deps));
  const store = await deps.openStore(active.profile);
  const stack = await store.collection<Stack>('stacks').get(active.stackName);
  return stack?.protected ? stack.name : undefined;
}

/** Refuses to go on with a protected stack whose name was not confirmed. */
export function requireConfirmedStack(
  stack: Stack,
  confirmed: string | undefined,
  action: 'publish' | 'run',
): void {
  if (stack.protected && confirmed !== stack.name)
    throw new ProtectedStackError(stack.name, action);
}
