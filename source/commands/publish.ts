import path from 'node:path';
import type {Writable} from 'node:stream';
import {renderText, UsageError} from '../lib/errors.js';
import {untilInterrupted} from '../lib/signals.js';
import type {Output} from '../lib/output.js';
import {localRegistryUri} from '../models/module-version.js';
import type {PublishEvent} from '../models/publish-events.js';
import {PublishLogModel} from '../services/publish/log-model.js';
import {announce, cliVocabulary, collect, type RegisterCommands} from './context.js';
import {confirmProtectedStack} from './protected-stack.js';
import {formatBytes} from '../lib/format.js';
import {trace} from '../lib/trace.js';

const version = process.env.BERTH_VERSION ?? '0.0.0-dev';

type PublishFlags = {
  visibility?: string;
  baseImage?: string;
  plain?: boolean;
  dryRun?: boolean;
  entry?: string;
  dependenciesOnly?: boolean;
  full?: boolean;
  pipIndexUrl?: string;
  pipExtraIndexUrl?: string[];
  pipFindLinks?: string[];
  pipNoIndex?: boolean;
  pipTrustedHost?: string[];
  allowBreaking?: boolean;
  include?: string[];
};

export const registerPublishCommand: RegisterCommands = (program, ctx) => {
  program
    .command('publish')
    .description(
      "Containerize a code project, push it to the stack's registry, and record it as a module version.",
    )
    .argument('[path]', 'the project folder', '.')
    .option(
      '--visibility <visibility>',
      "private or public (a code repository's own visibility wins)",
    )
    .option(
      '--base-image <image>',
      "the image to build FROM (default: the module's latest version's, remembered; else python:3.11-slim)",
    )
    .option(
      '--entry <file>',
      'the entry point, relative to PATH (default: the one file with @data_processor)',
    )
    .option('--plain', 'print events as lines, no TUI')
    .option('--dry-run', 'validate, print the schema and the Dockerfile, build nothing')
    .option(
      '--full',
      'always put the code in the image (default: dependencies only for a clean, pushed checkout of a registered GitHub/GitLab repository)',
    )
    .option(
      '--dependencies-only',
      'insist on an image without the code (fail, saying why, unless the checkout is clean, pushed and registered)',
    )
    .option(
      '--allow-breaking',
      'publish even when parameters are removed, retyped or newly required (breaking the latest version)',
    )
    .option('--pip-index-url <url>', 'pip --index-url for the dependencies')
    .option('--pip-extra-index-url <url>', 'pip --extra-index-url (repeatable)', collect)
    .option(
      '--pip-find-links <url>',
      'pip --find-links, an http(s) URL (repeatable; a wheel folder belongs in the project)',
      collect,
    )
    .option('--pip-no-index', 'pip --no-index')
    .option('--pip-trusted-host <host>', 'pip --trusted-host (repeatable)', collect)
    .option(
      '--include <path>',
      'send a file that looks secret or that git ignores (repeatable; the dry run lists what is left out)',
      collect,
    )
    .action(async (projectPath: string, flags: PublishFlags) => {
      trace('publish command: start');
      const {output} = ctx;
      if (
        flags.visibility !== undefined &&
        flags.visibility !== 'private' &&
        flags.visibility !== 'public'
      ) {
        throw new UsageError(`"${flags.visibility}" is not a visibility.`, {
          hint: 'Use --visibility private or --visibility public.',
        });
      }
      const pip = {
        ...(flags.pipIndexUrl ? {indexUrl: flags.pipIndexUrl} : {}),
        ...(flags.pipExtraIndexUrl ? {extraIndexUrls: flags.pipExtraIndexUrl} : {}),
        ...(flags.pipFindLinks ? {findLinks: flags.pipFindLinks} : {}),
        ...(flags.pipNoIndex ? {noIndex: true} : {}),
        ...(flags.pipTrustedHost ? {trustedHosts: flags.pipTrustedHost} : {}),
      };
      const hasPip = Object.keys(pip).length > 0;
      if (flags.full && flags.dependenciesOnly) {
        throw new UsageError('--full and --dependencies-only contradict each other.', {
          hint: 'Pass one of them, or neither to let berth choose from the checkout.',
        });
      }
      const mode = flags.full
        ? ('full' as const)
        : flags.dependenciesOnly
          ? ('dependencies-only' as const)
          : ('auto' as const);

      if (flags.dryRun) {
        const {dryRunJson} = await import('../services/publish/project.js');
        const {prepareWithBaseImage} = await import('../services/publish/base-image-choice.js');
        const {planPublishMode} = await import('../services/publish/publish.js');
        const plan = await planPublishMode(ctx.deps, projectPath, mode);
        const store = await ctx.deps.openStore(plan.context.profile);
        const {prepared, baseImage} = await prepareWithBaseImage(
          store,
          path.resolve(ctx.deps.cwd, projectPath),
          {
            berthVersion: version,
            mode: plan.mode,
            commit: plan.commit,
            ...(plan.sourceUrl ? {sourceUrl: plan.sourceUrl} : {}),
            ...(flags.entry ? {entry: flags.entry} : {}),
            ...(flags.baseImage ? {baseImage: flags.baseImage} : {}),
            ...(hasPip ? {pip} : {}),
            ...(flags.include ? {include: flags.include} : {}),
          },
        );
        const {diffAgainstLatest, schemaChangeLines} = await import(
          '../services/publish/schema-diff.js'
        );
        const schemaDiff = await diffAgainstLatest(
          store,
          prepared.schema.slug,
          prepared.schema.parameters,
        );
        const breaking = schemaDiff.changes.some((change) => change.breaking);
        const modeReason = renderText(plan.message, cliVocabulary);
        const document = {
          ...dryRunJson(prepared, cliVocabulary),
          // Where baseImage came from: --base-image, the module's latest version, or the default.
          baseImageSource: baseImage.source === 'given' ? ('flag' as const) : baseImage.source,
          baseImageVersion: baseImage.version,
          modeReason,
          schemaDiff: {...schemaDiff, breaking, allowed: !breaking || Boolean(flags.allowBreaking)},
        };
        document.notes = [modeReason, ...schemaChangeLines(schemaDiff), ...document.notes];
        if (breaking && !flags.allowBreaking)
          document.notes.push('a real publish stops here: pass --allow-breaking to publish anyway');
        output.result(document, () => printDryRun(output, document));
        return;
      }

      const {publishModule} = await import('../services/publish/publish.js');
      trace('publish command: publish module loaded');
      const confirmedStack = await confirmProtectedStack(ctx, 'publish');
      const input = {
        path: projectPath,
        confirmedStack,
        berthVersion: version,
        ...(flags.visibility ? {visibility: flags.visibility as 'private' | 'public'} : {}),
        ...(flags.baseImage ? {baseImage: flags.baseImage} : {}),
        ...(flags.entry ? {entry: flags.entry} : {}),
        ...(hasPip ? {pip} : {}),
        ...(flags.allowBreaking ? {allowBreaking: true} : {}),
        ...(flags.include ? {include: flags.include} : {}),
        mode,
      };
      const interactive =
        !flags.plain &&
        !output.json &&
        Boolean(ctx.io.stdout.isTTY) &&
        Boolean((ctx.io.stdin as {isTTY?: boolean}).isTTY);
      let result: Awaited<ReturnType<typeof publishModule>>;
      if (interactive) {
        const {runPublishPane} = await import('../screens/publish-pane.js');
        const pane = await runPublishPane({
          title: projectPath,
          // `s` saves a copy beside berth's logs, never into the project.
          saveDir: path.join(ctx.deps.stateDir, 'logs', 'saved'),
          vocabulary: cliVocabulary,
          stdout: ctx.io.stdout,
          stdin: ctx.io.stdin,
        });
        let failure: unknown;
        const published = await publishModule(ctx.deps, input, {
          signal: pane.signal,
          onEvent: pane.push,
          vocabulary: cliVocabulary,
          onRecorded: ({slug, version: number, logFile}) =>
            pane.identify({logFile, module: slug, version: String(number)}),
        }).catch((error: unknown) => {
          failure = error;
          return undefined;
        });
        await pane.done(failure === undefined ? {} : {error: failure});
        if (!published) throw failure;
        result = published;
      } else {
        const stream: Writable = output.json ? ctx.io.stderr : ctx.io.stdout;
        const printer = new PlainPublishPrinter(stream, output);
        // SIGINT/SIGTERM cancel the build: the version is recorded cancelled, then exit 130/143.
        result = await untilInterrupted((signal) =>
          publishModule(ctx.deps, input, {
            signal,
            onEvent: (event) => printer.print(event),
            vocabulary: cliVocabulary,
          }),
        );
      }
      const {record, context} = result;
      announce(ctx, context);
      output.result(
        {
          name: record.slug,
          version: record.version,
          status: record.status,
          image: record.image,
          digest: record.digest,
          commit: record.commit,
          reused: record.reused,
          mode: record.mode,
          codeReference: record.codeReference,
          dependencyChecksum: record.dependencyChecksum,
          logFile: record.logFile,
        },
        () =>
          output.success(
            `Published ${record.slug} version ${record.version}${record.reused ? ' (reused image, nothing built)' : record.mode === 'dependencies-only' ? ' (dependencies only; code downloaded at run time)' : ''}: ${
              record.registry === localRegistryUri
                ? `${record.image} (image ${record.digest}, kept in the engine's image store: nothing pushed)`
                : `${record.image}@${record.digest}`
            }`,
          ),
      );
      if (!output.json)
        output.info(
          `Run it: \`berth run ${record.slug}\` (\`--param name=value\` for its parameters: \`berth module describe ${record.slug}\`).`,
        );
    });
};

function printDryRun(
  output: Output,
  document: {
    name: string;
    slug: string;
    description: string;
    entryPoint: string;
    parameters: Array<{
      name: string;
      type: string;
      required: boolean;
      defaultValue: unknown;
      description: string;
    }>;
    dockerfile: string;
    baseImage: string;
    baseImageSource: 'flag' | 'remembered' | 'default';
    baseImageVersion: number | null;
    notes: string[];
    metadata: Record<string, string>;
    contextFiles: string[];
    excludedFiles: Array<{path: string; reason: string}>;
    excludedCount: number;
    requirementsFiles: string[];
  },
): void {
  output.line(`Module      ${document.name} (${document.slug})`);
  if (document.description) output.line(`Description ${document.description}`);
  output.line(`Entry point ${document.entryPoint}`);
  output.line(`Base image  ${document.baseImage} (${baseImageOrigin(document)})`);
  for (const [key, value] of Object.entries(document.metadata)) {
    output.line(`${key.padEnd(11)} ${value}`);
  }
  output.line('');
  if (document.parameters.length === 0) output.line('No parameters.');
  else {
    output.table(
      ['PARAMETER', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'],
      document.parameters.map((p) => [
        p.name,
        p.type,
        p.required ? 'yes' : 'no',
        JSON.stringify(p.defaultValue),
        p.description,
      ]),
    );
  }
  for (const note of document.notes) output.info(`Note: ${note}`);
  output.line('');
  if (document.requirementsFiles.length > 1) {
    output.line(`Requirements: ${document.requirementsFiles.join(', ')}`);
  }
  const count = document.contextFiles.length;
  output.line(`Build context: ${count} file${count === 1 ? '' : 's'}`);
  if (document.excludedCount > 0) {
    output.line('Left out of the build context:');
    for (const entry of document.excludedFiles) output.line(`  ${entry.path}  (${entry.reason})`);
    const unlisted = document.excludedCount - document.excludedFiles.length;
    if (unlisted > 0) output.line(`  ... and ${unlisted} more`);
  }
  output.line('');
  output.line('Dockerfile:');
  for (const line of document.dockerfile.trimEnd().split('\n')) output.line(`  ${line}`);
  output.line('');
  output.line('Nothing was built (--dry-run).');
}

function baseImageOrigin(document: {
  baseImageSource: 'flag' | 'remembered' | 'default';
  baseImageVersion: number | null;
}): string {
  if (document.baseImageSource === 'flag') return '--base-image';
  if (document.baseImageSource === 'remembered')
    return `remembered from version ${document.baseImageVersion}; --base-image chooses another`;
  return "berth's default; --base-image chooses another";
}

/**
 * Stable lines for logs and pipes: one per step start/end, build output indented, push progress
 * throttled. Events go through the pane's log model first, so plain output is its lines
 * (escapes removed, `\r` redraws collapsed, long lines cut) and its step timings.
 */
export class PlainPublishPrinter {
  private readonly model = new PublishLogModel();
  private readonly layerStatus = new Map<string, string>();
  private lastProgressAt = 0;

  constructor(
    private readonly out: Writable,
    private readonly output: Output,
    private readonly clock: () => number = Date.now,
  ) {}

  private write(line: string): void {
    this.out.write(`${this.output.render(line)}\n`);
  }

  print(event: PublishEvent): void {
    const linesBefore = this.model.totalLines;
    this.model.apply(event);
    switch (event.type) {
      case 'state':
        // `pending` only opens the publish: it is said as what is being published, where.
        if (event.state !== 'pending') this.write(`==> ${event.state}`);
        else if (event.subject) this.write(`==> Publishing ${event.subject}`);
        return;
      case 'step-start': {
        const step = this.model.step(event.index);
        if (step) this.write(`Step ${step.index}/${step.total} ${step.instruction}`);
        return;
      }
      case 'step-cached':
        return;
      case 'step-end': {
        const step = this.model.step(event.index);
        if (!step) return;
        const seconds = (this.model.stepDuration(step, event.at) / 1000).toFixed(1);
        this.write(
          `Step ${step.index}/${step.total} ${step.cached ? 'CACHED' : `done in ${seconds} s`}`,
        );
        return;
      }
      case 'log': {
        const {tail} = this.model;
        const added = Math.min(tail.pushed - linesBefore, tail.length);
        for (const line of tail.slice(tail.length - added)) {
          // The engine's bookkeeping (layer ids, intermediate containers) stays in the log file.
          if (/^ ---> /.test(line) || /^Removing intermediate container/.test(line)) continue;
          this.write(`  ${line}`);
        }
        return;
      }
      case 'push-progress': {
        const changed = this.layerStatus.get(event.layer) !== event.status;
        const time = this.clock();
        if (!changed && time - this.lastProgressAt < 1000) return;
        this.layerStatus.set(event.layer, event.status);
        this.lastProgressAt = time;
        const amount =
          event.current !== undefined && event.total
            ? ` ${Math.round((event.current / event.total) * 100)}% of ${formatBytes(event.total)}`
            : '';
        this.write(`  push ${event.layer.slice(0, 12)} ${event.status}${amount}`);
        return;
      }
      case 'summary': {
        this.write('');
        this.write(
          `${this.output.style('green', 'Published')} ${event.module} version ${event.version}`,
        );
        this.write(`  image       ${event.image}`);
        this.write(`  digest      ${event.digest}`);
        this.write(
          `  size        ${event.sizeBytes === null ? '?' : formatBytes(event.sizeBytes)}`,
        );
        this.write(`  duration    ${(event.durationMs / 1000).toFixed(1)} s`);
        this.write(`  parameters  ${event.parameters}`);
        for (const line of event.schemaChanges ?? []) this.write(`  schema      ${line}`);
        const slowest = Math.max(1, ...event.steps.map((s) => s.durationMs));
        for (const step of event.steps) {
          const bar = '#'.repeat(
            Math.max(step.durationMs > 0 ? 1 : 0, Math.round((step.durationMs / slowest) * 30)),
          );
          this.write(
            `  ${String(step.index).padStart(2)} ${bar.padEnd(30)} ${(step.durationMs / 1000).toFixed(1).padStart(6)} s${step.cached ? ' CACHED' : ''}`,
          );
        }
        return;
      }
      case 'error':
        // The failure is the command's error, said once on stderr (with its next step) after
        // these lines; the log file keeps it with its step.
        return;
    }
  }
}
