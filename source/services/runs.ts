// Running a published module on the active stack's orchestrator and recording the run.
// docker: the module's image on the image builder's engine (pulled from the registry when it is
// not there), with the parameters as `--name value` flags. local: the entry point with python3
// from the project folder recorded at publish time.
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync} from 'node:fs';
import {constants as osConstants} from 'node:os';
import path from 'node:path';
import type {Deps} from '../deps.js';
import {CancelledError, FieldError, UsageError, UserError, errorMessage} from '../lib/errors.js';
import {localRegistryUri} from '../models/module-version.js';
import type {ModuleParameter} from '../models/module.js';
import type {RunRecord} from '../models/run.js';
import type {Component} from '../models/stack.js';
import {getComponent} from './components.js';
import {now, resolveContext, type ActiveContext} from './context.js';
import {findModuleVersion, type ModuleView} from './modules.js';
import {describeAccount, forgeCredentials, type ForgeAccount} from './accounts.js';
import {requireConfirmedStack} from './stack-protection.js';
import {pullAuthFor} from './orchestrators/pull-auth.js';
import {LogVaultWriter, runLogKey} from './log-vault.js';
import {repositoryById} from './code-repositories/queries.js';
import {getStack} from './stacks.js';

export type ParameterValue = string | number | boolean | unknown[];

/** Converts `key=value` pairs against the schema: unknown names, bad values and missing required ones are usage errors. */
export function parseRunParameters(
  schema: readonly ModuleParameter[],
  pairs: readonly string[],
): {values: Record<string, ParameterValue>; args: string[]} {
  const byName = new Map(schema.map((p) => [p.name, p]));
  const values: Record<string, ParameterValue> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new FieldError('params', `"${pair}" is not key=value.`, {
        hint: (f) => `Write parameters as ${f('params')} name=value.`,
      });
    const name = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    const parameter = byName.get(name);
    if (!parameter) {
      throw new UsageError(`The module has no parameter "${name}".`, {
        hint: schema.length
          ? `Its parameters: ${schema.map((p) => `${p.name} (${p.type})`).join(', ')}.`
          : 'It takes no parameters.',
      });
    }
    if (name in values) throw new UsageError(`Parameter "${name}" is given twice.`);
    values[name] = convert(parameter, raw);
  }
  const missing = schema.filter(
    (p) => p.required && !(p.name in values) && p.defaultValue === null,
  );
  if (missing.length > 0) {
    throw new FieldError(
      'params',
      `Missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.map((p) => p.name).join(', ')}.`,
      {
        hint: (f) =>
          `Pass ${missing.map((p) => `${f('params')} ${p.name}=${p.type.toUpperCase()}`).join(' ')}.`,
      },
    );
  }
  const args: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    args.push(
      `--${name}`,
      typeof value === 'boolean'
        ? value
          ? 'True'
          : 'False'
        : Array.isArray(value)
          ? JSON.stringify(value)
          : String(value),
    );
  }
  return {values, args};
}

function convert(parameter: ModuleParameter, raw: string): ParameterValue {
  const bad = (what: string) =>
    new FieldError('params', `Parameter "${parameter.name}" takes ${what}, not "${raw}".`, {
      hint: (f) => `Pass ${f('params')} ${parameter.name}=VALUE with ${what}.`,
    });
  switch (parameter.type) {
    case 'str':
      return raw;
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw.trim())) throw bad('an integer');
      return Number(raw);
    }
    case 'float': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) throw bad('a number');
      return value;
    }
    case 'bool': {
      const lower = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off'].includes(lower)) return false;
      throw bad('true or false');
    }
    case 'list': {
      const trimmed = raw.trim();
      if (trimmed.startsWith('[')) {
        try {
          const value: unknown = JSON.parse(trimmed);
          if (Array.isArray(value)) return value;
        } catch {
          // fall through to the error below
        }
        throw bad('a JSON list ([1, 2]) or comma-separated values');
      }
      return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
    }
  }
}

export type RunInput = {
  ref: string;
  params: string[];
  /** The stack name the user confirmed; required when the active stack is protected. */
  confirmedStack?: string;
  /** The sweep the run belongs to (services/sweeps.ts). */
  sweep?: string;
};
export type RunOptions = {
  signal?: AbortSignal;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  onInfo?: (line: string) => void;
  /** The run is recorded (`running`): its id. */
  onStart?: (run: RunRecord) => void;
  /** The node it was placed on, once the orchestrator knows (swarm). */
  onNode?: (node: string) => void;
};

export function newRunId(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\..*$/, '')
    .replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function runModule(
  deps: Deps,
  input: RunInput,
  options: RunOptions = {},
): Promise<{run: RunRecord; module: ModuleView; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const {module} = await findModuleVersion(deps, input.ref, context);
  if (module.status !== 'published' || !module.image) {
    throw new UserError(
      `${module.slug} version ${module.version} is ${module.status}, not published: it cannot run.`,
      {
        hint: (_f, act) =>
          `Run the latest published version: ${act({kind: 'run', module: module.slug})}.`,
      },
    );
  }
  const {values, args} = parseRunParameters(module.schema.parameters, input.params);
  const store = await deps.openStore(context.profile);
  const stack = await getStack(store, context.stackName, context.profile.name);
  requireConfirmedStack(stack, input.confirmedStack, 'run');
  const orchestrator = await getComponent(
    deps,
    context,
    'orchestrator',
    stack.components.orchestrator,
  );
  if (orchestrator.flavor === 'swarm' && module.registry === localRegistryUri) {
    throw new UserError(
      `${module.slug} version ${module.version} is in the image store of one engine (a local container registry): swarm nodes can't pull it.`,
      {
        hint: 'Publish it with a stack whose container registry is an oci registry the nodes reach.',
      },
    );
  }

  const runs = store.collection<RunRecord>('runs');
  let run: RunRecord = {
    id: newRunId(),
    module: module.slug,
    version: module.version,
    status: 'running',
    startedAt: now(),
    finishedAt: null,
    parameters: values,
    image: module.image,
    digest: module.digest,
    codeReference: module.codeReference,
    orchestrator: {name: orchestrator.name, flavor: orchestrator.flavor},
    stack: stack.name,
    exitCode: null,
    error: null,
    sweep: input.sweep ?? null,
    node: null,
  };
  await runs.insert(run.id, run);
  options.onStart?.(run);
  const save = async (changes: Partial<RunRecord>) => {
    run = {...run, ...changes};
    await runs.put(run.id, run);
  };
  // The whole output goes to the profile's store too (`berth logs RUN_ID`).
  const vault = new LogVaultWriter(store, runLogKey(run.id), {kind: 'run', subject: run.id});
  const toVaultOut = vault.channel();
  const toVaultErr = vault.channel();
  const caller = options;
  options = {
    ...options,
    onStdout: (chunk) => {
      toVaultOut(chunk.toString('utf8'));
      caller.onStdout?.(chunk);
    },
    onStderr: (chunk) => {
      toVaultErr(chunk.toString('utf8'));
      caller.onStderr?.(chunk);
    },
    onInfo: (line) => {
      vault.line(`berth: ${line}`);
      caller.onInfo?.(line);
    },
  };

  // The program's exit code, also when a signal stopped it (143: it ended on SIGTERM).
  let exitCode: number | null = null;
  try {
    if (orchestrator.flavor === 'docker') {
      exitCode = await runInDocker(deps, context, stack.components, module, args, options);
    } else if (orchestrator.flavor === 'swarm') {
      const {runInSwarm} = await import('./orchestrators/swarm.js');
      const job = {runId: run.id, module, args, orchestrator, components: stack.components};
      ({exitCode} = await runInSwarm(deps, context, job, {
        ...options,
        onNode: (node) => {
          void save({node}).catch(() => undefined);
          options.onNode?.(node);
        },
      }));
    } else {
      if (module.mode !== 'full') {
        throw new UserError(
          'A dependencies-only module runs on a docker or swarm orchestrator only.',
          {
            hint: 'Register a stack with `-o` a docker or swarm orchestrator.',
          },
        );
      }
      exitCode = await runLocally(module, args, options);
    }
    if (options.signal?.aborted) throw new CancelledError();
    await save({
      status: exitCode === 0 ? 'succeeded' : 'failed',
      exitCode,
      finishedAt: now(),
      error: exitCode === 0 ? null : `exit code ${exitCode}`,
    });
  } catch (error) {
    const cancelled = options.signal?.aborted || error instanceof CancelledError;
    await save({
      status: cancelled ? 'cancelled' : 'failed',
      exitCode,
      finishedAt: now(),
      error: cancelled ? 'Cancelled.' : errorMessage(error),
    });
    vault.line(`berth: ${cancelled ? 'cancelled' : errorMessage(error)}`);
    await vault.close().catch(() => undefined);
    if (cancelled) throw new CancelledError(`Cancelled run ${run.id}.`);
    throw error;
  }
  vault.line(
    `berth: run ${run.status}${run.exitCode === null ? '' : ` (exit code ${run.exitCode})`}`,
  );
  await vault.close();
  return {run, module, context};
}

async function runInDocker(
  deps: Deps,
  context: ActiveContext,
  components: {image_builder?: string; container_registry?: string},
  module: ModuleView,
  args: string[],
  options: RunOptions,
): Promise<number> {
  const builder: Component | undefined = components.image_builder
    ? await getComponent(deps, context, 'image_builder', components.image_builder)
    : undefined;
  const {engineHostOf} = await import('./publish/publish.js');
  const {createDockerClient} = await import('../clients/docker.js');
  const docker = createDockerClient(engineHostOf(deps, builder));
  await docker.ping();
  let image = module.image!;
  if (module.registry === localRegistryUri && module.digest) {
    // Kept in the engine's own image store at publish time: run exactly that image, never pull.
    if (!(await docker.imageExists(module.digest))) {
      throw new UserError(
        `${module.slug} version ${module.version} is in the image store of the engine at ${module.engine ?? 'its publisher'}, and the engine at ${docker.host} does not have it.`,
        {
          hint: 'Publish it again with this engine, or publish with a stack whose container registry is an oci registry to run it anywhere.',
        },
      );
    }
    image = module.digest;
  } else if (!(await docker.imageExists(image))) {
    options.onInfo?.(`Pulling ${image}`);
    const auth = await pullAuthFor(deps, context, components, image);
    await docker.pull(image, {
      ...(auth ? {auth} : {}),
      ...(options.signal ? {signal: options.signal} : {}),
    });
  }
  const code =
    module.mode === 'dependencies-only' ? await codeDownloadOf(deps, context, module) : undefined;
  if (code) {
    const snapshot = module.codeReference!.snapshot;
    options.onInfo?.(
      `Code: ${code.where} at ${module.codeReference!.commit.slice(0, 12)}${snapshot ? ` + snapshot ${snapshot.slice(0, 19)}` : ''}`,
    );
  }
  if (code?.account) options.onInfo?.(describeAccount(code.account));
  const {exitCode} = await docker.runContainer({
    image,
    args,
    // The image's bootstrap downloads the code from the forge's API on start; `host` reaches it
    // wherever the engine has no bridge network.
    networkMode: 'host',
    ...(code ? {env: code.env} : {}),
    // Secrets (and a snapshot kept in the store) travel on stdin: env and args would show in
    // `docker inspect`.
    ...(code?.stdin ? {stdin: code.stdin} : {}),
    ...(options.signal ? {signal: options.signal} : {}),
    ...(options.onStdout ? {onStdout: options.onStdout} : {}),
    ...(options.onStderr ? {onStderr: options.onStderr} : {}),
  });
  return exitCode;
}

type CodeDownload = {
  env: string[];
  token: string | null;
  stdin: string | null;
  where: string;
  /** The forge account whose token fetches the code, if any. */
  account?: ForgeAccount;
};

/**
 * What a dependencies-only container needs to fetch its code: the archive URL of the recorded
 * repository at the recorded commit (GitHub's tarball, GitLab's archive, on the repository's own
 * API host) and, for a private repository, the token (handed over on stdin, never in the env).
 */
export async function codeDownloadOf(
  deps: Deps,
  context: ActiveContext,
  module: ModuleView,
): Promise<CodeDownload> {
  const reference = module.codeReference;
  if (!reference) {
    throw new UserError(
      `${module.slug} version ${module.version} has no recorded code reference: its image holds no code.`,
      {
        hint: (_f, act) =>
          `Publish it again with the code in the image: ${act({kind: 'publish', full: true})}.`,
      },
    );
  }
  const store = await deps.openStore(context.profile);
  const repository = await repositoryById(store, reference.repositoryId);
  if (!repository) {
    throw new UserError(
      `The code repository of ${module.slug} version ${module.version} is no longer registered in profile '${context.profile.name}'.`,
      {
        hint: (_f, act) =>
          `Its image holds no code. Register the repository again and publish again, or publish the code in the image: ${act({kind: 'publish', full: true})}.`,
      },
    );
  }
  if (
    (repository.type !== 'github' && repository.type !== 'gitlab') ||
    !repository.apiUrl ||
    !repository.path
  ) {
    throw new UserError(
      `${repository.name} is a ${repository.type} repository: a container cannot download its code.`,
      {
        hint: (_f, act) => `Publish the code in the image: ${act({kind: 'publish', full: true})}.`,
      },
    );
  }
  const commit = reference.commit;
  const api = repository.apiUrl.replace(/\/+$/, '');
  let url: string;
  let header: string;
  if (repository.type === 'github') {
    const [owner = '', repo = ''] = repository.path.split('/');
    url = `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/tarball/${commit}`;
    header = 'Authorization';
  } else {
    const instance = api.replace(/\/api\/v4$/, '');
    const project = encodeURIComponent(repository.providerId ?? repository.path);
    url = `${instance}/api/v4/projects/${project}/repository/archive.tar.gz?sha=${commit}`;
    header = 'PRIVATE-TOKEN';
  }
  // The account chosen for the repository's host here (services/accounts.ts), checked to be a
  // token for this provider and API, as `berth repo download` does.
  const {secret, account} = await forgeCredentials(deps, context, repository);
  const token = secret || null;
  const env = [
    `BERTH_CODE_ARCHIVE_URL=${url}`,
    `BERTH_ENTRY_POINT=${module.entryPoint}`,
    `BERTH_CODE_SUBDIRECTORY=${reference.subdirectory}`,
    `BERTH_CODE_COMMIT=${commit}`,
    ...(token ? ['BERTH_CODE_TOKEN_STDIN=1', `BERTH_CODE_TOKEN_HEADER=${header}`] : []),
  ];
  const stdin: string[] = token ? [token] : [];
  if (reference.snapshot) {
    const {snapshotFetchOf} = await import('./snapshots/snapshot-fetch.js');
    const fetch = await snapshotFetchOf(deps, context, store, reference.snapshot);
    env.push(`BERTH_CODE_SNAPSHOT_DIGEST=${reference.snapshot}`, ...fetch.env);
    stdin.push(...fetch.stdin);
  }
  return {
    env,
    token,
    stdin: stdin.length > 0 ? `${stdin.join('\n')}\n` : null,
    where: `${repository.name} (${repository.path})`,
    account,
  };
}

function runLocally(module: ModuleView, args: string[], options: RunOptions): Promise<number> {
  const entry = path.join(module.projectPath, ...module.entryPoint.split('/'));
  if (!existsSync(entry)) {
    throw new UserError(`The entry point ${entry} is not on this machine.`, {
      hint: (_f, act) =>
        `Run it on a docker orchestrator instead: ${act({kind: 'stack.register', orchestrator: 'DOCKER_ORCHESTRATOR'})}.`,
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [entry, ...args], {
      cwd: module.projectPath,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => options.onStdout?.(chunk));
    child.stderr.on('data', (chunk: Buffer) => options.onStderr?.(chunk));
    // Like `docker stop`: SIGTERM, then SIGKILL after 10 s for a program that ignores it.
    const onAbort = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
    };
    options.signal?.addEventListener('abort', onAbort, {once: true});
    if (options.signal?.aborted) onAbort();
    child.on('error', (error) =>
      reject(
        new UserError(`Could not start python3: ${error.message}`, {
          hint: 'Install Python 3, or use a docker orchestrator.',
        }),
      ),
    );
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      // Ended by a signal: the shell's 128 + its number (SIGTERM: 143).
      resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 1));
    });
  });
}

export async function listRuns(deps: Deps): Promise<{runs: RunRecord[]; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const runs = (await store.collection<RunRecord>('runs').list()).sort((a, b) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : 1,
  );
  return {runs, context};
}

export async function describeRun(
  deps: Deps,
  id: string,
): Promise<{run: RunRecord; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  const run = await store.collection<RunRecord>('runs').get(id);
  if (!run)
    throw new UserError(`No run with id "${id}".`, {
      hint: (_f, act) => `See the runs: ${act({kind: 'runs.list'})}.`,
    });
  return {run, context};
}

export function runListJson(run: RunRecord) {
  return {
    id: run.id,
    module: run.module,
    version: run.version,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    codeReference: run.codeReference,
    parameters: run.parameters,
    digest: run.digest,
    exitCode: run.exitCode,
    sweep: run.sweep ?? null,
    node: run.node ?? null,
  };
}
