// Everything about a code project that can be known without Docker: its entry point and schema,
// its requirements, the Dockerfile and the files of the build context. `berth publish --dry-run`
// prints this; the build step tars `contextEntries` and sends them to the image builder.
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import path from 'node:path';
import type {BuilderKind, BuildContextEntry} from '../../clients/docker.js';
import {
  ExitCode,
  FieldError,
  renderText,
  UserError,
  type FieldLabel,
  type Vocabulary,
} from '../../lib/errors.js';
import {listIgnoredFiles} from '../../clients/git.js';
import type {ActionLabel} from '../../lib/remedies.js';
import type {ModuleSchema} from '../../models/module.js';
import {readModuleAnnotations} from './annotations.js';
import {BOOTSTRAP_SCRIPT} from './bootstrap.js';
import {buildContext, type BuildContext, type ContextFile, type ExcludedFile} from './context.js';
import {
  CONTEXT_BOOTSTRAP,
  CONTEXT_CODE_DIR,
  CONTEXT_DEPENDENCIES_DIR,
  CONTEXT_DOCKERFILE,
  DEFAULT_BASE_IMAGE,
  DOCKERFILE_TEMPLATE_VERSION,
  dependencyChecksum,
  dependencyDir,
  generateDockerfile,
  type BuildPipOptions,
  type DockerfileInput,
  type DockerfileMode,
} from './dockerfile.js';
import type {DependencyLayer} from './dependency-layers.js';
import {findEntryPoint, readEntryPoint} from './entry-point.js';
import {readRequirements, type Requirement, type Requirements} from './requirements.js';

export type PrepareOptions = {
  /** `--entry FILE`, relative to the project. */
  entry?: string;
  baseImage?: string;
  /** `dependencies-only` for a clean, pushed checkout of a registered repository. */
  mode?: DockerfileMode;
  berthVersion: string;
  commit?: string | null;
  moduleVersion?: string;
  sourceUrl?: string;
  pip?: BuildPipOptions;
  /** Paths to send although they look secret or git ignores them (`--include`). */
  include?: string[];
};

/** One entry of the build context tar: generated text, or a file of the project. */
export type ContextEntry =
  | {name: string; type: 'generated'; content: string; mode: number}
  | {name: string; type: 'project'; file: ContextFile; sourcePath: string};

export type PreparedProject = {
  projectDir: string;
  mode: DockerfileMode;
  baseImage: string;
  schema: ModuleSchema;
  entryPoint: string;
  requirements: Requirements;
  dockerfile: string;
  /** What the Dockerfile was generated from (to generate it again for another builder). */
  dockerfileInput: DockerfileInput;
  /** The project's files that go into a full image (after exclusions and `.dockerignore`). */
  contextFiles: ContextFile[];
  /** What was left out of the context and why (the first ones), and how many in all. */
  excludedFiles: ExcludedFile[];
  excludedCount: number;
  /** What to send as the build context, in order. */
  contextEntries: ContextEntry[];
  /** Dependencies-only: the image tag; null for a full image. */
  dependencyChecksum: string | null;
  notes: string[];
};

/** What reading the project's files gives, before a mode, commit or version is known. */
export type ProjectScan = {
  root: string;
  entryPoint: string;
  annotations: ReturnType<typeof readModuleAnnotations>;
  requirements: Requirements;
  context: BuildContext;
};

export async function prepareProject(
  projectDir: string,
  options: PrepareOptions,
): Promise<PreparedProject> {
  return assembleProject(await scanProject(projectDir, options), options);
}

/** The project's entry point, schema, requirements and files: everything read from disk. */
export async function scanProject(
  projectDir: string,
  options: Pick<PrepareOptions, 'entry' | 'include'>,
): Promise<ProjectScan> {
  const root = path.resolve(projectDir);
  // What git ignores is asked first: git runs while the Python files are read and parsed.
  const ignored = listIgnoredFiles(root);
  try {
    const entryPoint = await findEntryPoint(
      root,
      options.entry === undefined ? {} : {entry: options.entry},
    );
    const source = await readEntryPoint(root, entryPoint);
    const annotations = readModuleAnnotations(source, entryPoint);
    const requirements = await readRequirements(root);
    const context = await buildContext(root, {
      include: options.include ?? [],
      needed: requirements.localFindLinks,
      listIgnored: () => ignored,
    });
    return {root, entryPoint, annotations, requirements, context};
  } catch (error) {
    // git's temporary repository is gone before the error is reported.
    await ignored.catch(() => undefined);
    throw error;
  }
}

/** A scanned project made ready to build in a mode (the Dockerfile, the context's entries). */
export async function assembleProject(
  scan: ProjectScan,
  options: PrepareOptions,
): Promise<PreparedProject> {
  const {root, entryPoint, annotations, requirements, context} = scan;
  const mode = options.mode ?? 'full';
  const baseImage = options.baseImage ?? DEFAULT_BASE_IMAGE;
  const contextFiles = context.files;

  const included = new Set(contextFiles.map((f) => f.path));
  if (mode === 'full' && !included.has(entryPoint)) {
    const reason = context.excluded.find(
      (e) => e.path === entryPoint || entryPoint.startsWith(e.path),
    );
    const message = (field: FieldLabel, action: ActionLabel) =>
      `The entry point ${entryPoint} is left out of the build context: ${reason ? renderText(reason.reason, {field, action}) : 'excluded'}.`;
    // A secret-looking file is sent only when the user names it (the `include` field).
    if (reason?.kind === 'secret') {
      throw new FieldError('include', message, {
        hint: (f) => `Rename it, or pass ${f('include')} ${entryPoint}.`,
        exitCode: ExitCode.failure,
      });
    }
    throw new UserError(message, {
      hint:
        reason?.kind === 'git-ignored'
          ? `Commit it (remove it from .gitignore), or add !${entryPoint} to .dockerignore.`
          : `Remove the pattern that matches it, or add !${entryPoint} to .dockerignore.`,
    });
  }
  const wheelFiles = new Map<string, ContextFile[]>();
  for (const folder of requirements.localFindLinks) {
    const files = contextFiles.filter((f) => f.path.startsWith(`${folder}/`));
    if (files.length === 0) {
      throw new UserError(`The --find-links folder ${folder} has no files in the build context.`, {
        hint: `Put the wheels in ${folder}/, and check that .dockerignore does not exclude them.`,
      });
    }
    wheelFiles.set(folder, files);
  }

  let checksum: string | null = null;
  if (mode === 'dependencies-only') {
    const files = await Promise.all(
      [...wheelFiles.values()].flat().map(async (f) => ({
        path: f.path,
        sha256:
          f.type === 'symlink'
            ? `link:${f.linkTarget}`
            : await hashFile(path.join(root, ...f.path.split('/'))),
      })),
    );
    // Files included with -r/-c count as much as requirements.txt itself.
    const included = requirements.files.slice(1).map((f) => ({
      path: `requirements:${f.path}`,
      sha256: createHash('sha256').update(f.text).digest('hex'),
    }));
    checksum = dependencyChecksum(baseImage, requirements.text, DOCKERFILE_TEMPLATE_VERSION, {
      ...(options.pip ? {pip: options.pip} : {}),
      files: [...files, ...included],
    });
  }

  const dockerfileInput: DockerfileInput = {
    mode,
    baseImage,
    entryPoint,
    requirements,
    berthVersion: options.berthVersion,
    schema: annotations.schema,
    ...(options.pip ? {pip: options.pip} : {}),
    ...(options.commit !== undefined ? {commit: options.commit} : {}),
    ...(options.moduleVersion ? {moduleVersion: options.moduleVersion} : {}),
    ...(options.sourceUrl ? {sourceUrl: options.sourceUrl} : {}),
    ...(checksum ? {dependencyChecksum: checksum} : {}),
  };
  const dockerfile = generateDockerfile(dockerfileInput);

  const projectEntry = (file: ContextFile, dir: string): ContextEntry => ({
    name: `${dir}/${file.path}`,
    type: 'project',
    file,
    sourcePath: path.join(root, ...file.path.split('/')),
  });
  const contextEntries: ContextEntry[] = [
    {name: CONTEXT_DOCKERFILE, type: 'generated', content: dockerfile, mode: 0o644},
  ];
  if (mode === 'dependencies-only') {
    contextEntries.push({
      name: CONTEXT_BOOTSTRAP,
      type: 'generated',
      content: BOOTSTRAP_SCRIPT,
      mode: 0o755,
    });
  }
  if (requirements.present) {
    // What pip reads, at the same paths, in the layers before the code: requirements.txt and
    // the files it includes, exactly as validated (sent even when .dockerignore lists them: the
    // image cannot install without them), and the project's wheel folders.
    for (const file of requirements.files) {
      contextEntries.push({
        name: `${CONTEXT_DEPENDENCIES_DIR}/${file.path}`,
        type: 'generated',
        content: file.text,
        mode: 0o644,
      });
    }
    for (const file of [...wheelFiles.values()].flat()) {
      contextEntries.push(projectEntry(file, CONTEXT_DEPENDENCIES_DIR));
    }
  }
  if (mode === 'full') {
    contextEntries.push(...contextFiles.map((file) => projectEntry(file, CONTEXT_CODE_DIR)));
  }

  return {
    projectDir: root,
    mode,
    baseImage,
    schema: annotations.schema,
    entryPoint,
    requirements,
    dockerfile,
    dockerfileInput,
    contextFiles,
    excludedFiles: context.excluded,
    excludedCount: context.excludedCount,
    contextEntries,
    dependencyChecksum: checksum,
    notes: [...annotations.notes, ...requirements.notes],
  };
}

/**
 * The same project with its Dockerfile generated again: for another builder (the classic one has
 * no cache mounts), with the version number once it is known (a label), or with its requirements
 * installed in layers (`dependencyLayers`, oldest first, the last being this project's: a full
 * image only; see dependency-layers.ts).
 */
export function preparedWith(
  prepared: PreparedProject,
  changes: {builder?: BuilderKind; moduleVersion?: string; dependencyLayers?: DependencyLayer[]},
): PreparedProject {
  const {dependencyLayers: layers, ...inputChanges} = changes;
  const layered = layers !== undefined && layers.length > 1 && prepared.mode === 'full';
  const dockerfileInput = {
    ...prepared.dockerfileInput,
    ...inputChanges,
    ...(layered ? {dependencyLayers: layers.length} : {}),
  };
  const dockerfile = generateDockerfile(dockerfileInput);
  let contextEntries = prepared.contextEntries.map((entry) =>
    entry.name === CONTEXT_DOCKERFILE && entry.type === 'generated'
      ? {...entry, content: dockerfile}
      : entry,
  );
  if (layered) {
    // This project's requirements go to the last layer's folder, the earlier layers' as recorded.
    const prefix = `${CONTEXT_DEPENDENCIES_DIR}/`;
    const last = `${dependencyDir(layers.length - 1)}/`;
    contextEntries = [
      ...contextEntries.map((entry) =>
        entry.name.startsWith(prefix)
          ? {...entry, name: `${last}${entry.name.slice(prefix.length)}`}
          : entry,
      ),
      ...layers.slice(0, -1).flatMap((layer, index) =>
        layer.map(
          (file): ContextEntry => ({
            name: `${dependencyDir(index)}/${file.path}`,
            type: 'generated',
            content: file.text,
            mode: 0o644,
          }),
        ),
      ),
    ];
  }
  return {...prepared, dockerfile, dockerfileInput, contextEntries};
}

/** The context's entries as the engine client sends them (a tar, or BuildKit's file sync). */
export function buildContextOf(prepared: PreparedProject): BuildContextEntry[] {
  return prepared.contextEntries.map((entry) =>
    entry.type === 'generated'
      ? {name: entry.name, mode: entry.mode, content: entry.content}
      : {name: entry.name, sourcePath: entry.sourcePath},
  );
}

/** The `berth publish --dry-run --json` document (names fixed by the CLI contract). */
export function dryRunJson(prepared: PreparedProject, vocabulary: Vocabulary) {
  const {schema} = prepared;
  return {
    name: schema.name,
    slug: schema.slug,
    description: schema.description,
    entryPoint: prepared.entryPoint,
    metadata: schema.metadata,
    parameters: schema.parameters.map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required,
      defaultValue: p.defaultValue,
      description: p.description,
    })),
    dockerfile: prepared.dockerfile,
    kind: schema.kind,
    function: schema.function,
    mode: prepared.mode,
    baseImage: prepared.baseImage,
    requirements: prepared.requirements.requirements.map(requirementJson),
    constraints: prepared.requirements.constraints.map(requirementJson),
    requirementsFiles: prepared.requirements.files.map((f) => f.path),
    contextFiles: prepared.contextFiles.map((f) => f.path),
    excludedFiles: prepared.excludedFiles.map((e) => ({
      path: e.path,
      reason: renderText(e.reason, vocabulary),
    })),
    excludedCount: prepared.excludedCount,
    dependencyChecksum: prepared.dependencyChecksum,
    notes: prepared.notes,
  };
}

function requirementJson(r: Requirement) {
  return {
    name: r.name,
    specifier: r.specifier,
    ...(r.url ? {url: r.url} : {}),
    ...(r.marker ? {marker: r.marker} : {}),
    ...(r.file !== 'requirements.txt' ? {file: r.file} : {}),
  };
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
