import {UsageError} from '../lib/errors.js';
import {activeMessage} from '../lib/active-message.js';
import {confirm} from '../lib/prompt.js';
import {componentTypes, type ComponentType} from '../models/stack.js';
import {
  copyStack,
  deleteStack,
  describeStack,
  listStacks,
  registerStack,
  renameStack,
  setActiveStack,
} from '../services/stacks.js';
import {announce, type RegisterCommands} from './context.js';

export const registerStackCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;
  const stack = program
    .command('stack')
    .description(
      'Register, list and switch stacks (orchestrator, artifact store, registry, image builder).',
    );

  stack
    .command('register')
    .description("Register a stack. Component types left out take the default stack's.")
    .argument('<name>')
    .option('-o, --orchestrator <name>', 'orchestrator component')
    .option('-a, --artifact-store <name>', 'artifact store component')
    .option('-c, --container-registry <name>', 'container registry component')
    .option('-i, --image-builder <name>', 'image builder component')
    .option('--set', 'make it the active stack')
    .action(
      async (
        name: string,
        options: {
          orchestrator?: string;
          artifactStore?: string;
          containerRegistry?: string;
          imageBuilder?: string;
          set?: boolean;
        },
      ) => {
        const components: Partial<Record<ComponentType, string>> = {
          orchestrator: options.orchestrator,
          artifact_store: options.artifactStore,
          container_registry: options.containerRegistry,
          image_builder: options.imageBuilder,
        };
        const result = await registerStack(ctx.deps, {name, components, setActive: options.set});
        announce(ctx, result.context, {repository: Boolean(options.set)});
        output.success(`Registered stack '${result.stack.name}'.`);
        if (result.activation)
          output.success(activeMessage('stack', result.activation.name, result.activation.scope));
      },
    );

  stack
    .command('list')
    .description('List the stacks of the active profile.')
    .action(async () => {
      const {stacks, context} = await listStacks(ctx.deps);
      announce(ctx, context);
      output.result(
        stacks.map((s) => ({
          name: s.name,
          active: s.active,
          components: s.components,
          protected: s.protected === true,
        })),
        () =>
          output.table(
            ['ACTIVE', 'STACK', ...componentTypes.map((t) => t.toUpperCase())],
            stacks.map((s) => [
              s.active ? '*' : '',
              s.protected ? `${s.name} (protected)` : s.name,
              ...componentTypes.map((t) => s.components[t] ?? '-'),
            ]),
          ),
      );
    });

  stack
    .command('describe')
    .description('Show a stack and its components (the active stack by default).')
    .argument('[name]')
    .action(async (name: string | undefined) => {
      const {stack: found, components, context} = await describeStack(ctx.deps, name);
      announce(ctx, context);
      output.result(
        {...found, source: found.active ? context.stackSource : null, componentDetails: components},
        () => {
          output.line(
            `Stack '${found.name}'${found.active ? ` (active, ${context.stackSource})` : ''}${found.protected ? ' — protected: publish and run ask for its name' : ''}`,
          );
          for (const type of componentTypes) {
            const component = components[type];
            const options = component
              ? Object.entries(component.options)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')
              : '';
            output.line(
              `  ${type.padEnd(19)} ${component ? `${component.name} (${component.flavor})${options ? ` ${options}` : ''}` : '-'}`,
            );
          }
        },
      );
    });

  stack
    .command('set')
    .description(
      'Set the active stack here (this repository) or --global; `-` returns to the previous one.',
    )
    .argument('<name>', 'stack name, or - for the previous stack')
    .option('--global', 'set the active stack of the profile, not of this repository')
    .action(async (name: string, options: {global?: boolean}) => {
      const result = await setActiveStack(ctx.deps, {name, global: options.global});
      announce(ctx, result.context, {repository: !options.global});
      const {context} = result;
      output.success(
        activeMessage(
          'stack',
          result.name,
          result.scope,
          result.scope === 'global' && context.stackSource === 'local'
            ? context.stackName
            : undefined,
        ),
      );
    });

  stack
    .command('update')
    .description(
      'Change a stack: --protect makes publish and run on it ask for its name to be typed.',
    )
    .argument('<name>')
    .option('--protect', 'publish and run ask for the stack name (or --yes-i-mean-NAME)')
    .option('--no-protect', 'publish and run go ahead without asking')
    .action(async (name: string, options: {protect?: boolean}) => {
      if (options.protect === undefined) {
        throw new UsageError('Nothing to change.', {hint: 'Pass --protect or --no-protect.'});
      }
      const {setStackProtection} = await import('../services/stack-protection.js');
      const result = await setStackProtection(ctx.deps, {name, protect: options.protect});
      announce(ctx, result.context);
      output.success(
        options.protect
          ? `Stack '${name}' is protected: publish and run ask for its name.`
          : `Stack '${name}' is no longer protected.`,
      );
    });

  stack
    .command('delete')
    .description('Delete a stack (its components stay).')
    .argument('<name>')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (name: string, options: {yes?: boolean}) => {
      const result = await deleteStack(ctx.deps, {
        name,
        confirm: async () =>
          options.yes === true ||
          confirm(ctx.io, `Delete stack '${name}'?`, 'Pass -y to delete without asking.'),
      });
      announce(ctx, result.context);
      output.success(`Deleted stack '${name}'.`);
    });

  stack
    .command('rename')
    .description('Rename a stack.')
    .argument('<old>')
    .argument('<new>')
    .action(async (from: string, to: string) => {
      const result = await renameStack(ctx.deps, {from, to});
      announce(ctx, result.context);
      output.success(`Renamed stack '${from}' to '${to}'.`);
    });

  stack
    .command('copy')
    .description('Copy a stack under a new name.')
    .argument('<source>')
    .argument('<target>')
    .action(async (from: string, to: string) => {
      const result = await copyStack(ctx.deps, {from, to});
      announce(ctx, result.context);
      output.success(`Copied stack '${from}' to '${to}'.`);
    });
};
