// Parameter sweeps: `--sweep name=v1,v2` axes expand to their cartesian product (plain
// parameters stay single: a list value may hold commas), every combination is validated against
// the module's schema before anything starts, and the runs go to the stack's orchestrator a
// few at a time. Each run is an ordinary run (services/runs.ts) recorded with the sweep's id.
import type {Deps} from '../deps.js';
import {
  BerthError,
  CancelledError,
  ExitCode,
  FieldError,
  UsageError,
  UserError,
  errorMessage,
  wrapError,
} from '../lib/errors.js';
import type {RunRecord} from '../models/run.js';
import {getComponent} from './components.js';
import {now, resolveContext, type ActiveContext} from './context.js';
import {findModuleVersion, type ModuleView} from './modules.js';
import {newRunId, parseRunParameters, runModule, type ParameterValue} from './runs.js';
import {getStack} from './stacks.js';

/** More runs than this in one sweep is refused: split it. */
export const maxSweepRuns = 256;
/** More runs at once than this is refused, whatever the orchestrator takes. */
export const maxParallel = 64;

export type SweepAxis = {name: string; values: string[]};

export type SweepInput = {
  ref: string;
  /** `name=value`, the same in every run. */
  params: string[];
  /** `name=v1,v2,…`, one axis each. */
  sweeps: string[];
  parallel?: number;
  confirmedStack?: string;
};

export type SweepCombination = {
  index: number;
  /** The `name=value` pairs of this run (plain parameters, then one value of every axis). */
  pairs: string[];
  /** The axes' values of this run, as typed by the schema. */
  values: Record<string, ParameterValue>;
};

export type SweepPlan = {
  id: string;
  module: ModuleView;
  context: ActiveContext;
  axes: SweepAxis[];
  combinations: SweepCombination[];
  parallel: number;
  /** Why `parallel` is what it is: `--parallel`, or what the orchestrator takes. */
  parallelSource: 'flag' | 'orchestrator';
  orchestrator: {name: string; flavor: string};
  confirmedStack?: string;
};

export type SweepEvent =
  | {type: 'started'; index: number; run: RunRecord}
  | {type: 'node'; index: number; node: string}
  | {type: 'output'; index: number; stream: 'stdout' | 'stderr'; chunk: Buffer}
  | {type: 'info'; index: number; line: string}
  | {
      type: 'finished';
      index: number;
      run: RunRecord | undefined;
      status: RunRecord['status'];
      error: string | null;
    };

export type SweepResult = {
  plan: SweepPlan;
  runs: RunRecord[];
  counts: Record<RunRecord['status'], number> & {notStarted: number};
};

/** `name=v1,v2` → an axis; a name given twice, or an empty value list, is a usage error. */
export function parseSweepAxes(pairs: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new FieldError('sweeps', `"${pair}" is not name=v1,v2,….`, {
        hint: (f) =>
          `Write a sweep as ${f('sweeps')} name=v1,v2 (one ${f('sweeps')} per parameter).`,
      });
    const name = pair.slice(0, at);
    const values = pair
      .slice(at + 1)
      .split(',')
      .map((value) => value.trim());
    if (values.length === 0 || values.every((value) => value === ''))
      throw new FieldError('sweeps', (f) => `${f('sweeps')} ${name} has no values.`, {
        hint: (f) => `Write ${f('sweeps')} ${name}=v1,v2.`,
      });
    if (axes.some((axis) => axis.name === name))
      throw new FieldError('sweeps', `Parameter "${name}" is swept twice.`, {
        hint: (f) => `Put all its values in one ${f('sweeps')} ${name}=v1,v2.`,
      });
    axes.push({name, values});
  }
  return axes;
}

/** The number of runs the axes expand to. */
export function sweepSize(axes: readonly SweepAxis[]): number {
  return axes.reduce((size, axis) => size * axis.values.length, 1);
}

/** Every combination of one value per axis, the first axis varying slowest. */
export function cartesian(axes: readonly SweepAxis[]): Array<Array<[string, string]>> {
  let combinations: Array<Array<[string, string]>> = [[]];
  for (const axis of axes) {
    combinations = combinations.flatMap((combination) =>
      axis.values.map((value) => [...combination, [axis.name, value] as [string, string]]),
    );
  }
  return combinations;
}

/** Checks everything a sweep needs before any run starts; nothing is recorded. */
export async function planSweep(deps: Deps, input: SweepInput): Promise<SweepPlan> {
  const axes = parseSweepAxes(input.sweeps);
  if (axes.length === 0)
    throw new FieldError('sweeps', (f) => `A sweep needs at least one ${f('sweeps')} name=v1,v2.`);
  const size = sweepSize(axes);
  if (size > maxSweepRuns) {
    throw new UsageError(
      `The sweep expands to ${size} runs (${axes.map((a) => `${a.values.length} ${a.name}`).join(' × ')}); the limit is ${maxSweepRuns}.`,
      {hint: 'Split it into smaller sweeps, or sweep fewer values.'},
    );
  }
  if (
    input.parallel !== undefined &&
    (!Number.isInteger(input.parallel) || input.parallel < 1 || input.parallel > maxParallel)
  ) {
    throw new FieldError(
      'parallel',
      (f) => `${f('parallel')} takes 1 to ${maxParallel}, not ${input.parallel}.`,
      {hint: 'Leave it out to take what the orchestrator can run at once.'},
    );
  }
  const plainNames = new Set(input.params.map((pair) => pair.slice(0, pair.indexOf('='))));
  for (const axis of axes) {
    if (plainNames.has(axis.name))
      throw new FieldError(
        'sweeps',
        (f) => `Parameter "${axis.name}" is given with ${f('params')} and ${f('sweeps')}.`,
        {hint: 'Give each parameter once.'},
      );
  }
  const context = await resolveContext(deps);
  const {module} = await findModuleVersion(deps, input.ref, context);
  if (module.status !== 'published' || !module.image) {
    throw new UserError(
      `${module.slug} version ${module.version} is ${module.status}, not published: it cannot run.`,
      {
        hint: (_f, act) =>
          `Sweep the latest published version: ${act({kind: 'run', module: module.slug, sweep: true})}.`,
      },
    );
  }
  const combinations = cartesian(axes).map((axisPairs, index) => {
    const pairs = [...input.params, ...axisPairs.map(([name, value]) => `${name}=${value}`)];
    let values: Record<string, ParameterValue>;
    try {
      ({values} = parseRunParameters(module.schema.parameters, pairs));
    } catch (error) {
      if (error instanceof BerthError && error.exitCode === ExitCode.usage && axisPairs.length > 0)
        throw wrapError(
          error,
          (cause) => ({
            message: `Sweep run ${axisPairs.map(([n, v]) => `${n}=${v}`).join(' ')}: ${cause.message}`,
            ...(cause.hint ? {hint: cause.hint} : {}),
          }),
          {exitCode: ExitCode.usage},
        );
      throw error;
    }
    const swept = Object.fromEntries(axisPairs.map(([name]) => [name, values[name]!]));
    return {index, pairs, values: swept};
  });
  const store = await deps.openStore(context.profile);
  const stack = await getStack(store, context.stackName, context.profile.name);
  const orchestrator = await getComponent(
    deps,
    context,
    'orchestrator',
    stack.components.orchestrator,
  );
  let parallel = input.parallel;
  const parallelSource = parallel === undefined ? 'orchestrator' : 'flag';
  if (parallel === undefined) {
    const {orchestratorCapacity} = await import('./orchestrators/capacity.js');
    parallel = Math.min(
      maxParallel,
      await orchestratorCapacity(deps, context, orchestrator, stack.components),
    );
  }
  return {
    id: newRunId(),
    module,
    context,
    axes,
    combinations,
    parallel: Math.min(parallel, combinations.length),
    parallelSource,
    orchestrator: {name: orchestrator.name, flavor: orchestrator.flavor},
    ...(input.confirmedStack !== undefined ? {confirmedStack: input.confirmedStack} : {}),
  };
}

/**
 * Runs the plan, `parallel` at a time. A failed run does not stop the others; cancelling stops
 * the running ones (each records `cancelled`) and starts no more.
 */
export async function runSweep(
  deps: Deps,
  plan: SweepPlan,
  options: {signal?: AbortSignal; onEvent?: (event: SweepEvent) => void} = {},
): Promise<SweepResult> {
  const emit = options.onEvent ?? (() => undefined);
  const runs: Array<RunRecord | undefined> = [];
  let next = 0;
  const ref = `${plan.module.slug}@${plan.module.version}`;
  const worker = async () => {
    for (;;) {
      if (options.signal?.aborted) return;
      const combination = plan.combinations[next++];
      if (!combination) return;
      const {index} = combination;
      let started: RunRecord | undefined;
      try {
        const {run} = await runModule(
          deps,
          {
            ref,
            params: combination.pairs,
            sweep: plan.id,
            ...(plan.confirmedStack !== undefined ? {confirmedStack: plan.confirmedStack} : {}),
          },
          {
            ...(options.signal ? {signal: options.signal} : {}),
            onStart: (run) => {
              started = run;
              emit({type: 'started', index, run});
            },
            onNode: (node) => emit({type: 'node', index, node}),
            onStdout: (chunk) => emit({type: 'output', index, stream: 'stdout', chunk}),
            onStderr: (chunk) => emit({type: 'output', index, stream: 'stderr', chunk}),
            onInfo: (line) => emit({type: 'info', index, line}),
          },
        );
        runs[index] = run;
        emit({type: 'finished', index, run, status: run.status, error: run.error});
      } catch (error) {
        const cancelled = error instanceof CancelledError || Boolean(options.signal?.aborted);
        const status: RunRecord['status'] = cancelled ? 'cancelled' : 'failed';
        const message = cancelled ? 'Cancelled.' : errorMessage(error);
        // runModule recorded the outcome; keep what the caller needs without another read.
        const run: RunRecord | undefined = started && {
          ...started,
          status,
          error: message,
          finishedAt: now(),
        };
        runs[index] = run;
        emit({type: 'finished', index, run, status, error: message});
      }
    }
  };
  await Promise.all(Array.from({length: plan.parallel}, () => worker()));
  const recorded = runs.filter((run): run is RunRecord => run !== undefined);
  const counts = {running: 0, succeeded: 0, failed: 0, cancelled: 0, notStarted: 0};
  for (const run of recorded) counts[run.status] += 1;
  counts.notStarted = plan.combinations.length - recorded.length;
  return {plan, runs: recorded, counts};
}

/** The runs of one sweep, in the order they started; an unknown id is an error. */
export async function listSweepRuns(
  deps: Deps,
  id: string,
): Promise<{runs: RunRecord[]; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const runs = (await store.collection<RunRecord>('runs').findBy('sweep', [id])).sort((a, b) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : 1,
  );
  if (runs.length === 0) {
    throw new UserError(`No runs of a sweep "${id}".`, {
      hint: (_f, act) =>
        `A sweep prints its id when it starts (${act({kind: 'run', sweep: true})}); each run shows its sweep: ${act({kind: 'runs.list', json: true})}.`,
    });
  }
  return {runs, context};
}

/** `angle=45 label=a`: a run's swept values as typed. */
export function describeValues(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(
      ([name, value]) => `${name}=${Array.isArray(value) ? JSON.stringify(value) : String(value)}`,
    )
    .join(' ');
}
