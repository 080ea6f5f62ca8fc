// Which builder a publish uses. BuildKit by default: it keeps pip's cache on the engine (a cache
// mount), runs metadata instructions as no steps at all, and reports structured progress. The
// classic builder when the user asks (DOCKER_BUILDKIT=0, as with the docker CLI), when the
// engine's operator turned BuildKit off (`"features": {"buildkit": false}`: `/_ping` then says
// `Builder-Version: 1`), when the engine refuses a BuildKit build, or when its BuildKit stops
// reporting progress mid-build (then the build starts again). The reason is said once.
import type {BuilderKind, EngineInfo} from '../../clients/docker.js';

export type BuilderChoice = {
  kind: BuilderKind;
  /** One line for the log when the choice is not BuildKit (why, and what it costs). */
  note: string | null;
};

const classicCost = 'without the pip cache: a requirements change downloads every package again';

/** The builder DOCKER_BUILDKIT asks for, read as the docker CLI reads it; undefined when unsaid. */
export function builderAskedFor(env: NodeJS.ProcessEnv): BuilderKind | undefined {
  const asked = env.DOCKER_BUILDKIT?.trim().toLowerCase();
  if (asked === '0' || asked === 'false') return 'classic';
  if (asked === '1' || asked === 'true') return 'buildkit';
  return undefined;
}

export function chooseBuilder(
  engine: EngineInfo,
  env: NodeJS.ProcessEnv,
  engineHost: string,
): BuilderChoice {
  const asked = builderAskedFor(env);
  if (asked === 'classic')
    return {
      kind: 'classic',
      note: `DOCKER_BUILDKIT=${env.DOCKER_BUILDKIT}: building with the classic builder, ${classicCost}.`,
    };
  if (asked === 'buildkit') return {kind: 'buildkit', note: null};
  if (engine.builderVersion === '1') {
    return {
      kind: 'classic',
      note: `The engine at ${engineHost} has BuildKit turned off ("features": {"buildkit": false}): building with the classic builder, ${classicCost}.`,
    };
  }
  return {kind: 'buildkit', note: null};
}

/** The line said when the engine refused BuildKit and the build goes on with the classic builder. */
export function refusedBuildkitNote(engineHost: string, reason: string): string {
  return `The engine at ${engineHost} refused a BuildKit build (${reason}): building with the classic builder, ${classicCost}.`;
}

/**
 * The line said when BuildKit could not read the context through a session (its file sync) and
 * the build starts again with the context uploaded as a tar, as older clients send it.
 */
export function contextSyncNote(engineHost: string, reason: string): string {
  return `The engine at ${engineHost} could not read the build context through a BuildKit session (${reason}): sending it as a tar.`;
}

/**
 * The line said when the engine's BuildKit stopped reporting a build (Docker Engine 20.10 with a
 * step printing over 1 MiB at once) and the build starts again with the classic builder, whose
 * output has no such limit: the log then holds every line of the second build.
 */
export function stalledBuildkitNote(reason: string): string {
  return `${reason} Building again with the classic builder for the whole log, ${classicCost}. A newer Docker Engine does not stop.`;
}
