// Publishing a code project: validate everything that can be validated, record a version
// `pending`, build through the stack's image builder while streaming every event, push to the
// stack's container registry, confirm the digest with the registry, and only then mark the
// version `published`. Any failure or cancellation is recorded with its reason and log file;
// earlier published versions are never touched.
//
// Versions: a preflight comes first (the engine answers, the registry answers and accepts the
// credentials, the base image is there or can be pulled); each attempt that gets past it takes the
// next number of its module (1, 2, 3…), failed and cancelled builds included, so a number and its
// log file always mean one attempt that reached the build. Published versions are immutable: the tag is VERSION-IMAGEID12, and a rebuild of
// identical content is a new version pointing at the same image content.
//
// Dependencies-only (chosen automatically for a clean, pushed checkout of a registered GitHub or
// GitLab repository): the image holds the dependencies and a bootstrap, and is tagged
// `deps-CHECKSUM` (base image, requirements, wheels, pip options, template). When the registry
// already has that tag — from an earlier commit, or a colleague — nothing is built or pushed: the
// new version records the existing digest and this publish's commit, and `berth run` has the
// container download the code at that commit.
import {mkdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BuilderRefusedError,
  BuildkitStalledError,
  createDockerClient,
  EngineStreamError,
  parseDockerHost,
  SessionSyncError,
  type BuilderKind,
  type ContextTransfer,
  type DockerClient,
  type EngineEvent,
  type EngineInfo,
  type RegistryAuthConfig,
} from '../../clients/docker.js';
import {createRegistryClient, type RegistryClient} from '../../clients/registry.js';
import type {Deps} from '../../deps.js';
import {
  CancelledError,
  ExitCode,
  FieldError,
  UserError,
  errorMessage,
  plainVocabulary,
  renderText,
  restate,
  wrapError,
  type FieldText,
  type Vocabulary,
} from '../../lib/errors.js';
import {
  localRegistryUri,
  moduleVersionKey,
  type ModuleVersionRecord,
} from '../../models/module-version.js';
import type {PublishEvent, PublishEventHandler} from '../../models/publish-events.js';
import type {Component} from '../../models/stack.js';
import {DuplicateKeyError, type ProfileStore} from '../../store/profile-store.js';
import {getComponent} from '../components.js';
import {now, resolveContext, type ActiveContext} from '../context.js';
import {requireConfirmedStack} from '../stack-protection.js';
import {LogVaultWriter, publishLogKey} from '../log-vault.js';
import {getStack} from '../stacks.js';
import {BuildEventParser, logLineOf, pushEventOf} from './build-events.js';
import {entryPointSha256} from './entry-hash.js';
import {ensureBaseImage} from './base-image.js';
import {chooseBaseImage, rememberedBaseImageLine} from './base-image-choice.js';
import {EarlyBuild} from './early-build.js';
import {
  builderAskedFor,
  chooseBuilder,
  contextSyncNote,
  refusedBuildkitNote,
  stalledBuildkitNote,
} from './builder.js';
import type {BuildPipOptions} from './dockerfile.js';
import {
  assembleProject,
  buildContextOf,
  preparedWith,
  scanProject,
  type PreparedProject,
} from './project.js';
import {checkBreaking, diffAgainst, latestPublished, schemaChangeLines} from './schema-diff.js';
import {planDependencyLayers} from './dependency-layers.js';
import {versionNumbers} from './versions.js';
import {AppendFile} from '../../lib/append-file.js';
import {nextTurn} from '../../lib/breather.js';
import {trace, traced} from '../../lib/trace.js';
import type {PendingSnapshot} from '../snapshots/publish-snapshot.js';
import {wantsSnapshot, type CheckoutForSnapshot} from '../snapshots/wants-snapshot.js';

export type PublishInput = {
  path: string;
  visibility?: 'private' | 'public';
  baseImage?: string;
  entry?: string;
  pip?: BuildPipOptions;
  /** Paths to send although they look secret or git ignores them. */
  include?: string[];
  /**
   * `auto` (the default): dependencies only when the project is a clean, pushed checkout of a
   * registered GitHub/GitLab repository, else a full image (and the reason is reported).
   * `dependencies-only` insists (fails with the reason when it cannot); `full` always puts the
   * code in the image.
   */
  mode?: PublishMode;
  /** Publish even when the schema breaks the latest published version (removed/retyped/newly required). */
  allowBreaking?: boolean;
  berthVersion: string;
  /** The stack name the user confirmed; required when the active stack is protected. */
  confirmedStack?: string;
};

export type PublishMode = 'auto' | 'full' | 'dependencies-only';

export type PublishOptions = {
  onEvent?: PublishEventHandler;
  signal?: AbortSignal;
  /** Called once the version is recorded (pending): its number and the full log file. */
  onRecorded?: (publish: {slug: string; version: number; logFile: string}) => void;
  /** How log lines name the input's fields (the CLI: flags); words by default. */
  vocabulary?: Vocabulary;
};

export type PublishResult = {record: ModuleVersionRecord; context: ActiveContext};

/** Where the build runs and the image goes, from the active stack. */
export type PublishTarget = {
  stack: string;
  engineHost: string;
  /**
   * A `local` container registry is the engine's own image store: nothing is pushed, images are
   * named `localhost/berth/SLUG:TAG` (a name no registry serves) and the image ID is the digest.
   */
  local: boolean;
  /** `host[:port]`; `localhost` for a local registry. */
  registryHost: string;
  /** `host[:port][/namespace]`; `local` for a local registry. */
  registryUri: string;
  /** The registry repository of a module: `namespace/slug` or `slug`. */
  repositoryOf(slug: string): string;
  credentials: {username: string; password: string} | undefined;
};

export function engineHostOf(deps: Deps, builder: Component | undefined): string {
  return builder?.options.host || deps.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

export async function resolvePublishTarget(
  deps: Deps,
  context: ActiveContext,
  store: ProfileStore,
  /** Told where the engine is as soon as that is known (before the registry's credentials). */
  onEngine?: (engineHost: string) => void,
): Promise<PublishTarget> {
  const stack = await getStack(store, context.stackName, context.profile.name);
  if (!stack.components.image_builder) {
    throw new UserError(`Stack '${stack.name}' has no image builder.`, {
      hint: (_f, act) =>
        `Register one and a stack that uses it: ${act({kind: 'component.register', type: 'image_builder', name: 'docker', flavor: 'docker'})}, then ${act({kind: 'stack.register', imageBuilder: 'docker', activate: true})}.`,
    });
  }
  if (!stack.components.container_registry) {
    throw new UserError(`Stack '${stack.name}' has no container registry.`, {
      hint: (_f, act) =>
        `Register one and a stack that uses it: ${act({kind: 'component.register', type: 'container_registry', name: 'images', flavor: 'local'})} (the engine's own image store) or ${act({kind: 'component.register', type: 'container_registry', name: 'images', flavor: 'oci', options: {uri: 'HOST:PORT'}})}, then ${act({kind: 'stack.register', containerRegistry: 'images', activate: true})}.`,
    });
  }
  const builder = await getComponent(
    deps,
    context,
    'image_builder',
    stack.components.image_builder,
  );
  const engineHost = engineHostOf(deps, builder);
  onEngine?.(engineHost);
  const registry = await getComponent(
    deps,
    context,
    'container_registry',
    stack.components.container_registry,
  );
  if (registry.flavor === 'local') {
    return {
      stack: stack.name,
      engineHost,
      local: true,
      registryHost: 'localhost',
      registryUri: localRegistryUri,
      repositoryOf: (slug) => `berth/${slug}`,
      credentials: undefined,
    };
  }
  const uri = (registry.options.uri ?? '').replace(/\/+$/, '');
  const slash = uri.indexOf('/');
  const registryHost = slash < 0 ? uri : uri.slice(0, slash);
  const namespace = slash < 0 ? '' : uri.slice(slash + 1);
  let credentials: PublishTarget['credentials'];
  if (registry.options.credentials) {
    const {resolveToken} = await import('../tokens.js');
    const token = await resolveToken(deps, registry.options.credentials);
    if (token.provider !== 'registry' || !token.login) {
      throw new UserError(`Token "${token.name}" is not a registry login.`, {
        hint: (_f, act) => `Store one: ${act({kind: 'token.add', provider: 'registry'})}.`,
      });
    }
    credentials = {username: token.login, password: token.secret};
  }
  return {
    stack: stack.name,
    engineHost,
    local: false,
    registryHost,
    registryUri: uri,
    repositoryOf: (slug) => (namespace ? `${namespace}/${slug}` : slug),
    credentials,
  };
}

export function publishLogFile(deps: Deps, slug: string, version: number): string {
  return path.join(deps.stateDir, 'logs', `publish-${slug}-${version}.log`);
}

type Detection = CheckoutForSnapshot & {
  sourceUrl?: string;
  /** Why there is no usable code reference (dirty, unpushed, no match…); null when there is. */
  reason: string | null;
};

async function detectCode(deps: Deps, dir: string, context: ActiveContext): Promise<Detection> {
  try {
    const {getCodeReference} = await import('../code-repositories/detect.js');
    const {detection, codeReference, repository} = await getCodeReference(deps, dir, {context});
    const sourceUrl =
      repository?.host && repository.path
        ? `https://${repository.host}/${repository.path}`
        : undefined;
    return {
      commit: detection.commit,
      codeReference,
      reason: detection.reason,
      repository,
      gitRoot: detection.gitRoot,
      remote: detection.remote,
      subdirectory: detection.subdirectory,
      clean: detection.clean,
      pushed: detection.pushed,
      ...(sourceUrl ? {sourceUrl} : {}),
    };
  } catch (error) {
    // Detection is best effort: a project outside git (or a broken custom repository) still publishes.
    return {
      commit: null,
      codeReference: null,
      reason: `the checkout could not be read: ${errorMessage(error)}`,
      repository: null,
      gitRoot: null,
      remote: null,
      subdirectory: null,
      clean: false,
      pushed: false,
    };
  }
}

export type ModeDecision = {
  mode: 'full' | 'dependencies-only';
  /** One line for the log: where the code comes from, or why the image holds it. */
  message: FieldText;
};

/**
 * Dependencies only when the container can download this exact code later: a clean checkout,
 * its commit pushed to a registered GitHub or GitLab repository (the only kinds with an archive
 * URL a container can fetch).
 */
export function decidePublishMode(code: Detection, requested: PublishMode): ModeDecision {
  if (requested === 'full')
    return {mode: 'full', message: (f) => `full image (${f('full')}): code in the image`};
  const reference = code.codeReference;
  const repository = code.repository;
  let reason: string | null = null;
  if (!reference || !repository)
    reason = code.reason ?? 'not a checkout of a registered repository';
  else if (!reference.clean && !reference.snapshot) reason = code.reason ?? 'uncommitted changes';
  else if (!reference.pushed) reason = code.reason ?? 'commit not pushed';
  else if (repository.type !== 'github' && repository.type !== 'gitlab')
    reason = `${repository.name} is a ${repository.type} repository: a container can download only from GitHub or GitLab`;
  if (reason === null) {
    const where = repository!.path ?? repository!.name;
    const sub = reference!.subdirectory ? ` (${reference!.subdirectory}/)` : '';
    const snapshot = reference!.snapshot ? ` + snapshot ${reference!.snapshot.slice(0, 19)}` : '';
    return {
      mode: 'dependencies-only',
      message: `code from ${where}@${reference!.commit.slice(0, 7)}${snapshot}${sub}, image has dependencies only`,
    };
  }
  if (requested === 'dependencies-only') {
    throw new FieldError(
      'dependenciesOnly',
      (f) =>
        `${f('dependenciesOnly')} needs a clean, pushed checkout of a registered code repository: ${reason}.`,
      {
        hint: (f, act) =>
          `Commit and push (check: ${act({kind: 'repo.detect'})}), or publish without ${f('dependenciesOnly')}.`,
        exitCode: ExitCode.failure,
      },
    );
  }
  return {mode: 'full', message: `full image (code in the image): ${reason}`};
}

/** The mode a publish of `dir` would use, from the checkout alone (no Docker, no network). */
export async function planPublishMode(
  deps: Deps,
  dir: string,
  requested: PublishMode,
): Promise<ModeDecision & {commit: string | null; sourceUrl?: string; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const {code} = await detectWithSnapshot(
    deps,
    context,
    await deps.openStore(context.profile),
    path.resolve(deps.cwd, dir),
    requested,
  );
  return {
    ...decidePublishMode(code, requested),
    context,
    commit: code.commit,
    ...(code.sourceUrl ? {sourceUrl: code.sourceUrl} : {}),
  };
}

/**
 * The checkout's code, with uncommitted or unpushed work recorded as a snapshot (taken here,
 * stored later) unless the code goes into the image anyway. Refusals (secret-looking files,
 * over the size limit) happen here, before a version is recorded.
 */
async function detectWithSnapshot(
  deps: Deps,
  context: ActiveContext,
  store: ProfileStore,
  dir: string,
  requested: PublishMode,
): Promise<{code: Detection; snapshot: PendingSnapshot | null}> {
  const code = await detectCode(deps, dir, context);
  if (requested === 'full' || !wantsSnapshot(code)) return {code, snapshot: null};
  const {prepareSnapshot} = await import('../snapshots/publish-snapshot.js');
  const {NoPushedBaseError} = await import('../snapshots/snapshot.js');
  let snapshot: PendingSnapshot | null;
  try {
    snapshot = await prepareSnapshot(deps, context, store, code);
  } catch (error) {
    // Nothing pushed yet (a new project's first commits): the code goes into the image.
    if (requested !== 'auto' || !(error instanceof NoPushedBaseError)) throw error;
    return {
      code: {...code, reason: 'no commit of this checkout is on a remote yet'},
      snapshot: null,
    };
  }
  if (!snapshot) return {code, snapshot: null};
  return {code: {...code, codeReference: snapshot.codeReference, reason: null}, snapshot};
}

async function allocateVersion(
  store: ProfileStore,
  record: Omit<ModuleVersionRecord, 'version' | 'logFile'>,
  logFileOf: (version: number) => string,
): Promise<ModuleVersionRecord> {
  const modules = store.collection<ModuleVersionRecord>('modules');
  for (let attempt = 0; attempt < 20; attempt++) {
    const version = ((await versionNumbers(store, record.slug))[0] ?? 0) + 1;
    const full: ModuleVersionRecord = {...record, version, logFile: logFileOf(version)};
    try {
      await modules.insert(moduleVersionKey(record.slug, version), full);
      return full;
    } catch (error) {
      // Someone else published the same module at the same moment: take the next number.
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
  }
  throw new UserError(
    `Could not allocate a version of ${record.slug}: too many concurrent publishes.`,
  );
}

export async function publishModule(
  deps: Deps,
  input: PublishInput,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const earlyBuild = new EarlyBuild();
  try {
    return await publishWith(deps, input, options, earlyBuild);
  } finally {
    earlyBuild.drop();
  }
}

async function publishWith(
  deps: Deps,
  input: PublishInput,
  options: PublishOptions,
  earlyBuild: EarlyBuild,
): Promise<PublishResult> {
  const signal = options.signal;
  trace('publish: start');
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  trace('publish: context and store');
  requireConfirmedStack(
    await getStack(store, context.stackName, context.profile.name),
    input.confirmedStack,
    'publish',
  );
  const projectDir = path.resolve(deps.cwd, input.path);
  // Where the image goes, and whether its registry and engine answer, are asked now, while the
  // checkout and the project are read; their failures are reported where they always were (after
  // the project's own checks, in preflight's order). The engine is known first (the registry's
  // credentials may take a keychain's time): it is asked for the build at once (early-build.ts),
  // and the project is read once the build's session is open, while the engine prepares it.
  let engineKnown: (engineHost: string | undefined) => void = () => undefined;
  const engineHost = new Promise<string | undefined>((resolve) => (engineKnown = resolve));
  const targeting = resolvePublishTarget(deps, context, store, engineKnown);
  targeting.catch(() => engineKnown(undefined));
  const host = await engineHost;
  const engine =
    host === undefined
      ? undefined
      : askEngine(host, buildsEarly(deps.env) ? {earlyBuild, cacheKey: projectDir, signal} : {});
  await engine?.sessionOpen;
  // The target resolves only after telling where its engine is: `engine` is there.
  const answering = targeting.then((target) => askTarget(target, engine!.answer));
  answering.catch(() => undefined);
  // The project's files are read while the checkout is (both wait on git); a failure of either
  // is reported in this order: the checkout's, then the project's.
  const scanning = scanProject(projectDir, {
    ...(input.entry ? {entry: input.entry} : {}),
    ...(input.include ? {include: input.include} : {}),
  });
  scanning.catch(() => undefined);
  const {code, snapshot} = await detectWithSnapshot(
    deps,
    context,
    store,
    projectDir,
    input.mode ?? 'auto',
  );
  trace('publish: checkout detected');
  const decision = decidePublishMode(code, input.mode ?? 'auto');
  const dependenciesOnly = decision.mode === 'dependencies-only';

  const scan = await scanning;
  // Given for this publish, else remembered from the module's latest version, else the default.
  const baseImage = await chooseBaseImage(store, scan.annotations.schema.slug, input.baseImage);
  const prepareOptions = {
    berthVersion: input.berthVersion,
    ...(input.entry ? {entry: input.entry} : {}),
    baseImage: baseImage.image,
    ...(input.pip ? {pip: input.pip} : {}),
    ...(input.include ? {include: input.include} : {}),
    commit: code.commit,
    ...(code.sourceUrl ? {sourceUrl: code.sourceUrl} : {}),
    mode: decision.mode,
  };
  // Static validation first: a bad annotation or requirement records nothing and builds nothing.
  const probe = await assembleProject(scan, prepareOptions);
  trace('publish: project assembled');
  const latest = await latestPublished(store, probe.schema.slug);
  const schemaDiff = diffAgainst(latest, probe.schema.parameters);
  checkBreaking(probe.schema.slug, schemaDiff, input.allowBreaking ?? false);
  const target = await targeting;
  trace('publish: target resolved');
  // A full image installs its requirements in the layers of the latest version's chain when they
  // only add to it: the engine's cache has the earlier ones.
  const layers =
    probe.mode === 'full' && probe.requirements.present
      ? planDependencyLayers(probe.requirements, latest, {
          engine: target.engineHost,
          baseImage: probe.baseImage,
        })
      : undefined;

  // Until the version is recorded, log lines wait here; then they open its log file.
  const early: string[] = [];
  let log: {write(text: string): void} | undefined = undefined;
  const lastPushStatus = new Map<string, string>();
  const emit = (event: PublishEvent) => {
    const line = logLineOf(event, lastPushStatus);
    if (line !== undefined) {
      if (log) log.write(`${line}\n`);
      else early.push(line);
    }
    options.onEvent?.(event);
  };
  const checkCancelled = () => {
    if (signal?.aborted) throw new CancelledError();
  };
  emit({
    type: 'state',
    state: 'pending',
    at: Date.now(),
    module: probe.schema.slug,
    subject: `${probe.schema.slug} (${probe.entryPoint}) on stack '${target.stack}'`,
  });
  emit({
    type: 'log',
    line: renderText(decision.message, options.vocabulary ?? plainVocabulary),
    step: null,
  });
  const remembered = rememberedBaseImageLine(
    baseImage,
    probe.schema.slug,
    (options.vocabulary ?? plainVocabulary).field,
  );
  if (remembered) emit({type: 'log', line: remembered, step: null});
  for (const line of schemaChangeLines(schemaDiff)) emit({type: 'log', line, step: null});
  for (const note of probe.notes) emit({type: 'log', line: `Note: ${note}`, step: null});
  if (layers?.note) emit({type: 'log', line: layers.note, step: null});

  // Preflight: whatever can fail before a build fails here, and takes no version number.
  let clients: PublishClients;
  try {
    clients = await preflight(target, await answering, probe, {
      emit,
      checkCancelled,
      signal,
      repository: target.repositoryOf(probe.schema.slug),
    });
  } catch (error) {
    if (signal?.aborted || error instanceof CancelledError)
      throw new CancelledError(`Cancelled the publish of ${probe.schema.slug} before it started.`, {
        hint: 'Nothing was recorded; earlier versions are unchanged.',
      });
    const message = errorMessage(error).trim();
    emit({type: 'error', message, step: null});
    throw restate(
      error,
      `Can't publish ${probe.schema.slug}: `,
      'Nothing was built and no version was recorded.',
    );
  }
  const {docker, registry} = clients;
  trace('publish: preflight done');

  const started = Date.now();
  const createdAt = now();
  let record = await allocateVersion(
    store,
    {
      slug: probe.schema.slug,
      name: probe.schema.name,
      status: 'pending',
      visibility: input.visibility ?? 'private',
      image: null,
      digest: null,
      commit: code.commit,
      codeReference: code.codeReference,
      schema: probe.schema,
      projectPath: projectDir,
      hostname: os.hostname(),
      entryPoint: probe.entryPoint,
      // Hashed while the image is pushed (or once published): node:crypto takes 12 ms to load,
      // and nothing before the build needs it.
      entryPointSha256: '',
      mode: dependenciesOnly ? 'dependencies-only' : 'full',
      dependencyChecksum: null,
      ...(layers ? {dependencyLayers: layers.layers} : {}),
      reused: false,
      baseImage: probe.baseImage,
      stack: target.stack,
      registry: target.registryUri,
      engine: target.engineHost,
      sizeBytes: null,
      steps: [],
      labels: {},
      error: null,
      schemaDiff,
      createdAt,
      updatedAt: createdAt,
      finishedAt: null,
      durationMs: null,
    },
    (version) => publishLogFile(deps, probe.schema.slug, version),
  );
  trace('publish: version recorded');
  options.onRecorded?.({slug: record.slug, version: record.version, logFile: record.logFile});
  const modules = store.collection<ModuleVersionRecord>('modules');
  const save = async (changes: Partial<ModuleVersionRecord>) => {
    record = {...record, ...changes, updatedAt: now()};
    await modules.put(moduleVersionKey(record.slug, record.version), record);
  };
  /** Saved one turn after a request went to the engine: the store's write waits for the engine,
   *  not the engine for the write (the state's event is emitted before the request). */
  const saveOnceAsked = (changes: Partial<ModuleVersionRecord>) =>
    nextTurn().then(() => save(changes));

  mkdirSync(path.dirname(record.logFile), {recursive: true});
  const file = new AppendFile(record.logFile);
  // The whole log also goes to the profile's store (`berth logs SLUG@VERSION`), never clipped.
  const vault = new LogVaultWriter(store, publishLogKey(record.slug, record.version), {
    kind: 'publish',
    subject: `${record.slug}@${record.version}`,
  });
  const sink = {
    write(text: string) {
      file.write(text);
      vault.write(text);
    },
    async close() {
      await vault.close().catch((error: unknown) => {
        file.write(`berth: the log could not be kept in the store: ${errorMessage(error)}\n`);
      });
      file.close();
    },
  };
  sink.write(
    `berth ${input.berthVersion} publish ${record.slug} version ${record.version} from ${projectDir}\n`,
  );
  for (const line of early.splice(0))
    sink.write(`${line}
`);
  log = sink;
  if (file.failure)
    emit({
      type: 'log',
      line: `berth: the log file ${record.logFile} could not be written (${errorMessage(file.failure)}); the store keeps the log`,
      step: null,
    });
  trace('publish: log opened');

  let parser: BuildEventParser | undefined;
  /** The entry point's sha256, taken while the image is pushed (else once published). */
  let entryHash: string | undefined;
  try {
    const prepared = preparedWith(probe, {
      moduleVersion: String(record.version),
      ...(layers ? {dependencyLayers: layers.layers} : {}),
    });
    const repository = target.repositoryOf(record.slug);
    if (snapshot && dependenciesOnly) {
      const {storeSnapshot} = await import('../snapshots/publish-snapshot.js');
      const {where} = await storeSnapshot(store, snapshot);
      emit({type: 'log', line: `${snapshot.summary}, kept in ${where}`, step: null});
      checkCancelled();
    }
    if (clients.reuse) {
      await save({dependencyChecksum: prepared.dependencyChecksum});
      emit({
        type: 'log',
        line: `reused ${clients.reuse.image} (${clients.reuse.digest.slice(0, 19)}): the dependencies are unchanged, nothing to build`,
        step: null,
      });
      return await finishPublished(clients.reuse.image, clients.reuse.digest, null, true, prepared);
    }
    if (!docker || !clients.engine)
      throw new UserError('The Docker engine was not checked before the build.');
    const engine = clients.engine;
    // Said now, recorded once the engine has the first build's request (in `build` below).
    emit({type: 'state', state: 'building', at: Date.now()});
    let recordedBuilding: Promise<void> | undefined;
    const recordBuilding = () =>
      (recordedBuilding ??= saveOnceAsked({
        status: 'building',
        ...(prepared.dependencyChecksum ? {dependencyChecksum: prepared.dependencyChecksum} : {}),
      }));
    /** The image's ID, as the engine said it at the end of the build. */
    let builtImageId: string | undefined;
    /** The build's own name while it is tagged; a build asked for early has none. */
    let buildTag: string | undefined;
    const builder = chooseBuilder(engine, deps.env, docker.host);
    if (builder.note) emit({type: 'log', line: builder.note, step: null});
    if (builder.kind !== 'buildkit') earlyBuild.drop();
    const build = async (kind: BuilderKind, transfer?: ContextTransfer) => {
      parser = new BuildEventParser(emit);
      const activeParser = parser;
      try {
        trace('publish: build');
        const context = buildContextOf(preparedWith(prepared, {builder: kind}));
        const onEvent = (event: EngineEvent) => activeParser.push(event);
        const asked =
          kind === 'buildkit' && transfer === 'session'
            ? earlyBuild.take(context, onEvent)
            : undefined;
        const tag = `${target.registryHost}/${repository}:build-${record.version}`;
        buildTag = asked ? undefined : tag;
        const building =
          asked ??
          docker.build(context, {
            tag,
            builder: kind,
            ...(transfer ? {transfer} : {}),
            cacheKey: projectDir,
            signal,
            onEvent,
          });
        building.catch(() => undefined);
        await recordBuilding();
        builtImageId = await building;
      } finally {
        activeParser.finish();
      }
    };
    /** BuildKit; the context as a tar if its file sync fails; the classic builder if refused. */
    const buildWithBuildkit = async (transfer: ContextTransfer): Promise<void> => {
      try {
        await build('buildkit', transfer);
      } catch (error) {
        if (error instanceof SessionSyncError && transfer === 'session') {
          emit({type: 'log', line: contextSyncNote(docker.host, error.message), step: null});
          checkCancelled();
          return buildWithBuildkit('tar');
        }
        if (error instanceof BuilderRefusedError)
          emit({type: 'log', line: refusedBuildkitNote(docker.host, error.message), step: null});
        else if (error instanceof BuildkitStalledError)
          emit({type: 'log', line: stalledBuildkitNote(error.message), step: null});
        else throw error;
        checkCancelled();
        await build('classic');
      }
    };
    // BERTH_BUILD_CONTEXT=tar: the upload older clients send, for an engine whose file sync fails.
    if (builder.kind === 'buildkit')
      await buildWithBuildkit(deps.env.BERTH_BUILD_CONTEXT === 'tar' ? 'tar' : 'session');
    else await build('classic');
    const activeParser = parser!;
    trace('publish: built');
    checkCancelled();
    // The tag needs only the image's ID, which the build's stream ended with; its size and labels
    // (for the record) are asked meanwhile, by ID: the build's own name goes once tagged.
    const builtAs = builtImageId ?? buildTag;
    const inspecting = builtAs ? docker.inspectImage(builtAs) : Promise.resolve(undefined);
    inspecting.catch(() => undefined);
    const imageId = builtImageId ?? (await inspecting)?.id;
    const missing = () =>
      new UserError(`The engine built ${buildTag ?? 'the image'} but does not show it.`);
    if (!imageId) throw missing();
    const tag = prepared.dependencyChecksum
      ? `deps-${prepared.dependencyChecksum}`
      : `${record.version}-${imageId.replace(/^sha256:/, '').slice(0, 12)}`;
    const reference = `${target.registryHost}/${repository}:${tag}`;
    await docker.tag(imageId, `${target.registryHost}/${repository}`, tag);
    // The build's own name, if it had one, goes while the record is saved and the image pushed.
    const untagging = buildTag ? docker.removeImage(buildTag) : Promise.resolve();
    untagging.catch(() => undefined);
    const image = await inspecting;
    if (!image) throw missing();
    const built = {
      image: reference,
      sizeBytes: image.sizeBytes,
      labels: image.labels,
      steps: activeParser.steps,
    };
    if (!registry) {
      await save(built);
      await untagging;
      // The engine's own image store: the image is where `berth run` will use it.
      emit({
        type: 'log',
        line: `Kept ${reference} in the image store of the engine at ${docker.host} (a local registry: nothing pushed)`,
        step: null,
      });
      return await finishPublished(reference, image.id, image.sizeBytes, false, prepared);
    }

    const auth: RegistryAuthConfig | undefined = target.credentials
      ? {...target.credentials, serveraddress: target.registryHost}
      : undefined;
    trace('publish: tagged');
    // As with the build: said now, recorded once the engine has the push's request.
    emit({type: 'state', state: 'pushing', at: Date.now()});
    emit({type: 'log', line: `Pushing ${reference}`, step: null});
    const pushing = docker.push(reference, {
      ...(auth ? {auth} : {}),
      signal,
      onEvent: (event: EngineEvent) => {
        // The engine is pushing: the entry point is hashed meanwhile (node:crypto's 12 ms).
        entryHash ??= entryPointSha256(record);
        const progress = pushEventOf(event);
        if (progress) emit(progress);
        else if (typeof event.status === 'string')
          emit({type: 'log', line: event.status, step: null});
      },
    });
    pushing.catch(() => undefined);
    await saveOnceAsked({...built, status: 'pushing'});
    const pushEvents = await pushing;
    trace('publish: pushed');
    await untagging;
    checkCancelled();
    const pushedDigest = pushEvents
      .map((e) => (typeof e.aux === 'object' ? e.aux.Digest : undefined))
      .find((d): d is string => typeof d === 'string');
    const digest = await registry.manifestDigest(repository, tag);
    if (!digest)
      throw new UserError(
        `The registry ${target.registryHost} does not have ${repository}:${tag} after the push.`,
      );
    if (pushedDigest && pushedDigest !== digest) {
      throw new UserError(
        `The registry serves ${digest} for ${repository}:${tag}, but the engine pushed ${pushedDigest}.`,
      );
    }
    trace('publish: digest confirmed');
    return await finishPublished(reference, digest, image.sizeBytes, false, prepared);
  } catch (error) {
    const cancelled = signal?.aborted || error instanceof CancelledError;
    const message = cancelled ? 'Cancelled.' : failureMessage(error, parser);
    emit({
      type: 'error',
      message,
      step: error instanceof EngineStreamError ? (parser?.lastStep ?? null) : null,
    });
    await save({
      status: cancelled ? 'cancelled' : 'failed',
      error: message,
      steps: parser?.steps ?? [],
      finishedAt: now(),
      durationMs: Date.now() - started,
    });
    emit({type: 'state', state: cancelled ? 'cancelled' : 'failed', at: Date.now()});
    await sink.close();
    if (cancelled) {
      throw new CancelledError(
        `Cancelled the publish of ${record.slug} version ${record.version}.`,
        {
          hint: `Recorded as cancelled; earlier versions are unchanged. Log: ${record.logFile}`,
        },
      );
    }
    throw wrapError(error, (cause) => ({
      message: `Publishing ${record.slug} version ${record.version} failed: ${message}`,
      hint: `${cause.hint ? `${cause.hint}\n` : ''}Full log: ${record.logFile}`,
    }));
  }

  async function finishPublished(
    image: string,
    digest: string,
    sizeBytes: number | null,
    reused: boolean,
    prepared: PreparedProject,
  ): Promise<PublishResult> {
    const durationMs = Date.now() - started;
    await save({
      status: 'published',
      entryPointSha256: entryHash ?? entryPointSha256(record),
      image,
      digest,
      reused,
      sizeBytes: sizeBytes ?? record.sizeBytes,
      steps: parser?.steps ?? [],
      finishedAt: now(),
      durationMs,
      dependencyChecksum: prepared.dependencyChecksum,
    });
    emit({
      type: 'summary',
      module: record.slug,
      version: String(record.version),
      image,
      digest,
      sizeBytes: record.sizeBytes,
      durationMs,
      parameters: record.schema.parameters.length,
      steps: record.steps,
      schemaChanges: schemaChangeLines(schemaDiff),
    });
    emit({type: 'state', state: 'published', at: Date.now()});
    await sink.close();
    trace('publish: recorded published');
    return {record, context};
  }
}

type PublishClients = {
  /** Absent only when an existing dependencies image is reused from an oci registry. */
  docker: DockerClient | undefined;
  /** What the engine's ping said (its builder, API version); absent with `docker`. */
  engine?: EngineInfo;
  /** Absent for a local registry (the engine's image store). */
  registry: RegistryClient | undefined;
  /** Dependencies-only: the image that already holds these dependencies. */
  reuse?: {image: string; digest: string};
};

/** The target's registry and engine, each already asked whether it answers (not yet awaited). */
type TargetAnswers = {
  registry: {client: RegistryClient; ping: Promise<void>} | undefined;
  engine: Promise<{docker: DockerClient; info: EngineInfo}>;
};

/** Whether the build can be asked for before the project is read: BuildKit, through a session. */
function buildsEarly(env: NodeJS.ProcessEnv): boolean {
  return builderAskedFor(env) !== 'classic' && env.BERTH_BUILD_CONTEXT !== 'tar';
}

/** A promise whose failure waits (unhandled) until preflight reads it. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Asks the engine for the build when given one to start (its session open settles
 * `sessionOpen`), then whether it answers and which builder its operator chose.
 */
function askEngine(
  engineHost: string,
  early: {earlyBuild?: EarlyBuild; cacheKey?: string; signal?: AbortSignal | undefined},
): {answer: TargetAnswers['engine']; sessionOpen: Promise<void>} {
  let docker: DockerClient;
  try {
    docker = createDockerClient(engineHost);
  } catch (error) {
    // A malformed address: preflight reports it.
    return {answer: quiet(Promise.reject(error)), sessionOpen: Promise.resolve()};
  }
  const sessionOpen = early.earlyBuild
    ? early.earlyBuild.start(docker, {
        ...(early.cacheKey ? {cacheKey: early.cacheKey} : {}),
        ...(early.signal ? {signal: early.signal} : {}),
      })
    : Promise.resolve();
  const answer = traced('engine ping', () => docker.ping()).then((info) => ({docker, info}));
  return {answer: quiet(answer), sessionOpen};
}

/** Asks the registry (the engine was asked already): both answers wait for preflight. */
function askTarget(target: PublishTarget, engine: TargetAnswers['engine']): TargetAnswers {
  const registry = target.local
    ? undefined
    : createRegistryClient({
        host: target.registryHost,
        ...(target.credentials ? {credentials: target.credentials} : {}),
      });
  return {
    registry: registry
      ? {client: registry, ping: quiet(traced('registry ping', () => registry.ping()))}
      : undefined,
    engine,
  };
}

/**
 * Everything a build needs that can be checked before it starts, in the order a build would
 * meet it: the registry answers and accepts the credentials (oci), an image with these
 * dependencies exists already (then nothing else is needed), the engine answers, the base image
 * is on it or can be pulled. The registry and the engine were asked at once (askTarget); their
 * answers are read here in this order.
 */
async function preflight(
  target: PublishTarget,
  answers: TargetAnswers,
  probe: PreparedProject,
  io: {
    emit: (event: PublishEvent) => void;
    checkCancelled: () => void;
    signal: AbortSignal | undefined;
    repository: string;
  },
): Promise<PublishClients> {
  const {emit, checkCancelled} = io;
  const dependencyTag = probe.dependencyChecksum ? `deps-${probe.dependencyChecksum}` : undefined;
  const registry = answers.registry?.client;
  if (answers.registry) {
    // The registry first: when it already holds these dependencies (built by this machine or a
    // colleague), the engine's answer is not needed at all.
    emit({type: 'log', line: `Checking the registry ${target.registryHost}`, step: null});
    await answers.registry.ping;
    checkCancelled();
    if (dependencyTag) {
      const existing = await answers.registry.client.manifestDigest(io.repository, dependencyTag);
      checkCancelled();
      if (existing) {
        const image = `${target.registryHost}/${io.repository}:${dependencyTag}`;
        return {
          docker: undefined,
          registry: answers.registry.client,
          reuse: {image, digest: existing},
        };
      }
    }
  }
  emit({
    type: 'log',
    line: `Checking the Docker engine at ${parseDockerHost(target.engineHost).display}`,
    step: null,
  });
  const {docker, info: engine} = await answers.engine;
  checkCancelled();
  if (target.local && dependencyTag) {
    const image = `${target.registryHost}/${io.repository}:${dependencyTag}`;
    const existing = await docker.inspectImage(image);
    if (existing) return {docker, engine, registry, reuse: {image, digest: existing.id}};
  }
  await traced('preflight: base image', () => ensureBaseImage(docker, probe.baseImage, io.signal));
  checkCancelled();
  return {docker, engine, registry};
}

function failureMessage(error: unknown, parser: BuildEventParser | undefined): string {
  if (error instanceof EngineStreamError && parser?.lastInstruction) {
    return `${parser.lastInstruction} failed: ${error.message.trim()}`;
  }
  return errorMessage(error).trim();
}
