// A Docker Engine behind a small interface. Every call is bounded: short calls by a timeout, long
// ones (build, push, pull, run) by the caller's AbortSignal. Errors that mean "nothing answered"
// become one message naming the host and the fix. Requests go over node:http (engine-api.ts);
// only container runs load dockerode, for its attach and output demultiplexing.
import type Docker from 'dockerode';
import {PassThrough} from 'node:stream';
import {CancelledError, UserError} from '../lib/errors.js';
import {trace} from '../lib/trace.js';
import {contextTar, syncTree, type BuildContextEntry} from './build-context.js';
import {
  openBuildSession,
  sessionUuid,
  SessionSyncError,
  type BuildSession,
} from './buildkit-session.js';
import {createEngineTransport, type EngineAddress, type EngineRequest} from './engine-api.js';

export {SessionSyncError};
export type {BuildContextEntry};

/** One decoded JSON message of a build, push or pull stream. */
export type EngineEvent = Record<string, unknown> & {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: {current?: number; total?: number};
  error?: string;
  errorDetail?: {message?: string; code?: number};
  /** An object (image ID, pushed digest), or base64 protobuf in BuildKit's `moby.buildkit.trace`. */
  aux?: Record<string, unknown> | string;
};

/** What docker sends as X-Registry-Auth: it travels in a request header, never argv or env. */
export type RegistryAuthConfig = {username: string; password: string; serveraddress: string};

export type ImageInfo = {
  id: string;
  sizeBytes: number;
  labels: Record<string, string>;
  repoDigests: string[];
};

export type StreamOptions = {signal?: AbortSignal; onEvent?: (event: EngineEvent) => void};

/** What `/_ping` says: the API version, and the builder the engine's operator chose, if any. */
export type EngineInfo = {
  apiVersion: string | undefined;
  /** `2` BuildKit, `1` the classic builder (BuildKit turned off), undefined when unsaid. */
  builderVersion: string | undefined;
};

/**
 * `buildkit`: `POST /build?version=2`, the context read through a session's file sync (or sent as
 * a tar), progress as `moby.buildkit.trace` messages. `classic`: the engine's original builder.
 */
export type BuilderKind = 'buildkit' | 'classic';

/**
 * How BuildKit gets the context: `session` (its file sync, as `docker build` does: the engine
 * keeps the last copy and asks only for what changed) or `tar` (uploaded whole, unpacked on the
 * engine every build). The classic builder always takes a tar.
 */
export type ContextTransfer = 'session' | 'tar';

export type BuildOptions = StreamOptions & {
  /** The image's name; without one, the image is known by the ID the build resolves with. */
  tag?: string;
  labels?: Record<string, string>;
  networkMode?: string;
  builder?: BuilderKind;
  /** `session` unless asked; see ContextTransfer. */
  transfer?: ContextTransfer;
  /** Names the engine's kept copy of this context (the project's folder): the same one each build. */
  cacheKey?: string;
  /** BuildKit through a session: told once the session is open (the engine then prepares the build). */
  onSessionOpen?: () => void;
};

export type RunContainerInput = {
  image: string;
  args: string[];
  env?: string[];
  networkMode?: string;
  /**
   * Written to the container's stdin, which is then closed: the way to hand a secret to the
   * container without it showing in `docker inspect` (env, args) or in any process's argv.
   */
  stdin?: string;
  signal?: AbortSignal;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
};

export interface DockerClient {
  /** What the user knows the engine as (`unix:///var/run/docker.sock`, `tcp://host:2375`). */
  readonly host: string;
  ping(): Promise<EngineInfo>;
  inspectImage(reference: string): Promise<ImageInfo | undefined>;
  imageExists(reference: string): Promise<boolean>;
  /** `repository:tag` of every tagged image on the engine. */
  imageTags(): Promise<string[]>;
  /**
   * Streams the build; rejects on an `error`/`errorDetail` event (EngineStreamError), with
   * BuilderRefusedError when the engine refuses the builder asked for before building anything,
   * and with SessionSyncError when BuildKit's file sync could not be used (the build may be tried
   * again with `transfer: 'tar'`). Resolves with the image's ID when the engine said it (both
   * builders do, in the stream's last messages).
   *
   * The context may still be coming: a BuildKit build through a session is asked for at once,
   * and the engine, which prepares a build for about 30 ms before it first asks for a file, gets
   * the files when they are there; if they never come (the promise rejects), the build stops.
   */
  build(
    context: BuildContextEntry[] | Promise<BuildContextEntry[]>,
    options: BuildOptions,
  ): Promise<string | undefined>;
  tag(source: string, repository: string, tag: string): Promise<void>;
  push(
    reference: string,
    options: StreamOptions & {auth?: RegistryAuthConfig},
  ): Promise<EngineEvent[]>;
  pull(reference: string, options: StreamOptions & {auth?: RegistryAuthConfig}): Promise<void>;
  /**
   * Creates, starts and waits for a container, streaming its (demultiplexed) output; removes it.
   * Aborting `signal` stops it like `docker stop`; the exit code is then the one the stop gave
   * (143 for a program ended by SIGTERM): the caller sees `signal.aborted`.
   */
  runContainer(input: RunContainerInput): Promise<{exitCode: number}>;
  removeImage(reference: string): Promise<void>;
}

/** An error the engine reported inside a stream (a failing RUN, a refused push). */
export class EngineStreamError extends Error {}

/**
 * The engine's BuildKit stopped reporting progress for good: it sends only empty trace messages
 * and will never end the response. Docker Engine 20.10's BuildKit does this once a step prints
 * over 1 MiB between two progress reads (its status splitting never resets its retry flag).
 * The request is closed, which cancels the build; nothing was kept.
 */
export class BuildkitStalledError extends Error {}

/** Empty `moby.buildkit.trace` messages in a row that mean the stall above (a working engine sends at most one). */
export const stalledTraceRun = 200;

/** The engine refused the build request itself (e.g. no BuildKit there); nothing was built. */
export class BuilderRefusedError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

const shortCallTimeoutMs = 10_000;
const pingTimeoutMs = 5_000;

export type DockerHost = {display: string; options: EngineAddress};

/** `unix:///path`, `tcp://host:port`, `http(s)://host:port`, or the local socket by default. */
export function parseDockerHost(value: string | undefined): DockerHost {
  const raw = value?.trim() || 'unix:///var/run/docker.sock';
  if (raw.startsWith('unix://'))
    return {display: raw, options: {socketPath: raw.slice('unix://'.length)}};
  if (raw.startsWith('/')) return {display: `unix://${raw}`, options: {socketPath: raw}};
  const match = /^(tcp|http|https):\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(raw);
  if (!match) {
    throw new UserError(`"${raw}" is not a Docker host.`, {
      hint: "Use unix:///path/to/docker.sock or tcp://HOST:PORT (DOCKER_HOST or the image builder's host option).",
    });
  }
  const protocol: 'http' | 'https' = match[1] === 'https' ? 'https' : 'http';
  const port = match[3] ? Number(match[3]) : protocol === 'https' ? 2376 : 2375;
  return {display: raw, options: {host: match[2]!.replace(/^\[|\]$/g, ''), port, protocol}};
}

export function unreachableEngine(host: string, cause?: unknown): UserError {
  return new UserError(`Can't reach the Docker engine at ${host}. Start it, or set DOCKER_HOST.`, {
    hint: (_f, act) =>
      `Check the image builder's host option (${act({kind: 'stack.describe'})}), or DOCKER_HOST.`,
    cause,
  });
}

function isUnreachable(error: unknown): boolean {
  const code = (error as {code?: string} | undefined)?.code;
  return [
    'ECONNREFUSED',
    'ENOENT',
    'EACCES',
    'ECONNRESET',
    'EHOSTUNREACH',
    'ENOTFOUND',
    'EPIPE',
    'ETIMEDOUT',
  ].includes(code ?? '');
}

function isAbort(error: unknown): boolean {
  const e = error as {name?: string; code?: string} | undefined;
  return e?.name === 'AbortError' || e?.code === 'ABORT_ERR';
}

function statusCode(error: unknown): number | undefined {
  return (error as {statusCode?: number} | undefined)?.statusCode;
}

/**
 * Splits a stream of newline-delimited JSON into events, across chunk boundaries. Linear in the
 * stream: each chunk is searched once, and a line spanning many chunks (a BuildKit trace message
 * can be a megabyte of base64) is joined once, when its newline arrives.
 */
export function jsonLines(onEvent: (event: EngineEvent) => void): (chunk: Buffer | string) => void {
  let parts: Buffer[] = [];
  const emit = (bytes: Buffer) => {
    const line = bytes.toString('utf8').trim();
    if (!line) return;
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      event = {stream: `${line}\n`};
    }
    onEvent(event);
  };
  return (chunk) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    let newline: number;
    while ((newline = bytes.indexOf(10, start)) >= 0) {
      const piece = bytes.subarray(start, newline);
      if (parts.length > 0) {
        parts.push(piece);
        const whole = Buffer.concat(parts);
        parts = [];
        emit(whole);
      } else emit(piece);
      start = newline + 1;
    }
    // Kept as a copy: the stream may reuse its buffers.
    if (start < bytes.length) parts.push(Buffer.from(bytes.subarray(start)));
  };
}

/** The built image's ID: BuildKit's `moby.image.id` message, or the classic builder's `aux`. */
function builtImageIdOf(event: EngineEvent): string | undefined {
  if (typeof event.aux !== 'object' || (event.id !== undefined && event.id !== 'moby.image.id'))
    return undefined;
  const id = event.aux.ID;
  return typeof id === 'string' && id.startsWith('sha256:') ? id : undefined;
}

export function engineErrorOf(event: EngineEvent): string | undefined {
  if (event.errorDetail !== undefined)
    return event.errorDetail.message ?? event.error ?? 'the engine reported an error';
  if (event.error !== undefined) return String(event.error);
  return undefined;
}

export function createDockerClient(hostValue?: string): DockerClient {
  const parsed = parseDockerHost(hostValue);
  const host = parsed.display;
  const engine = createEngineTransport(parsed.options);
  /** dockerode, for container runs only (attach, demultiplexed output). */
  let dockerode: Promise<Docker> | undefined;
  const runtime = () =>
    (dockerode ??= import('dockerode').then(({default: Docker}) => new Docker(parsed.options)));

  async function call<T>(
    work: (signal: AbortSignal) => Promise<T>,
    timeoutMs = shortCallTimeoutMs,
  ): Promise<T> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await work(signal);
    } catch (error) {
      if (isUnreachable(error) || (isAbort(error) && signal.aborted))
        throw unreachableEngine(host, error);
      throw error;
    }
  }

  /**
   * Reads a JSON-lines progress stream to its end; the first engine error rejects. Keeps the
   * events only when asked (`collect`): a build's stream can be millions of messages. `watch`
   * may end the stream early with an error of its own.
   */
  function follow(
    stream: NodeJS.ReadableStream,
    options: StreamOptions,
    extra: {collect?: boolean; watch?: (event: EngineEvent) => Error | undefined} = {},
  ): Promise<EngineEvent[]> {
    return new Promise((resolve, reject) => {
      const events: EngineEvent[] = [];
      let failure: string | undefined;
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        if (options.signal?.aborted) reject(new CancelledError());
        else if (error) reject(isUnreachable(error) ? unreachableEngine(host, error) : error);
        else if (failure !== undefined) reject(new EngineStreamError(failure));
        else resolve(events);
      };
      const onAbort = () => {
        (stream as unknown as {destroy?: () => void}).destroy?.();
        finish();
      };
      options.signal?.addEventListener('abort', onAbort, {once: true});
      const feed = jsonLines((event) => {
        if (settled) return;
        if (extra.collect) events.push(event);
        const stop = extra.watch?.(event);
        if (stop) {
          (stream as unknown as {destroy?: () => void}).destroy?.();
          finish(stop);
          return;
        }
        const message = engineErrorOf(event);
        if (message !== undefined && failure === undefined) failure = message;
        options.onEvent?.(event);
      });
      stream.on('data', feed);
      stream.on('end', () => finish());
      stream.on('close', () => finish());
      stream.on('error', (error) => finish(error));
    });
  }

  async function start<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new CancelledError();
    try {
      return await work();
    } catch (error) {
      if (signal?.aborted || isAbort(error)) throw new CancelledError();
      if (isUnreachable(error)) throw unreachableEngine(host, error);
      throw error;
    }
  }

  const client: DockerClient = {
    host,
    async ping() {
      const response = await call(
        (signal) =>
          engine.request({
            method: 'GET',
            path: '/_ping',
            signal,
            reasons: {500: 'server error'},
          }),
        pingTimeoutMs,
      );
      response.resume();
      const header = (name: string) => {
        const value = response.headers[name];
        return typeof value === 'string' && value.trim() ? value.trim() : undefined;
      };
      return {apiVersion: header('api-version'), builderVersion: header('builder-version')};
    },
    async inspectImage(reference) {
      try {
        const info = await call((signal) =>
          engine.json<{
            Id: string;
            Size: number;
            Config?: {Labels?: Record<string, string> | null};
            RepoDigests?: string[] | null;
          }>({
            method: 'GET',
            path: `/images/${reference}/json`,
            signal,
            reasons: {404: 'no such image', 500: 'server error'},
          }),
        );
        if (!info) throw new Error(`The engine at ${host} said nothing about ${reference}.`);
        return {
          id: info.Id,
          sizeBytes: info.Size,
          labels: info.Config?.Labels ?? {},
          repoDigests: info.RepoDigests ?? [],
        };
      } catch (error) {
        if (statusCode(error) === 404) return undefined;
        throw error;
      }
    },
    async imageExists(reference) {
      return (await client.inspectImage(reference)) !== undefined;
    },
    async imageTags() {
      const images = await call((signal) =>
        engine.json<Array<{RepoTags?: string[] | null}>>({
          method: 'GET',
          path: '/images/json',
          signal,
          reasons: {500: 'server error'},
        }),
      );
      return (images ?? [])
        .flatMap((image) => image.RepoTags ?? [])
        .filter((tag) => tag !== '<none>:<none>');
    },
    async build(context, given) {
      let imageId: string | undefined;
      const options: BuildOptions = {
        ...given,
        onEvent: (event) => {
          imageId = builtImageIdOf(event) ?? imageId;
          given.onEvent?.(event);
        },
      };
      const buildkit = options.builder === 'buildkit';
      const sessionId = buildkit && options.transfer !== 'tar' ? sessionUuid() : undefined;
      const body = sessionId ? undefined : await contextTar(await context);
      // Stops the build when its session cannot open (the engine waits for it otherwise).
      const sessionless = new AbortController();
      const signal = options.signal
        ? AbortSignal.any([options.signal, sessionless.signal])
        : sessionless.signal;
      const request: EngineRequest = {
        method: 'POST',
        path: '/build',
        query: {
          ...(options.tag ? {t: options.tag} : {}),
          // The engine may run without a default bridge (dockerd --bridge=none); host works everywhere.
          networkmode: options.networkMode ?? 'host',
          rm: true,
          forcerm: true,
          ...(options.labels ? {labels: options.labels} : {}),
          ...(buildkit ? {version: '2'} : {}),
          ...(sessionId ? {session: sessionId, remote: 'client-session'} : {}),
        },
        ...(body ? {body} : {}),
        signal,
        reasons: {400: 'bad parameter', 500: 'server error'},
      };
      if (!buildkit) {
        await follow(await start(options.signal, () => engine.request(request)), options);
        return imageId;
      }
      // Asked for first: the engine prepares the build while the session opens here, and waits
      // for the session when it first needs a file (as `docker build` runs the two at once).
      const requesting = start(options.signal, () =>
        engine.request(request).catch((error: unknown) => {
          const code = statusCode(error);
          throw code === 400 || code === 500
            ? new BuilderRefusedError(refusalMessage(error), code)
            : error;
        }),
      );
      requesting.catch(() => undefined);
      let session: BuildSession | undefined;
      // The files as the session serves them, once the context is there.
      const tree = sessionId ? Promise.resolve(context).then(syncTree) : undefined;
      if (tree) {
        // The dockerfile frontend reads its Dockerfile from a folder of its own.
        const dockerfile = tree.then((entries) =>
          entries.filter((entry) => entry.path === 'Dockerfile'),
        );
        for (const files of [tree, dockerfile]) files.catch(() => undefined);
        try {
          session = await start(options.signal, () =>
            openBuildSession(
              engine.upgrade,
              {context: tree, dockerfile},
              options.cacheKey ?? '',
              options.signal,
              sessionId,
            ).catch((error: unknown) => {
              throw isUnreachable(error) || isAbort(error)
                ? error
                : new SessionSyncError(`the engine opened no session: ${refusalMessage(error)}`);
            }),
          );
          trace('docker: session open');
          options.onSessionOpen?.();
        } catch (error) {
          sessionless.abort();
          // An engine that refused the build says why (no BuildKit), not its missing session.
          const refusal = await requesting.then(
            () => undefined,
            (cause: unknown) => (cause instanceof BuilderRefusedError ? cause : undefined),
          );
          throw refusal ?? error;
        }
      }
      // A context that cannot be read (or never comes) stops the build, for that reason.
      let unreadable: {reason: unknown} | undefined;
      tree?.catch((reason: unknown) => {
        unreadable = {reason};
        sessionless.abort();
      });
      try {
        const stream = await requesting;
        let emptyTraces = 0;
        await follow(stream, options, {
          watch(event) {
            if (event.id !== 'moby.buildkit.trace' || event.aux !== '') {
              emptyTraces = 0;
              return undefined;
            }
            if (++emptyTraces < stalledTraceRun) return undefined;
            return new BuildkitStalledError(
              `The engine at ${host} stopped sending BuildKit progress (only empty messages since a step printed over 1 MiB at once).`,
            );
          },
        });
        if (unreadable) throw unreadable.reason;
      } catch (error) {
        if (unreadable) throw unreadable.reason;
        // A build that failed because the file sync did is the session's failure, not the build's.
        const broken = session?.failure();
        if (broken && !(error instanceof CancelledError)) throw broken;
        throw error;
      } finally {
        session?.close();
      }
      return imageId;
    },
    async tag(source, repository, tag) {
      const response = await call((signal) =>
        engine.request({
          method: 'POST',
          path: `/images/${source}/tag`,
          query: {repo: repository, tag},
          signal,
          reasons: {
            400: 'bad parameter',
            404: 'no such image',
            409: 'conflict',
            500: 'server error',
          },
        }),
      );
      response.resume();
    },
    async push(reference, options) {
      const {repository, tag} = splitReference(reference);
      const stream = await start(options.signal, () =>
        engine.request({
          method: 'POST',
          path: `/images/${repository}/push`,
          query: {tag},
          // The engine wants the header even for a registry without auth.
          headers: {'X-Registry-Auth': registryAuthHeader(options.auth)},
          ...(options.signal ? {signal: options.signal} : {}),
          reasons: {404: 'no such image', 500: 'server error'},
        }),
      );
      return follow(stream, options, {collect: true});
    },
    async pull(reference, options) {
      const stream = await start(options.signal, () =>
        engine.request({
          method: 'POST',
          path: '/images/create',
          query: pullQuery(reference),
          headers: {'X-Registry-Auth': registryAuthHeader(options.auth)},
          ...(options.signal ? {signal: options.signal} : {}),
          reasons: {404: 'no such image', 500: 'server error'},
        }),
      );
      await follow(stream, options);
    },
    async runContainer(input) {
      const docker = await start(input.signal, runtime);
      const container = await start(input.signal, () =>
        docker.createContainer({
          Image: input.image,
          Cmd: input.args,
          Env: input.env,
          Tty: false,
          ...(input.stdin !== undefined
            ? {OpenStdin: true, StdinOnce: true, AttachStdin: true}
            : {}),
          // An init as PID 1 (docker-init): the program gets SIGTERM with its default action.
          // As PID 1 itself, a program without a handler (a plain Python script) ignores it and
          // a cancelled run would wait for docker's SIGKILL after the 10 s grace.
          HostConfig: {NetworkMode: input.networkMode ?? 'host', Init: true},
        }),
      );
      try {
        const attach = (await container.attach({
          stream: true,
          stdout: true,
          stderr: true,
          ...(input.stdin !== undefined ? {stdin: true, hijack: true} : {}),
        })) as NodeJS.ReadWriteStream;
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        stdout.on('data', (chunk: Buffer) => input.onStdout?.(chunk));
        stderr.on('data', (chunk: Buffer) => input.onStderr?.(chunk));
        docker.modem.demuxStream(attach, stdout, stderr);
        const drained = new Promise<void>((resolve) => {
          attach.on('end', resolve);
          attach.on('close', resolve);
          attach.on('error', () => resolve());
        });
        if (input.signal?.aborted) throw new CancelledError();
        await container.start();
        if (input.stdin !== undefined) {
          // End of input (half-close) makes the engine close the container's stdin (StdinOnce).
          attach.end(input.stdin);
        }
        // Like `docker stop`: SIGTERM, then SIGKILL after 10 s for a program that ignores it.
        const onAbort = () => void container.stop({t: 10}).catch(() => undefined);
        input.signal?.addEventListener('abort', onAbort, {once: true});
        if (input.signal?.aborted) onAbort();
        try {
          const result = (await container.wait()) as {StatusCode: number};
          await Promise.race([
            drained,
            new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
          ]);
          return {exitCode: result.StatusCode};
        } finally {
          input.signal?.removeEventListener('abort', onAbort);
        }
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        if (isUnreachable(error)) throw unreachableEngine(host, error);
        throw error;
      } finally {
        await container.remove({force: true}).catch(() => undefined);
      }
    },
    async removeImage(reference) {
      try {
        const response = await call((signal) =>
          engine.request({
            method: 'DELETE',
            path: `/images/${reference}`,
            signal,
            reasons: {404: 'no such image', 409: 'conflict', 500: 'server error'},
          }),
        );
        response.resume();
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
      }
    },
  };
  return client;
}

/** The engine's own words from a refused request (`(HTTP code 400) bad parameter - …`). */
function refusalMessage(error: unknown): string {
  const json = (error as {json?: {message?: string}} | undefined)?.json;
  if (json && typeof json.message === 'string') return json.message.trim();
  return String((error as Error | undefined)?.message ?? error)
    .replace(/^\(HTTP code \d+\) [^-]*- /, '')
    .trim();
}

/**
 * X-Registry-Auth: the credentials (or none: `{}`) as JSON in base64's URL alphabet WITH its
 * `=` padding, in a request header. The engine decodes it with Go's padded URLEncoding: without
 * the padding (Node's 'base64url') the JSON's last bytes are lost whenever its length is not a
 * multiple of 3, the engine drops the credentials, and the push fails "no basic auth credentials".
 */
function registryAuthHeader(auth: RegistryAuthConfig | undefined): string {
  return Buffer.from(JSON.stringify(auth ?? {}))
    .toString('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

/** `/images/create`'s query: a name and tag, or a name pinned by digest. */
function pullQuery(reference: string): Record<string, string> {
  if (reference.includes('@')) return {fromImage: reference};
  const {repository, tag} = splitReference(reference);
  return {fromImage: repository, tag};
}

/** `host:5000/ns/name:tag` → repository `host:5000/ns/name`, tag `tag` (a port is not a tag). */
export function splitReference(reference: string): {repository: string; tag: string} {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash)
    return {repository: reference.slice(0, colon), tag: reference.slice(colon + 1)};
  return {repository: reference, tag: 'latest'};
}
