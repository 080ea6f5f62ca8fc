// Home `b`: publish the project in this directory. It reads the project first (the same
// reading as `berth publish --dry-run`: entry point, parameters, where the code comes from,
// nothing built), asks to confirm, then publishes in the live pane (publish-pane-view.tsx).
// A protected stack is confirmed by typing its name, as on the command line. `i` chooses the
// base image; a failed publish goes back to this page, where its next step (e.g. another base
// image) is taken.
import path from 'node:path';
import {Box, Text} from 'ink';
import {useEffect, useRef, useState} from 'react';
import {useScreenInput} from '../components/help-host.js';
import {keyHints} from '../components/key-footer.js';
import {LabelRow} from '../components/label-row.js';
import {ScreenFrame} from '../components/screen-frame.js';
import {TextField} from '../components/text-field.js';
import {useTheme} from '../hooks/use-theme.js';
import {errorText, humanFieldLabel} from '../lib/errors.js';
import {screenVocabulary, screenVocabularyWith} from './remedies.js';
import {berthVersion} from '../lib/version.js';
import type {BaseImageChoice} from '../services/publish/base-image-choice.js';
import {previewPublish, type PublishPreview} from '../services/publish/preview.js';
import {publishModule} from '../services/publish/publish.js';
import {createPaneSession, type PaneSession} from './publish-pane-session.js';
import {PublishPaneView} from './publish-pane-view.js';
import type {PluginScreenProps} from './registry.js';

type Stage =
  | {kind: 'reading'}
  | {kind: 'unreadable'; message: string}
  | {kind: 'confirm'; preview: PublishPreview}
  | {kind: 'publishing'; preview: PublishPreview; session: PaneSession};

export function PublishHereScreen({deps, onBack}: PluginScreenProps) {
  const [stage, setStage] = useState<Stage>({kind: 'reading'});
  // `auto` first; when that refuses (e.g. a commit no remote has), `f` puts the code in the image.
  const [mode, setMode] = useState<'auto' | 'full'>('auto');
  // Chosen with `i`; until then the preview's (the latest version's, or the default).
  const [baseImage, setBaseImage] = useState<string | undefined>(undefined);
  const running = useRef<PaneSession | null>(null);
  useEffect(() => {
    let live = true;
    setStage({kind: 'reading'});
    previewPublish(deps, {path: deps.cwd, berthVersion, mode}).then(
      (preview) => live && setStage({kind: 'confirm', preview}),
      (error: unknown) =>
        live && setStage({kind: 'unreadable', message: errorText(error, screenVocabulary)}),
    );
    return () => {
      live = false;
      // Leaving the app while a publish runs cancels it (the version is recorded cancelled).
      running.current?.control.cancel();
    };
  }, [deps, mode]);

  const start = (preview: PublishPreview) => {
    const session = createPaneSession({
      title: preview.slug,
      // `s` saves a copy beside berth's logs, never into the project (as `berth publish` does).
      saveDir: path.join(deps.stateDir, 'logs', 'saved'),
      // Ctrl+C belongs to the app (it quits, which cancels the publish); c cancels here.
      interrupt: (current) => current.control.cancel(),
      // A failed or cancelled publish goes back to the project, where it can be tried again.
      close: () =>
        session.model.state === 'published' ? onBack() : setStage({kind: 'confirm', preview}),
      vocabulary: paneVocabulary,
    });
    running.current = session;
    setStage({kind: 'publishing', preview, session});
    void publishModule(
      deps,
      {
        path: deps.cwd,
        berthVersion,
        mode,
        ...(baseImage ? {baseImage} : {}),
        ...(preview.protectedStack ? {confirmedStack: preview.protectedStack} : {}),
      },
      {
        signal: session.signal,
        onEvent: (event) => session.model.apply(event),
        onRecorded: ({logFile, slug, version}) =>
          session.identify({logFile, module: slug, version: String(version)}),
      },
    ).then(
      () => session.finish(),
      (error: unknown) => session.finish(error),
    );
  };

  if (stage.kind === 'publishing')
    return (
      <PublishPaneView
        model={stage.session.model}
        control={stage.session.control}
        title={stage.preview.slug}
      />
    );
  return (
    <ConfirmPublish
      stage={stage}
      cwd={deps.cwd}
      baseImage={baseImage}
      onBaseImage={setBaseImage}
      onConfirm={start}
      onBack={onBack}
      {...(mode === 'auto' ? {onFullImage: () => setMode('full')} : {})}
    />
  );
}

/** Where the page's base image comes from; `undefined` when chosen here with `i`. */
function baseImageOrigin(choice: BaseImageChoice | undefined): string {
  if (!choice || choice.source === 'given') return 'chosen here';
  if (choice.source === 'remembered') return `remembered from version ${choice.version}`;
  return "berth's default";
}

/** The pane's next steps name this page's fields and keys (the pane returns here on failure). */
const paneVocabulary = screenVocabularyWith((field) =>
  field === 'baseImage' ? 'the Base image (esc, then i)' : humanFieldLabel(field),
);

function ConfirmPublish({
  stage,
  cwd,
  baseImage,
  onBaseImage,
  onConfirm,
  onBack,
  onFullImage,
}: {
  stage: Exclude<Stage, {kind: 'publishing'}>;
  cwd: string;
  /** Chosen on this page; else the preview's (remembered from the latest version, or the default). */
  baseImage: string | undefined;
  onBaseImage: (image: string | undefined) => void;
  onConfirm: (preview: PublishPreview) => void;
  onBack: () => void;
  /** Offered when reading the project for `auto` failed: try again with the code in the image. */
  onFullImage?: () => void;
}) {
  const theme = useTheme();
  const [typed, setTyped] = useState('');
  const preview = stage.kind === 'confirm' ? stage.preview : undefined;
  const asksName = Boolean(preview?.protectedStack);
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  // `i` edits the base image in place: enter keeps the text (empty: as it was), esc leaves it.
  const [imageDraft, setImageDraft] = useState<string | undefined>(undefined);
  const editingImage = imageDraft !== undefined;
  // Enter pressed while the project is still being read publishes as soon as it is read (unless
  // the stack is protected: then its name is asked for first).
  const [queued, setQueued] = useState(false);
  useEffect(() => {
    if (!queued || stage.kind === 'reading') return;
    setQueued(false);
    if (preview && !asksName) onConfirm(preview);
  }, [queued, stage.kind, preview, asksName, onConfirm]);
  useScreenInput((input, key) => {
    if (editingImage) {
      if (key.escape) setImageDraft(undefined);
      return;
    }
    if (key.escape || (input === 'q' && !asksName)) return onBack();
    if (input === 'i' && preview && !asksName)
      return setImageDraft(baseImage ?? preview.baseImage.image);
    if (input === 'f' && stage.kind === 'unreadable' && onFullImage) return onFullImage();
    if (key.return && stage.kind === 'reading') setQueued(true);
    if (key.return && preview && !asksName) onConfirm(preview);
  });
  const submitName = () => {
    if (!preview?.protectedStack) return;
    if (typed.trim() === preview.protectedStack) onConfirm(preview);
    else setRefusal(`That is not '${preview.protectedStack}': type the stack's name to publish.`);
  };
  return (
    <ScreenFrame
      title="publish"
      hints={
        editingImage
          ? [
              keyHints.enter('keep this image'),
              {key: 'ctrl+u', label: 'clear'},
              {key: 'esc', label: 'leave it as it was'},
            ]
          : preview
            ? [
                keyHints.enter(asksName ? 'confirm the name' : 'publish'),
                ...(asksName ? [] : [{key: 'i', label: 'base image'}]),
                keyHints.back,
              ]
            : stage.kind === 'reading' && !queued
              ? [keyHints.enter('publish once read'), keyHints.back]
              : stage.kind === 'unreadable' && onFullImage
                ? [{key: 'f', label: 'code in the image'}, keyHints.back]
                : [keyHints.back]
      }
    >
      {stage.kind === 'reading' ? (
        <Box flexDirection="column">
          <Text dimColor wrap="wrap">
            Reading the project in {cwd}…
          </Text>
          {queued ? <Text wrap="wrap">Publishing as soon as it is read.</Text> : null}
        </Box>
      ) : null}
      {stage.kind === 'unreadable' ? (
        <Box flexDirection="column">
          <Text color={theme.tint('error')} wrap="wrap">
            ✗ {stage.message}
          </Text>
          {onFullImage ? (
            <Text wrap="wrap">
              f publishes it with the code in the image instead (a full image: no download at run
              time).
            </Text>
          ) : null}
          <Text dimColor wrap="wrap">
            b publishes the project in the directory berth was started in ({cwd}).
          </Text>
        </Box>
      ) : null}
      {preview ? (
        <Box flexDirection="column">
          <LabelRow width={13} label="Module">
            <Text bold>{preview.slug}</Text>
            {preview.name !== preview.slug ? <Text dimColor> ({preview.name})</Text> : null}
          </LabelRow>
          <LabelRow width={13} label="Entry point">
            {preview.entryPoint}
          </LabelRow>
          <LabelRow width={13} label="Parameters">
            {preview.parameters.length === 0
              ? 'none'
              : preview.parameters.map((parameter) => parameter.name).join(', ')}
          </LabelRow>
          <LabelRow width={13} label="Base image">
            {editingImage ? (
              <TextField
                value={imageDraft}
                onChange={setImageDraft}
                onSubmit={(value) => {
                  const chosen = value.trim();
                  onBaseImage(chosen && chosen !== preview.baseImage.image ? chosen : undefined);
                  setImageDraft(undefined);
                }}
              />
            ) : (
              <Text wrap="wrap">
                {baseImage ?? preview.baseImage.image}
                <Text dimColor>
                  {' '}
                  · {baseImageOrigin(baseImage ? undefined : preview.baseImage)}
                </Text>
              </Text>
            )}
          </LabelRow>
          <LabelRow width={13} label="Stack">
            {preview.stack}
          </LabelRow>
          <LabelRow width={13} label="Code">
            {preview.mode}
          </LabelRow>
          <Box marginTop={1}>
            {asksName ? (
              <Box flexDirection="column">
                <Text color={theme.tint('warning')} wrap="wrap">
                  Stack &apos;{preview.protectedStack}&apos; is protected: type its name to publish
                  on it.
                </Text>
                <Box>
                  <Text color={theme.tint('accent')}>› </Text>
                  <TextField value={typed} onChange={setTyped} onSubmit={submitName} />
                </Box>
                {refusal ? <Text color={theme.tint('error')}>✗ {refusal}</Text> : null}
              </Box>
            ) : (
              <Text wrap="wrap">
                Enter publishes it on stack &apos;{preview.stack}&apos; as a new version.
              </Text>
            )}
          </Box>
        </Box>
      ) : null}
    </ScreenFrame>
  );
}
