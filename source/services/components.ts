import type {Deps} from '../deps.js';
import {FieldError, UsageError, UserError} from '../lib/errors.js';
import {validateName} from '../lib/names.js';
import {refuseSecretOptions} from '../lib/secret.js';
import {
  componentFlavors,
  componentKey,
  componentTypes,
  isComponentType,
  optionRulesOf,
  type Component,
  type ComponentType,
  type Stack,
} from '../models/stack.js';
import {DuplicateKeyError} from '../store/profile-store.js';
import {now, resolveContext, type ActiveContext} from './context.js';

export function parseComponentType(type: string): ComponentType {
  if (!isComponentType(type)) {
    throw new UsageError(`"${type}" is not a component type.`, {
      hint: `Use one of: ${componentTypes.join(', ')}.`,
    });
  }
  return type;
}

/** Parses `key=value` pairs; a key given twice is an error, not a silent overwrite. */
export function parseOptions(pairs: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new FieldError('options', `"${pair}" is not key=value.`, {
        hint: (f) => `Write options as ${f('options')} key=value.`,
      });
    const key = pair.slice(0, at);
    if (key in options) throw new UsageError(`Option "${key}" is given twice.`);
    options[key] = pair.slice(at + 1);
  }
  return options;
}

export type RegisterComponentInput = {
  type: string;
  name: string;
  flavor: string;
  options: Record<string, string>;
};

export async function registerComponent(
  deps: Deps,
  input: RegisterComponentInput,
): Promise<{component: Component; context: ActiveContext}> {
  const type = parseComponentType(input.type);
  const name = validateName('component', input.name);
  const flavors = componentFlavors[type];
  if (!flavors.includes(input.flavor)) {
    throw new FieldError('flavor', `"${input.flavor}" is not a flavor of ${type}.`, {
      hint: (f) => `Use ${f('flavor')} ${flavors.join(` or ${f('flavor')} `)}.`,
    });
  }
  const {allowed, required} = optionRulesOf(type, input.flavor);
  for (const key of Object.keys(input.options)) {
    if (!allowed.includes(key)) {
      throw new UsageError(`${type} (${input.flavor}) does not take option "${key}".`, {
        hint: allowed.length
          ? `The ${input.flavor} flavor takes: ${allowed.join(', ')}.`
          : `The ${input.flavor} flavor takes no options.`,
      });
    }
  }
  for (const key of required) {
    if (!input.options[key])
      throw new FieldError('options', (f) => `${type} needs ${f('options')} ${key}=VALUE.`);
  }
  // `credentials` is the NAME of a stored token; a value that is itself a secret is refused.
  refuseSecretOptions(
    input.options,
    (f, act) =>
      `Store it as a registry login (${act({kind: 'token.add', provider: 'registry'})}) and name that: ${f('options')} credentials=NAME.`,
    {names: false},
  );
  if (type === 'container_registry' && input.flavor === 'oci')
    validateRegistryUri(input.options.uri ?? '');
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const component: Component = {
    type,
    name,
    flavor: input.flavor,
    options: input.options,
    createdAt: now(),
  };
  try {
    await store.collection<Component>('components').insert(componentKey(type, name), component);
  } catch (error) {
    if (error instanceof DuplicateKeyError) {
      throw new UserError(`A ${type} named "${name}" exists already.`, {
        hint: (_f, act) =>
          `Pick another name, or delete it first: ${act({kind: 'component.delete', type, name})}.`,
      });
    }
    throw error;
  }
  return {component, context};
}

function validateRegistryUri(uri: string): void {
  if (/^[a-z]+:\/\//i.test(uri) || !/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._/-]+)?$/.test(uri)) {
    throw new UsageError(`"${uri}" is not a registry URI.`, {
      hint: 'Write host[:port][/namespace], e.g. 127.0.0.1:5000/team.',
    });
  }
}

export async function listComponents(
  deps: Deps,
  type?: string,
): Promise<{components: Component[]; context: ActiveContext}> {
  const wanted = type === undefined ? undefined : parseComponentType(type);
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const all = await store.collection<Component>('components').list();
  return {components: wanted ? all.filter((c) => c.type === wanted) : all, context};
}

export async function getComponent(
  deps: Deps,
  context: ActiveContext,
  type: ComponentType,
  name: string,
): Promise<Component> {
  const store = await deps.openStore(context.profile);
  const component = await store.collection<Component>('components').get(componentKey(type, name));
  if (!component) {
    throw new UserError(`No ${type} named "${name}" in profile '${context.profile.name}'.`, {
      hint: (_f, act) =>
        `See them: ${act({kind: 'component.list', type})}. Or register it: ${act({kind: 'component.register', type, name})}.`,
    });
  }
  return component;
}

export async function describeComponent(deps: Deps, type: string, name: string) {
  const context = await resolveContext(deps);
  const component = await getComponent(deps, context, parseComponentType(type), name);
  const stacks = await deps
    .openStore(context.profile)
    .then((s) => s.collection<Stack>('stacks').list());
  const usedBy = stacks
    .filter((stack) => stack.components[component.type] === component.name)
    .map((s) => s.name);
  return {component, usedBy, context};
}

export async function deleteComponent(deps: Deps, type: string, name: string) {
  const componentType = parseComponentType(type);
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  await store.transaction(async () => {
    await getComponent(deps, context, componentType, name);
    const stacks = await store.collection<Stack>('stacks').list();
    const usedBy = stacks
      .filter((stack) => stack.components[componentType] === name)
      .map((s) => s.name);
    if (usedBy.length > 0) {
      throw new UserError(
        `${componentType} "${name}" is part of stack ${usedBy.map((s) => `"${s}"`).join(', ')}.`,
        {
          hint: 'Delete those stacks first, or register them with another component.',
        },
      );
    }
    await store.collection<Component>('components').delete(componentKey(componentType, name));
  });
  return {context};
}
