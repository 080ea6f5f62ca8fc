import type {Deps} from '../deps.js';
import {CancelledError, UserError} from '../lib/errors.js';
import {validateName} from '../lib/names.js';
import type {Source} from '../models/profile.js';
import {componentTypes, type Component, type ComponentType, type Stack} from '../models/stack.js';
import {DuplicateKeyError, type ProfileStore} from '../store/profile-store.js';
import {updateRepositoryConfig} from '../store/repository-config.js';
import {defaultStackName, now, resolveContext, type ActiveContext} from './context.js';
import {getComponent} from './components.js';

export type StackView = Stack & {active: boolean};

export async function listStacks(
  deps: Deps,
): Promise<{stacks: StackView[]; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const stacks = await store.collection<Stack>('stacks').list();
  return {
    stacks: stacks.map((stack) => ({...stack, active: stack.name === context.stackName})),
    context,
  };
}

export async function getStack(
  store: ProfileStore,
  name: string,
  profileName: string,
): Promise<Stack> {
  const stack = await store.collection<Stack>('stacks').get(name);
  if (!stack) {
    throw new UserError(`No stack named "${name}" in profile '${profileName}'.`, {
      hint: (_f, act) => `See the stacks: ${act({kind: 'stack.list'})}.`,
    });
  }
  return stack;
}

export async function describeStack(deps: Deps, name?: string) {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const stack = await getStack(store, name ?? context.stackName, context.profile.name);
  const components: Partial<Record<ComponentType, Component>> = {};
  for (const type of componentTypes) {
    const componentName = stack.components[type];
    if (componentName) components[type] = await getComponent(deps, context, type, componentName);
  }
  return {stack: {...stack, active: stack.name === context.stackName}, components, context};
}

export type RegisterStackInput = {
  name: string;
  components: Partial<Record<ComponentType, string>>;
  setActive?: boolean;
};

export async function registerStack(deps: Deps, input: RegisterStackInput) {
  const name = validateName('stack', input.name);
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const defaults = await store.collection<Stack>('stacks').get(defaultStackName);
  // Component types left out take the default stack's (a registry and builder included).
  const components: Stack['components'] = {
    orchestrator: input.components.orchestrator ?? defaults?.components.orchestrator ?? 'default',
    artifact_store:
      input.components.artifact_store ?? defaults?.components.artifact_store ?? 'default',
  };
  const registry = input.components.container_registry ?? defaults?.components.container_registry;
  if (registry) components.container_registry = registry;
  const builder = input.components.image_builder ?? defaults?.components.image_builder;
  if (builder) components.image_builder = builder;
  const stack: Stack = {name, components, createdAt: now()};
  if (!input.setActive) {
    await insertStack(deps, context, store, stack);
    return {stack, context, activation: undefined};
  }
  // With --set, the stack and its activation land together or not at all: config.json's lock
  // is taken first (a read-only or immutable config dir fails before anything is written), and
  // a failed activation takes the new stack out again.
  return deps.globalConfig.lock(async () => {
    await insertStack(deps, context, store, stack);
    try {
      const activation = await setActiveStack(deps, {name});
      return {stack, context, activation};
    } catch (error) {
      await store
        .collection<Stack>('stacks')
        .delete(name)
        .catch(() => undefined);
      throw error;
    }
  });
}

async function insertStack(
  deps: Deps,
  context: ActiveContext,
  store: ProfileStore,
  stack: Stack,
): Promise<void> {
  const {name, components} = stack;
  try {
    // The components are checked in the transaction that inserts the stack, so a concurrent
    // `component delete` (which checks the stacks in its own) can't slip in between.
    await store.transaction(async () => {
      for (const type of componentTypes) {
        const componentName = components[type];
        if (componentName) await getComponent(deps, context, type, componentName);
      }
      await store.collection<Stack>('stacks').insert(name, stack);
    });
  } catch (error) {
    if (error instanceof DuplicateKeyError) {
      throw new UserError(
        `A stack named "${name}" exists already in profile '${context.profile.name}'.`,
        {
          hint: (_f, act) =>
            `Pick another name, or delete the old one first: ${act({kind: 'stack.delete', name})}.`,
        },
      );
    }
    throw error;
  }
}

export type SetStackResult = {
  name: string;
  previous: string;
  scope: Source;
  context: ActiveContext;
};

/** Sets the active stack in this repository (or globally with `global`); `-` is the previous one. */
export async function setActiveStack(
  deps: Deps,
  input: {name: string; global?: boolean},
): Promise<SetStackResult> {
  // Under config.json's lock, which `stack delete` and `stack rename` hold too: the stack
  // can't disappear between the check that it exists and the write that makes it active.
  return deps.globalConfig.lock(() => setActiveStackLocked(deps, input));
}

async function setActiveStackLocked(
  deps: Deps,
  input: {name: string; global?: boolean},
): Promise<SetStackResult> {
  const context = await resolveContext(deps);
  const scope: Source = context.repositoryRoot && !input.global ? 'local' : 'global';
  let name = input.name;
  if (name === '-') {
    const previous =
      scope === 'local' ? context.repositoryConfig.previous_stack : context.profile.previousStack;
    if (!previous)
      throw new UserError('There is no previous stack to return to yet.', {
        hint: (_f, act) => `Set a stack first: ${act({kind: 'stack.set'})}.`,
      });
    name = previous;
  }
  const store = await deps.openStore(context.profile);
  await getStack(store, name, context.profile.name);
  const previous = scope === 'local' ? context.stackName : context.profile.activeStack;
  if (scope === 'local' && context.repositoryRoot) {
    await updateRepositoryConfig(context.repositoryRoot, (config) => {
      if (config.active_stack !== name || previous !== name) config.previous_stack = previous;
      config.active_stack = name;
    });
  } else {
    await deps.globalConfig.update((config) => {
      const profile = config.profiles.find((p) => p.name === context.profile.name);
      if (!profile) throw new UserError(`Profile '${context.profile.name}' was deleted meanwhile.`);
      if (profile.activeStack !== name) profile.previousStack = profile.activeStack;
      profile.activeStack = name;
    });
  }
  return {name, previous, scope, context};
}

/** Where a stack is active, as far as this process can see. */
function activeUses(context: ActiveContext, name: string): string[] {
  const uses: string[] = [];
  if (context.profile.activeStack === name)
    uses.push(`the active stack of profile '${context.profile.name}'`);
  if (context.repositoryRoot && context.stackSource === 'local' && context.stackName === name) {
    uses.push(`the active stack of the repository at ${context.repositoryRoot}`);
  }
  return uses;
}

export async function deleteStack(
  deps: Deps,
  input: {name: string; confirm: (stack: Stack) => Promise<boolean>},
) {
  // Checked once before asking (no lock is held while a person answers), and again under
  // config.json's lock together with the delete: `stack set` holds the same lock.
  const checked = await deletableStack(deps, input.name);
  if (!(await input.confirm(checked.stack)))
    throw new CancelledError(`Kept stack "${input.name}".`);
  return deps.globalConfig.lock(async () => {
    const {stack, context, store} = await deletableStack(deps, input.name);
    await store.collection<Stack>('stacks').delete(input.name);
    return {stack, context};
  });
}

async function deletableStack(deps: Deps, name: string) {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const stack = await getStack(store, name, context.profile.name);
  const uses = activeUses(context, name);
  if (uses.length > 0) {
    throw new UserError(`Stack "${name}" is ${uses.join(' and ')}; berth won't delete it.`, {
      hint: (_f, act) => `Switch to another stack first: ${act({kind: 'stack.set'})}.`,
    });
  }
  return {stack, context, store};
}

export async function renameStack(deps: Deps, input: {from: string; to: string}) {
  const to = validateName('stack', input.to);
  // The store, config.json and this repository's config change together under config.json's
  // lock, so a concurrent `stack set` sees the old name everywhere or the new one everywhere.
  return deps.globalConfig.lock(() => renameStackLocked(deps, input.from, to));
}

async function renameStackLocked(deps: Deps, from: string, to: string) {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const stacks = store.collection<Stack>('stacks');
  await store.transaction(async () => {
    const stack = await getStack(store, from, context.profile.name);
    try {
      await stacks.insert(to, {...stack, name: to});
    } catch (error) {
      if (error instanceof DuplicateKeyError)
        throw new UserError(`A stack named "${to}" exists already.`);
      throw error;
    }
    await stacks.delete(from);
  });
  await deps.globalConfig.update((config) => {
    for (const profile of config.profiles) {
      if (profile.name !== context.profile.name) continue;
      if (profile.activeStack === from) profile.activeStack = to;
      if (profile.previousStack === from) profile.previousStack = to;
    }
  });
  const root = context.repositoryRoot;
  if (
    root &&
    (context.repositoryConfig.active_stack === from ||
      context.repositoryConfig.previous_stack === from)
  ) {
    await updateRepositoryConfig(root, (config) => {
      if (config.active_stack === from) config.active_stack = to;
      if (config.previous_stack === from) config.previous_stack = to;
    });
  }
  return {from: from, to, context};
}

export async function copyStack(deps: Deps, input: {from: string; to: string}) {
  const to = validateName('stack', input.to);
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const stack = await getStack(store, input.from, context.profile.name);
  try {
    await store.collection<Stack>('stacks').insert(to, {...stack, name: to, createdAt: now()});
  } catch (error) {
    if (error instanceof DuplicateKeyError)
      throw new UserError(`A stack named "${to}" exists already.`);
    throw error;
  }
  return {from: input.from, to, context};
}
