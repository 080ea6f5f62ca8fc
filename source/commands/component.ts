import {componentTypes} from '../models/stack.js';
import {
  deleteComponent,
  describeComponent,
  listComponents,
  parseOptions,
  registerComponent,
} from '../services/components.js';
import {announce, collect, type RegisterCommands} from './context.js';

export const registerComponentCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;
  const component = program
    .command('component')
    .description(`Register and list stack components (${componentTypes.join(', ')}).`);

  component
    .command('register')
    .description('Register a stack component.')
    .argument('<type>', componentTypes.join('|'))
    .argument('<name>')
    .requiredOption('--flavor <flavor>', 'e.g. local, docker, oci')
    .option(
      '--option <key=value>',
      'a flavor option (repeatable), e.g. uri=127.0.0.1:5000/team',
      collect,
    )
    .action(async (type: string, name: string, options: {flavor: string; option?: string[]}) => {
      const result = await registerComponent(ctx.deps, {
        type,
        name,
        flavor: options.flavor,
        options: parseOptions(options.option ?? []),
      });
      announce(ctx, result.context);
      output.success(
        `Registered ${result.component.type} '${result.component.name}' (${result.component.flavor}).`,
      );
    });

  component
    .command('list')
    .description('List components, optionally of one type.')
    .argument('[type]')
    .action(async (type: string | undefined) => {
      const {components, context} = await listComponents(ctx.deps, type);
      announce(ctx, context);
      output.result(
        components.map(({type: t, name, flavor, options}) => ({type: t, name, flavor, options})),
        () =>
          output.table(
            ['TYPE', 'NAME', 'FLAVOR', 'OPTIONS'],
            components.map((c) => [
              c.type,
              c.name,
              c.flavor,
              Object.entries(c.options)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ') || '-',
            ]),
          ),
      );
    });

  component
    .command('describe')
    .description('Show a component and the stacks that use it.')
    .argument('<type>')
    .argument('<name>')
    .action(async (type: string, name: string) => {
      const result = await describeComponent(ctx.deps, type, name);
      announce(ctx, result.context);
      output.result({...result.component, usedBy: result.usedBy}, () => {
        output.line(
          `${result.component.type} '${result.component.name}' (${result.component.flavor})`,
        );
        for (const [key, value] of Object.entries(result.component.options))
          output.line(`  ${key}: ${value}`);
        output.line(`  used by: ${result.usedBy.join(', ') || '-'}`);
      });
    });

  component
    .command('delete')
    .description('Delete a component that no stack uses.')
    .argument('<type>')
    .argument('<name>')
    .action(async (type: string, name: string) => {
      const result = await deleteComponent(ctx.deps, type, name);
      announce(ctx, result.context);
      output.success(`Deleted ${type} '${name}'.`);
    });
};
