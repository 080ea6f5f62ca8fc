import {UsageError, UserError} from '../lib/errors.js';
import {ago, localTime, took, when} from '../lib/format.js';
import {untilInterrupted} from '../lib/signals.js';
import {announce, collect, type RegisterCommands} from './context.js';
import {confirmProtectedStack} from './protected-stack.js';

type SweepFlagsIn = {param?: string[]; sweep?: string[]; parallel?: string; plain?: boolean};

export const registerRunCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;

  program
    .command('run')
    .description("Run a published module on the active stack's orchestrator and record the run.")
    .argument('<module>', 'NAME (the latest published version) or NAME@VERSION')
    .option('--param <key=value>', 'a parameter of the module (repeatable)', collect)
    .option(
      '--sweep <key=v1,v2>',
      'run once per combination of these values (repeatable: the cartesian product)',
      collect,
    )
    .option('--parallel <n>', 'sweep runs at once (default: what the orchestrator can take)')
    .option('--plain', 'a sweep prints lines, no live view')
    .action(async (ref: string, flags: SweepFlagsIn) => {
      const confirmedStack = await confirmProtectedStack(ctx, 'run');
      if (flags.sweep?.length) {
        const {runSweepCommand} = await import('./sweep.js');
        return runSweepCommand(ctx, ref, {...flags, sweep: flags.sweep}, confirmedStack);
      }
      if (flags.parallel !== undefined)
        throw new UsageError('--parallel goes with --sweep.', {
          hint: 'Add --sweep name=v1,v2, or leave --parallel out.',
        });
      const {runModule} = await import('../services/runs.js');
      // SIGINT/SIGTERM stop the run's container or process; it is recorded, then exit 130/143.
      let started: string | undefined;
      const {run, context} = await untilInterrupted(
        async (signal) => {
          const done = await runModule(
            ctx.deps,
            {ref, params: flags.param ?? [], confirmedStack},
            {
              signal,
              onStart: (record) => (started = record.id),
              onStdout: (chunk) => (output.json ? ctx.io.stderr : ctx.io.stdout).write(chunk),
              onStderr: (chunk) => ctx.io.stderr.write(chunk),
              onInfo: (line) => output.info(line),
            },
          );
          if (signal.aborted) {
            output.info(`Run ${done.run.id}: ${done.run.status}.`);
            signal.throwIfAborted();
          }
          return done;
        },
        (name) =>
          `${name === 'SIGINT' ? 'Cancelled' : 'Stopped (SIGTERM)'}${started ? `: run ${started} is recorded as cancelled (\`berth logs ${started}\`)` : ''}.`,
      );
      announce(ctx, context);
      if (output.json) output.data(run);
      else output.info(`Run ${run.id}: ${run.status} (${run.module} version ${run.version})`);
      if (run.status !== 'succeeded') {
        throw new UserError(
          `Run ${run.id} of ${run.module} version ${run.version} exited with code ${run.exitCode}.`,
          {
            hint: `See \`berth runs describe ${run.id}\`.`,
          },
        );
      }
    });

  const runs = program.command('runs').description('Recorded runs of modules.');

  runs
    .command('list')
    .description('List the runs of the active profile.')
    .option('--sweep <id>', 'only the runs of this sweep, with their parameters and nodes')
    .action(async (flags: {sweep?: string}) => {
      const {listRuns, runListJson} = await import('../services/runs.js');
      if (flags.sweep !== undefined) {
        const {listSweepRuns, describeValues} = await import('../services/sweeps.js');
        const {runs: found, context} = await listSweepRuns(ctx.deps, flags.sweep);
        announce(ctx, context);
        output.result(found.map(runListJson), () =>
          output.table(
            ['ID', 'PARAMETERS', 'NODE', 'STATUS', 'DURATION'],
            found.map((r) => [
              r.id,
              describeValues(r.parameters),
              r.node ?? '-',
              r.status,
              took(r.startedAt, r.finishedAt) ?? '-',
            ]),
          ),
        );
        return;
      }
      const {runs: found, context} = await listRuns(ctx.deps);
      announce(ctx, context);
      output.result(found.map(runListJson), () => {
        if (found.length === 0) {
          output.line('No runs yet. Run a module with `berth run NAME --param key=value`.');
          return;
        }
        output.table(
          ['ID', 'MODULE', 'VERSION', 'STATUS', 'STARTED', 'DURATION'],
          found.map((r) => [
            r.id,
            r.module,
            String(r.version),
            r.status,
            when(r.startedAt),
            took(r.startedAt, r.finishedAt) ?? '-',
          ]),
        );
      });
    });

  runs
    .command('describe')
    .description('Show one run.')
    .argument('<id>')
    .action(async (id: string) => {
      const {describeRun} = await import('../services/runs.js');
      const {run, context} = await describeRun(ctx.deps, id);
      announce(ctx, context);
      output.result(run, () => {
        output.line(`Run         ${run.id} (${run.status})`);
        output.line(`Module      ${run.module} version ${run.version}`);
        output.line(`Image       ${run.image ?? '-'}${run.digest ? `@${run.digest}` : ''}`);
        output.line(`Parameters  ${JSON.stringify(run.parameters)}`);
        output.line(`Started     ${localTime(run.startedAt)} (${ago(run.startedAt)})`);
        const duration = took(run.startedAt, run.finishedAt);
        output.line(
          `Finished    ${run.finishedAt ? `${localTime(run.finishedAt)} (took ${duration})` : '-'}`,
        );
        output.line(`Exit code   ${run.exitCode ?? '-'}`);
        output.line(
          `Stack       ${run.stack} (orchestrator ${run.orchestrator.name}, ${run.orchestrator.flavor})`,
        );
        if (run.codeReference) {
          output.line(
            `Code        ${run.codeReference.repositoryId} @ ${run.codeReference.commit}`,
          );
          if (run.codeReference.snapshot) {
            output.line(
              `Snapshot    ${run.codeReference.snapshot} (uncommitted work; \`berth code show ${run.id}\` prints it)`,
            );
          }
        }
        output.line(`Log         berth logs ${run.id}`);
        if (run.error) output.line(`Error       ${run.error}`);
      });
    });
};
