// A BuildKit build asked of the engine as soon as the engine is known, before the project is read
// and checked. The engine prepares a build for about 30 ms before it first asks for a file (the
// Dockerfile, through the session); berth's own checks take about as long, so the two overlap:
// the build's files are given when the checks pass, and the build is called off when they fail,
// before the engine has a Dockerfile (nothing is built). A code-change publish ends that much
// sooner. The build carries no name: the engine says its image's ID at the end.
import type {
  BuildContextEntry,
  BuildOptions,
  DockerClient,
  EngineEvent,
} from '../../clients/docker.js';
import {CancelledError} from '../../lib/errors.js';

const noop = () => undefined;

type Started = {
  building: Promise<string | undefined>;
  give(context: BuildContextEntry[]): void;
  listen(onEvent: (event: EngineEvent) => void): void;
  callOff(): void;
};

export class EarlyBuild {
  private ended = false;
  private started: Started | undefined;

  /**
   * Asks `docker` for the build; nothing once the publish is over (`drop`). Resolves once the
   * build's session is open, or the build failed, or after `patienceMs` at most. The engine
   * starts preparing only once berth has answered on the session, which its event loop does not
   * while it reads the project: a local engine opens it within a few ms, and a distant one must
   * not hold up the publish's own checks for long.
   */
  start(
    docker: DockerClient,
    options: Pick<BuildOptions, 'cacheKey' | 'signal'>,
    patienceMs = 20,
  ): Promise<void> {
    if (this.ended || this.started) return Promise.resolve();
    const stop = new AbortController();
    let give!: (context: BuildContextEntry[]) => void;
    let refuse!: (reason: Error) => void;
    const context = new Promise<BuildContextEntry[]>((resolve, reject) => {
      give = resolve;
      refuse = reject;
    });
    // What the engine says before the build is taken waits for whoever takes it.
    const waiting: EngineEvent[] = [];
    let listener: ((event: EngineEvent) => void) | undefined;
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const building = docker.build(context, {
      builder: 'buildkit',
      transfer: 'session',
      ...(options.cacheKey ? {cacheKey: options.cacheKey} : {}),
      signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
      onEvent: (event) => (listener ? listener(event) : waiting.push(event)),
      onSessionOpen: opened,
    });
    building.catch(() => undefined);
    this.started = {
      building,
      give,
      listen(onEvent) {
        listener = onEvent;
        for (const event of waiting.splice(0)) onEvent(event);
      },
      callOff() {
        refuse(new CancelledError('The build was called off before it had its files.'));
        stop.abort();
      },
    };
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, patienceMs);
      timer.unref();
    });
    return Promise.race([open, building.then(noop, noop), patience]).finally(() =>
      clearTimeout(timer),
    );
  }

  /**
   * The build asked for early, given its files, its events going to `onEvent` (those said
   * meanwhile first); undefined when none was asked for. Taken once.
   */
  take(
    context: BuildContextEntry[],
    onEvent: (event: EngineEvent) => void,
  ): Promise<string | undefined> | undefined {
    const started = this.started;
    if (this.ended || !started) return undefined;
    this.ended = true;
    started.listen(onEvent);
    started.give(context);
    return started.building;
  }

  /** The publish goes on without it, or is over: a build not taken is called off. */
  drop(): void {
    if (this.ended) return;
    this.ended = true;
    this.started?.callOff();
  }
}
