import {announce, type RegisterCommands} from './context.js';

export const registerModuleCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;
  const module = program
    .command('module')
    .description('Published code modules and their versions.');

  module
    .command('list')
    .description('List module versions (status, visibility, image, digest).')
    .argument('[name]', 'only this module')
    .action(async (name: string | undefined) => {
      const {listModules, moduleListJson} = await import('../services/modules.js');
      const {modules, context} = await listModules(ctx.deps, name === undefined ? {} : {name});
      announce(ctx, context);
      output.result(modules.map(moduleListJson), () => {
        if (modules.length === 0) {
          output.line('No modules yet. Publish a code project with `berth publish PATH`.');
          return;
        }
        output.table(
          ['MODULE', 'VERSION', 'STATUS', 'VISIBILITY', 'PARAMETERS', 'IMAGE'],
          modules.map((m) => [
            m.slug,
            String(m.version),
            m.displayStatus,
            m.effectiveVisibility,
            m.schema.parameters.map((p) => p.name).join(',') || '-',
            m.image ?? (m.error ? `- (${m.error.slice(0, 60)})` : '-'),
          ]),
        );
      });
    });

  module
    .command('describe')
    .description(
      'Show a module version: schema, image, digest, labels, log (the latest published by default).',
    )
    .argument('<module>', 'NAME or NAME@VERSION')
    .action(async (ref: string) => {
      const {findModuleVersion, moduleListJson} = await import('../services/modules.js');
      const {module: found, context} = await findModuleVersion(ctx.deps, ref);
      announce(ctx, context);
      output.result(
        {
          ...moduleListJson(found),
          schema: found.schema,
          labels: found.labels,
          codeReference: found.codeReference,
          visibilitySource: found.visibilitySource,
          baseImage: found.baseImage,
          stack: found.stack,
          registry: found.registry,
          sizeBytes: found.sizeBytes,
          steps: found.steps,
          durationMs: found.durationMs,
          dependencyChecksum: found.dependencyChecksum,
          schemaDiff: found.schemaDiff ?? null,
        },
        () => {
          output.line(
            `Module      ${found.slug} version ${found.version} (${found.displayStatus})`,
          );
          output.line(`Name        ${found.name}`);
          if (found.schema.description) output.line(`Description ${found.schema.description}`);
          output.line(
            `Visibility  ${found.effectiveVisibility} (${found.visibilitySource === 'repository' ? 'from the code repository' : 'as published'})`,
          );
          output.line(`Entry point ${found.entryPoint}`);
          output.line(`Image       ${found.image ?? '-'}`);
          output.line(`Digest      ${found.digest ?? '-'}`);
          output.line(`Commit      ${found.commit ?? '-'}`);
          if (found.error) output.line(`Error       ${found.error}`);
          output.line(`Log         ${found.logFile}`);
          output.line('');
          if (found.schema.parameters.length === 0) output.line('No parameters.');
          else {
            output.table(
              ['PARAMETER', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'],
              found.schema.parameters.map((p) => [
                p.name,
                p.type,
                p.required ? 'yes' : 'no',
                JSON.stringify(p.defaultValue),
                p.description,
              ]),
            );
          }
          if (found.schemaDiff && found.schemaDiff.against !== null) {
            output.line('');
            output.line(`Schema changes since version ${found.schemaDiff.against}:`);
            if (found.schemaDiff.changes.length === 0) output.line('  none');
            for (const change of found.schemaDiff.changes)
              output.line(`  ${change.breaking ? 'BREAKING' : 'note    '}  ${change.message}`);
          }
          const labels = Object.entries(found.labels).filter(([key]) => key !== 'dev.berth.schema');
          if (labels.length > 0) {
            output.line('');
            output.line('Labels:');
            for (const [key, value] of labels) output.line(`  ${key}=${value}`);
          }
        },
      );
    });
};
