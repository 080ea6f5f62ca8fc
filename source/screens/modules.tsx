// Home `m`: the published versions of the active profile, newest first. Enter opens a version:
// its state, image, digest, code reference, parameters and the runs of it; Enter on its log
// (or a run's) opens the whole saved log from the log vault, scrollable and searchable (`/`).
// `r` runs a published version with its parameters' defaults (as `berth run NAME@VERSION`): its
// last output lines show while it runs, then the run is the first of its logs.
// Everything is read through services (modules, runs, logs), as `berth module list`, `berth
// runs list` and `berth logs` read it.
import {Box, Text, useWindowSize} from 'ink';
import {useEffect, useRef, useState} from 'react';
import {useScreenInput} from '../components/help-host.js';
import {keyHints} from '../components/key-footer.js';
import {LabelRow} from '../components/label-row.js';
import {ScreenFrame} from '../components/screen-frame.js';
import {SelectList} from '../components/select-list.js';
import {errorText} from '../lib/errors.js';
import {screenVocabulary} from './remedies.js';
import {ago} from '../lib/format.js';
import {newestFirst} from '../hooks/use-home-summary.js';
import {useTheme} from '../hooks/use-theme.js';
import type {ModuleParameter} from '../models/module.js';
import type {RunRecord} from '../models/run.js';
import {openLog, type LogSubject} from '../services/logs.js';
import {listModules, type ModuleView} from '../services/modules.js';
import {listRuns, runModule} from '../services/runs.js';
import {LogViewer} from './log-viewer.js';
import type {PluginScreenProps} from './registry.js';

type Loaded = {versions: ModuleView[]; runs: RunRecord[]};

type Mode =
  | {kind: 'list'}
  | {kind: 'version'; version: ModuleView; cursor: number}
  | {kind: 'log'; version: ModuleView; cursor: number; subject: LogSubject};

/** A run started here: its last output lines while it runs, then how it ended. */
type RunHere = {
  ref: string;
  id: string | null;
  tail: string[];
  outcome: {ok: boolean; message: string} | null;
};

/** Output lines shown while a run started here runs. */
const runTailLines = 3;

/** A version runs here when it is published and every parameter has a default. */
function runsHere(version: ModuleView): boolean {
  return (
    version.status === 'published' &&
    version.schema.parameters.every(
      (parameter) => !parameter.required || parameter.defaultValue !== null,
    )
  );
}

/** A version's logs: its publish log first, then its runs' logs, newest first. */
type LogChoice = {name: string; ref: string; label: string};

export function ModulesScreen({deps, onBack}: PluginScreenProps) {
  const theme = useTheme();
  const {rows} = useWindowSize();
  // A short terminal (60x15) keeps every detail row, one line each.
  const compact = rows < 20;
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [cursor, setCursor] = useState(0);
  const [mode, setMode] = useState<Mode>({kind: 'list'});
  const [opening, setOpening] = useState(false);
  const [running, setRunning] = useState<RunHere | undefined>(undefined);
  // Leaving the screen (or the app) stops a run started here; it is recorded cancelled.
  const stopRun = useRef<AbortController | null>(null);
  useEffect(() => () => stopRun.current?.abort(), []);

  useEffect(() => {
    let live = true;
    Promise.all([listModules(deps), listRuns(deps)]).then(
      ([modules, runs]) =>
        live &&
        setLoaded({
          versions: newestFirst(modules.modules, (version) => version.createdAt, Infinity),
          runs: runs.runs,
        }),
      (error: unknown) => live && setFailure(errorText(error, screenVocabulary)),
    );
    return () => {
      live = false;
    };
  }, [deps]);

  const versions = loaded?.versions ?? [];
  const choices = mode.kind === 'list' ? [] : logChoices(mode.version, loaded?.runs ?? []);

  const open = (version: ModuleView, at: number) => {
    const choice = logChoices(version, loaded?.runs ?? [])[at];
    if (!choice || opening) return;
    setOpening(true);
    setFailure(undefined);
    openLog(deps, choice.ref).then(
      (subject) => {
        setOpening(false);
        setMode({kind: 'log', version, cursor: at, subject});
      },
      (error: unknown) => {
        setOpening(false);
        setFailure(errorText(error, screenVocabulary));
      },
    );
  };

  const startRun = (version: ModuleView) => {
    if (running?.outcome === null) return;
    const ref = `${version.slug}@${version.version}`;
    const controller = new AbortController();
    stopRun.current = controller;
    setFailure(undefined);
    setRunning({ref, id: null, tail: [], outcome: null});
    const output = (chunk: Buffer) => {
      const lines = chunk
        .toString('utf8')
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '');
      if (lines.length > 0)
        setRunning((now) => now && {...now, tail: [...now.tail, ...lines].slice(-runTailLines)});
    };
    runModule(
      deps,
      {ref, params: []},
      {
        signal: controller.signal,
        onStart: (run) => setRunning((now) => now && {...now, id: run.id}),
        onStdout: output,
        onStderr: output,
      },
    )
      .then(async ({run}) => {
        const {runs} = await listRuns(deps);
        setLoaded((now) => now && {...now, runs});
        const ok = run.status === 'succeeded';
        setRunning((now) => ({
          ref,
          id: run.id,
          tail: now?.tail ?? [],
          outcome: {
            ok,
            message: `run ${run.id} ${run.status}${ok ? '' : ` (exit code ${run.exitCode})`}: enter opens its log`,
          },
        }));
        // Its log is the first after the publish log.
        setMode((now) => (now.kind === 'version' ? {...now, cursor: 1} : now));
      })
      .catch((error: unknown) =>
        setRunning({
          ref,
          id: null,
          tail: [],
          outcome: {ok: false, message: errorText(error, screenVocabulary)},
        }),
      );
  };

  useScreenInput(
    (input, key) => {
      if (mode.kind === 'list') {
        if (key.escape || input === 'q') return onBack();
        if (key.upArrow) return setCursor((at) => Math.max(0, at - 1));
        if (key.downArrow) return setCursor((at) => Math.min(versions.length - 1, at + 1));
        if (key.return && versions[cursor]) {
          setFailure(undefined);
          return setMode({kind: 'version', version: versions[cursor], cursor: 0});
        }
        return;
      }
      if (mode.kind === 'version') {
        if (key.escape || input === 'q') {
          setFailure(undefined);
          stopRun.current?.abort();
          setRunning(undefined);
          return setMode({kind: 'list'});
        }
        if (input === 'r' && runsHere(mode.version)) return startRun(mode.version);
        if (key.upArrow) return setMode({...mode, cursor: Math.max(0, mode.cursor - 1)});
        if (key.downArrow)
          return setMode({...mode, cursor: Math.min(choices.length - 1, mode.cursor + 1)});
        if (key.return || input === 'l') open(mode.version, mode.cursor);
      }
    },
    {isActive: mode.kind !== 'log'},
  );

  if (mode.kind === 'log')
    return (
      <LogViewer
        title={`berth · ${mode.subject.kind === 'publish' ? 'publish log' : 'run log'} · ${mode.subject.title}`}
        reader={mode.subject.reader}
        exitHint={keyHints.back}
        onExit={() => setMode({kind: 'version', version: mode.version, cursor: mode.cursor})}
      />
    );

  if (mode.kind === 'version') {
    const {version} = mode;
    const here = running?.ref === `${version.slug}@${version.version}` ? running : undefined;
    return (
      <ScreenFrame
        title={`modules · ${version.slug}@${version.version}`}
        hints={[
          keyHints.move,
          keyHints.enter('open log'),
          ...(runsHere(version) && here?.outcome !== null ? [{key: 'r', label: 'run'}] : []),
          keyHints.back,
        ]}
      >
        {here ? (
          <Box flexDirection="column" marginBottom={compact ? 0 : 1}>
            {here.outcome ? (
              <Text color={theme.tint(here.outcome.ok ? 'success' : 'error')} wrap="wrap">
                {here.outcome.ok ? '✓' : '✗'} {here.outcome.message}
              </Text>
            ) : (
              <Text wrap="wrap">
                Running {here.ref}
                {here.id ? ` (run ${here.id})` : ''}…
              </Text>
            )}
            {here.outcome === null
              ? here.tail.map((line, index) => (
                  <Text key={index} dimColor wrap="truncate">
                    {'  '}
                    {line}
                  </Text>
                ))
              : null}
          </Box>
        ) : null}
        {/* The logs first: on a short terminal the details give up rows, not the choices. */}
        <Box flexDirection="column" marginBottom={compact ? 0 : 1}>
          <Text bold>Logs</Text>
          <SelectList
            items={choices}
            cursor={mode.cursor}
            size={Math.max(2, Math.min(8, rows - 14))}
            label={(choice) => choice.label}
          />
        </Box>
        <VersionDetails version={version} runs={choices.length - 1} compact={compact} />
        {opening ? <Text dimColor>Opening the log…</Text> : null}
        {failure ? (
          <Text color={theme.tint('error')} wrap="wrap">
            ✗ {failure}
          </Text>
        ) : null}
      </ScreenFrame>
    );
  }

  return (
    <ScreenFrame
      title="modules"
      hints={
        versions.length > 0
          ? [keyHints.move, keyHints.enter('open version'), keyHints.back]
          : [keyHints.back]
      }
    >
      {!loaded && !failure ? <Text dimColor>Reading published modules…</Text> : null}
      {failure ? (
        <Text color={theme.tint('error')} wrap="wrap">
          ✗ {failure}
        </Text>
      ) : null}
      {loaded && versions.length === 0 ? (
        <Text wrap="wrap">
          No modules published yet. b on home publishes the project in this directory.
        </Text>
      ) : null}
      {versions.length > 0 ? (
        <SelectList
          items={versions}
          cursor={Math.min(cursor, versions.length - 1)}
          size={Math.max(3, Math.min(20, rows - 8))}
          label={versionLabel}
        />
      ) : null}
    </ScreenFrame>
  );
}

/** As the home screen and `berth module list` say it: `trainer@2 failed · default · 30m ago`. */
function versionLabel(version: ModuleView): string {
  return [
    `${version.slug}@${version.version} ${version.displayStatus}`,
    version.stack,
    ago(version.createdAt),
    ...(errorWorthSaying(version) ? [version.error] : []),
  ].join(' · ');
}

/** A failure's reason; a cancelled version's "Cancelled." only repeats its state. */
function errorWorthSaying(version: ModuleView): version is ModuleView & {error: string} {
  return (
    Boolean(version.error) && !(version.status === 'cancelled' && version.error === 'Cancelled.')
  );
}

function logChoices(version: ModuleView, runs: readonly RunRecord[]): LogChoice[] {
  const ofVersion = runs
    .filter((run) => run.module === version.slug && run.version === version.version)
    .reverse();
  return [
    {
      name: 'publish',
      ref: `${version.slug}@${version.version}`,
      label: `publish log (${version.displayStatus})`,
    },
    ...ofVersion.map((run) => ({
      name: run.id,
      ref: run.id,
      label: `run ${run.id} ${run.status} · ${ago(run.startedAt)}`,
    })),
  ];
}

function VersionDetails({
  version,
  runs,
  compact,
}: {
  version: ModuleView;
  runs: number;
  compact: boolean;
}) {
  const reference = version.codeReference;
  const runnable = version.status === 'published';
  return (
    <Box flexDirection="column">
      <LabelRow label="State">
        {version.displayStatus} on stack {version.stack}
        {errorWorthSaying(version) ? ` · ${version.error}` : ''}
      </LabelRow>
      {/* What to do with a published version next: r here when its parameters have defaults. */}
      {runnable ? (
        <LabelRow label="Run">
          <Text wrap="truncate">
            {runsHere(version)
              ? 'r runs it with the defaults'
              : `berth run ${version.slug}@${version.version} --param …`}
            <Text dimColor>{runs === 0 ? ' · no runs yet' : ''}</Text>
          </Text>
        </LabelRow>
      ) : null}
      <LabelRow label="Image">
        <Text wrap="truncate-middle">{version.image ?? 'none'}</Text>
      </LabelRow>
      <LabelRow label="Digest">
        <Text wrap="truncate-middle">{version.digest ?? 'none'}</Text>
      </LabelRow>
      <LabelRow label="Code">
        {reference
          ? `${reference.commit.slice(0, 12)}${reference.subdirectory ? ` in ${reference.subdirectory}` : ''}${reference.snapshot ? ` + snapshot ${reference.snapshot.slice(0, 19)}` : ''}`
          : version.commit
            ? `${version.commit.slice(0, 12)} (in the image)`
            : 'in the image'}
      </LabelRow>
      <LabelRow label="Parameters">
        <Text wrap={compact ? 'truncate' : 'wrap'}>
          {version.schema.parameters.length === 0
            ? 'none'
            : version.schema.parameters.map(parameterText).join(', ')}
        </Text>
      </LabelRow>
    </Box>
  );
}

function parameterText(parameter: ModuleParameter): string {
  const value =
    parameter.defaultValue === null ? '' : ` = ${JSON.stringify(parameter.defaultValue)}`;
  return `${parameter.name}: ${parameter.type}${parameter.required ? ' (required)' : value}`;
}
