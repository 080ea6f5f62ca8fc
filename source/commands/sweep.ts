// `berth run MODULE --sweep name=v1,v2 … [--parallel N]`: on a terminal the live sweep view;
// otherwise one line per run start and end, each run's output prefixed with its number, and a
// summary (or, with --json, the sweep's runs).
import {InterruptedError, UserError} from '../lib/errors.js';
import {untilInterrupted} from '../lib/signals.js';
import type {SweepEvent, SweepResult} from '../services/sweeps.js';
import {announce, type CommandContext} from './context.js';

export type SweepFlags = {
  param?: string[];
  sweep: string[];
  parallel?: string;
  plain?: boolean;
};

export async function runSweepCommand(
  ctx: CommandContext,
  ref: string,
  flags: SweepFlags,
  confirmedStack: string | undefined,
): Promise<void> {
  const {output} = ctx;
  const {planSweep, runSweep, describeValues} = await import('../services/sweeps.js');
  const {UsageError} = await import('../lib/errors.js');
  const parallel = flags.parallel === undefined ? undefined : Number(flags.parallel);
  if (parallel !== undefined && !/^\d+$/.test(flags.parallel!.trim()))
    throw new UsageError(`--parallel takes a whole number, not "${flags.parallel}".`);
  const plan = await planSweep(ctx.deps, {
    ref,
    params: flags.param ?? [],
    sweeps: flags.sweep,
    ...(parallel !== undefined ? {parallel} : {}),
    ...(confirmedStack !== undefined ? {confirmedStack} : {}),
  });
  announce(ctx, plan.context);
  const total = plan.combinations.length;
  const header = `Sweep ${plan.id}: ${total} runs of ${plan.module.slug} version ${plan.module.version} (${plan.axes.map((a) => `${a.values.length} ${a.name}`).join(' × ')}), ${plan.parallel} at a time on ${plan.orchestrator.name} (${plan.orchestrator.flavor})`;

  const interactive =
    !output.json &&
    !flags.plain &&
    Boolean(ctx.io.stdout.isTTY) &&
    Boolean((ctx.io.stdin as {isTTY?: boolean}).isTTY);
  let result: SweepResult;
  let interrupted: InterruptedError | undefined;
  if (interactive) {
    const {runSweepView} = await import('../screens/sweep-view.js');
    result = await runSweepView(ctx.deps, plan, {
      stdout: ctx.io.stdout,
      stdin: ctx.io.stdin as NodeJS.ReadStream,
    });
  } else {
    output.info(header);
    const label = (index: number) =>
      `[${index + 1}/${total}] ${describeValues(plan.combinations[index]!.values)}`;
    const pending = new Map<string, string>();
    const write = (index: number, stream: 'stdout' | 'stderr', text: string, flush = false) => {
      const key = `${index}/${stream}`;
      const lines = (pending.get(key) ?? '') + text;
      const parts = lines.split('\n');
      const rest = flush ? '' : parts.pop()!;
      if (flush && parts.at(-1) === '') parts.pop();
      pending.set(key, rest);
      const target = stream === 'stderr' || output.json ? ctx.io.stderr : ctx.io.stdout;
      for (const line of parts) target.write(`[${index + 1}/${total}] ${line}\n`);
    };
    const onEvent = (event: SweepEvent) => {
      switch (event.type) {
        case 'started':
          output.info(`${label(event.index)}: started (run ${event.run.id})`);
          break;
        case 'node':
          output.info(`${label(event.index)}: on node ${event.node}`);
          break;
        case 'output':
          write(event.index, event.stream, event.chunk.toString('utf8'));
          break;
        case 'info':
          break;
        case 'finished': {
          write(event.index, 'stdout', '', true);
          write(event.index, 'stderr', '', true);
          const run = event.run;
          const took =
            run?.finishedAt && run.startedAt
              ? ` in ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`
              : '';
          const why = event.status === 'succeeded' || !event.error ? '' : `: ${event.error}`;
          output.info(`${label(event.index)}: ${event.status}${took}${why}`);
          break;
        }
      }
    };
    // SIGINT or SIGTERM stops the sweep's runs (each recorded as cancelled), then the summary
    // and exit 130 or 143.
    result = await untilInterrupted(async (signal) => {
      const done = await runSweep(ctx.deps, plan, {signal, onEvent});
      if (signal.reason instanceof InterruptedError) interrupted = signal.reason;
      return done;
    });
  }
  const {counts} = result;
  const summary = [
    `${counts.succeeded} succeeded`,
    ...(counts.failed ? [`${counts.failed} failed`] : []),
    ...(counts.cancelled ? [`${counts.cancelled} cancelled`] : []),
    ...(counts.notStarted ? [`${counts.notStarted} not started`] : []),
  ].join(', ');
  if (output.json) {
    const {runListJson} = await import('../services/runs.js');
    output.data(result.runs.map(runListJson));
  }
  output.info(`Sweep ${plan.id}: ${summary}. See \`berth runs list --sweep ${plan.id}\`.`);
  if (counts.cancelled || counts.notStarted) {
    throw new InterruptedError(interrupted?.signal ?? 'SIGINT', `Cancelled sweep ${plan.id}.`);
  }
  if (counts.failed)
    throw new UserError(`${counts.failed} of ${total} runs of sweep ${plan.id} failed.`, {
      hint: `See \`berth runs list --sweep ${plan.id}\` and \`berth runs describe ID\`.`,
    });
}
