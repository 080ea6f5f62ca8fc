// The image a build starts FROM must be on the engine before a version number is taken. When it
// is not (and can't be pulled, as on a machine without internet), the error says what to do
// next: the Python images this engine already has, by name, and how to pull the missing one.
import type {DockerClient} from '../../clients/docker.js';
import {
  CancelledError,
  ExitCode,
  FieldError,
  errorMessage,
  type FieldLabel,
} from '../../lib/errors.js';

/** The base image must be on the engine; a pull is tried (it fails fast without internet). */
export async function ensureBaseImage(
  docker: DockerClient,
  image: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (await docker.imageExists(image)) return;
  const pullSignal = AbortSignal.any([AbortSignal.timeout(60_000), ...(signal ? [signal] : [])]);
  try {
    await docker.pull(image, {signal: pullSignal});
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    throw await missingBaseImage(
      docker,
      image,
      `The base image ${image} is not on the engine at ${docker.host} and could not be pulled: ${errorMessage(error)}`,
      error,
    );
  }
  if (!(await docker.imageExists(image)))
    throw await missingBaseImage(
      docker,
      image,
      `The base image ${image} is not on the engine at ${docker.host}.`,
    );
}

/** At most this many Python images are named. */
const namedImages = 3;

async function missingBaseImage(
  docker: DockerClient,
  image: string,
  message: string,
  cause?: unknown,
): Promise<FieldError> {
  // Only a suggestion: an engine that can't list its images still gets the pull advice.
  const pythons = (await docker.imageTags().catch(() => []))
    .filter(isPythonImage)
    .slice(0, namedImages);
  const pull = `pull ${image} on that engine where it reaches the internet (\`docker pull ${image}\`)`;
  const hint = (f: FieldLabel) =>
    pythons.length > 0
      ? `Set ${f('baseImage')} to a Python image this engine has: ${pythons.join(', ')}. Or ${pull}.`
      : `${pull[0]!.toUpperCase()}${pull.slice(1)}, or set ${f('baseImage')} to an image it has (\`docker images\` lists them).`;
  return new FieldError('baseImage', message, {hint, exitCode: ExitCode.failure, cause});
}

/** `python:3.12`, `berth-test/python:3.11`, `registry:5000/team/python-gpu:1`. */
export function isPythonImage(reference: string): boolean {
  const repository = reference.slice(0, reference.lastIndexOf(':'));
  return /(^|\/)python[^/]*$/.test(repository);
}
