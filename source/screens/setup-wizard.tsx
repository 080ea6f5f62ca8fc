// The onboarding wizard's view and keys. Its state machine lives in hooks/use-setup-wizard.ts;
// this file maps a state to a screen and keys to actions. Esc goes back a step (on the first
// step it leaves the wizard); Tab skips the optional token and repository steps.
import {Box, Text} from 'ink';
import {useScreenInput} from '../components/help-host.js';
import {TextField as TextInput} from '../components/text-field.js';
import {useEffect, useState} from 'react';
import {ChoiceList} from '../components/choice-list.js';
import {LabelRow} from '../components/label-row.js';
import {ScreenFrame} from '../components/screen-frame.js';
import {keyHints, type KeyHint} from '../components/key-footer.js';
import type {Deps} from '../deps.js';
import {
  describePlanItem,
  wizardRemote,
  registeredForRemote,
  repositoryToken,
  setupPlan,
  useSetupWizard,
  wizardTokenNameUse,
  type DraftField,
  type PlanItem,
  type WizardAction,
  type WizardState,
  type WizardStep,
} from '../hooks/use-setup-wizard.js';
import {useTheme} from '../hooks/use-theme.js';
import {assertNever, ExitCode} from '../lib/errors.js';
import {tokenAdvice} from '../services/forges.js';
import {defaultTokenName} from '../services/tokens.js';
import {createWizardServices, type WizardServices} from '../services/setup.js';

export type SetupWizardProps = {
  isActive: boolean;
  /**
   * Setup finished (something may have been written): show home, or exit for `berth setup` —
   * with the exit code of the step that failed, if one did.
   */
  onFinish: (failed?: ExitCode) => void;
  /** The wizard could not start. */
  onError: (error: unknown) => void;
  /** Left before applying: nothing was written. */
  onCancel: () => void;
};

/** Builds the real services, then runs the wizard. */
export function SetupWizardScreen({deps, ...props}: SetupWizardProps & {deps: Deps}) {
  const [services, setServices] = useState<WizardServices | undefined>(undefined);
  const {onError} = props;
  useEffect(() => {
    createWizardServices(deps).then(setServices, onError);
  }, [deps, onError]);
  if (!services) return <Text dimColor>Starting setup…</Text>;
  return <SetupWizard services={services} {...props} />;
}

const stepTitles: Partial<Record<WizardStep, string>> = {
  detect: 'checkout',
  provider: 'provider',
  apiUrl: 'provider',
  token: 'token',
  verify: 'token',
  tokenName: 'token',
  storage: 'storage',
  repository: 'repository',
  checkRepository: 'repository',
  init: 'init',
  stack: 'stack',
  newStack: 'stack',
  review: 'review',
  applying: 'apply',
  done: 'done',
};

const textSteps: readonly WizardStep[] = ['apiUrl', 'token', 'tokenName', 'repository', 'newStack'];
const choiceSteps: readonly WizardStep[] = ['provider', 'storage', 'init', 'stack'];

export function SetupWizard({
  services,
  isActive,
  onFinish,
  onCancel,
}: SetupWizardProps & {services: WizardServices}) {
  const {state, dispatch} = useSetupWizard(services);
  useWizardInput(state, dispatch, {isActive, onFinish, onCancel});
  return (
    <ScreenFrame title={`setup · ${stepTitles[state.step] ?? state.step}`} hints={hintsFor(state)}>
      <Progress state={state} />
      {/* Keyed by step: each step's input starts fresh (ink-select-input keeps its cursor). */}
      <Box key={state.step} flexDirection="column" marginTop={1}>
        <StepBody state={state} dispatch={dispatch} isActive={isActive} />
      </Box>
      <ErrorLine text={state.error} />
    </ScreenFrame>
  );
}

function useWizardInput(
  state: WizardState,
  dispatch: (action: WizardAction) => void,
  options: Pick<SetupWizardProps, 'isActive' | 'onFinish' | 'onCancel'>,
) {
  useScreenInput(
    (input, key) => {
      if (state.step === 'done') {
        if (key.return || key.escape || input === 'q') {
          const failed = state.outcomes.find((outcome) => outcome.status === 'failed');
          options.onFinish(
            failed?.status === 'failed' ? (failed.exitCode ?? ExitCode.failure) : undefined,
          );
        }
        return;
      }
      // q goes back like Esc, except where it is a letter of what the user types.
      if (key.escape || (input === 'q' && !textSteps.includes(state.step))) {
        if (state.step === 'applying') return;
        if (state.history.length === 0) options.onCancel();
        else dispatch({type: 'back'});
        return;
      }
      if (key.tab) {
        if (state.step === 'token' || state.step === 'provider' || state.step === 'apiUrl')
          dispatch({type: 'skipToken'});
        else if (state.step === 'repository') dispatch({type: 'skipRepository'});
        return;
      }
      if (!key.return || textSteps.includes(state.step) || choiceSteps.includes(state.step)) return;
      if (state.step === 'review') dispatch({type: 'confirm'});
      else if (state.step === 'detect' || state.step === 'verify') dispatch({type: 'continue'});
    },
    {isActive: options.isActive},
  );
}

function hintsFor(state: WizardState): KeyHint[] {
  const back: KeyHint = {key: 'esc', label: state.history.length === 0 ? 'leave setup' : 'back'};
  switch (state.step) {
    case 'detect':
    case 'verify':
      return [{key: 'enter', label: 'continue'}, back];
    case 'provider':
    case 'apiUrl':
    case 'token':
      return [{key: 'enter', label: 'next'}, {key: 'tab', label: 'skip tokens'}, back];
    case 'repository':
      return [{key: 'enter', label: 'register'}, {key: 'tab', label: 'skip'}, back];
    case 'storage':
    case 'init':
    case 'stack':
    case 'newStack':
      return [keyHints.move, keyHints.enter('choose'), back];
    case 'review':
      return [{key: 'enter', label: 'apply'}, back];
    case 'checkRepository':
      return [back];
    case 'tokenName':
      return [{key: 'enter', label: 'next'}, back];
    case 'applying':
      return [];
    case 'done':
      return [{key: 'enter', label: 'finish'}];
    default:
      return assertNever(state.step);
  }
}

function Progress({state}: {state: WizardState}) {
  const theme = useTheme();
  const names = [
    'checkout',
    ...(state.features.tokens ? ['provider', 'token', 'storage'] : []),
    ...(state.features.repositories ? ['repository'] : []),
    'init',
    'stack',
    'review',
    'done',
  ];
  const current = stepTitles[state.step];
  return (
    <Text wrap="wrap">
      {names.map((name, index) => (
        <Text key={name}>
          {index > 0 ? <Text dimColor> › </Text> : null}
          <Text
            bold={name === current}
            color={name === current ? theme.tint('accent') : undefined}
            dimColor={name !== current}
          >
            {name}
          </Text>
        </Text>
      ))}
    </Text>
  );
}

/** The scopes a token needs and the page that makes one, under the token field. */
function TokenAdvice({provider, apiUrl}: {provider: 'github' | 'gitlab'; apiUrl: string}) {
  const advice = tokenAdvice(provider, apiUrl);
  return (
    <Box flexDirection="column">
      <Text wrap="wrap" dimColor>
        Needs {advice.scopes}.
      </Text>
      <Text wrap="wrap" dimColor>
        Make one at {advice.createUrl}
      </Text>
    </Box>
  );
}

function defaultName(state: WizardState): string {
  return defaultTokenName(state.provider, state.apiUrl);
}

/** Under a verified token: whether its name is new, reuses the same login's, or is taken. */
function TokenNameNote({state}: {state: WizardState}) {
  const use = wizardTokenNameUse(state);
  if (use.kind === 'free') return null;
  return (
    <Text wrap="wrap">
      {use.kind === 'same'
        ? `Token '${state.tokenName}' is stored already for ${state.verification?.login}: this one replaces it.`
        : `Token '${state.tokenName}' is stored for ${use.token.login ?? 'an unknown login'}: next, a name for this one.`}
    </Text>
  );
}

function ErrorLine({text}: {text: string | undefined}) {
  const theme = useTheme();
  if (!text) return null;
  return (
    <Box marginTop={1}>
      <Text color={theme.tint('error')} wrap="wrap">
        ✗ {text}
      </Text>
    </Box>
  );
}

function StepBody({
  state,
  dispatch,
  isActive,
}: {
  state: WizardState;
  dispatch: (action: WizardAction) => void;
  isActive: boolean;
}) {
  const theme = useTheme();
  const draft = (field: DraftField) => (value: string) => dispatch({type: 'draft', field, value});
  switch (state.step) {
    case 'detect': {
      if (!state.checkout) return <Text dimColor>Looking at {state.cwd}…</Text>;
      const {gitRoot, remotes} = state.checkout;
      return (
        <Box flexDirection="column">
          <LabelRow width={14} label="Directory">
            <Text wrap="truncate-middle">{state.cwd}</Text>
          </LabelRow>
          <LabelRow width={14} label="Git checkout">
            {gitRoot ? (
              <Text wrap="truncate-middle">{gitRoot}</Text>
            ) : (
              <Text color={theme.tint('warning')}>
                none — the token and repository steps are skipped
              </Text>
            )}
          </LabelRow>
          {gitRoot ? (
            <LabelRow width={14} label="Remotes">
              {remotes.length === 0 ? (
                <Text dimColor>none</Text>
              ) : (
                <Box flexDirection="column">
                  {remotes.slice(0, 4).map((remote) => (
                    <Text key={remote.name} wrap="truncate-end">
                      {remote.name} <Text dimColor>{remote.url}</Text>
                    </Text>
                  ))}
                </Box>
              )}
            </LabelRow>
          ) : null}
          <LabelRow width={14} label="Berth repo">
            <Text wrap="truncate-middle">
              {state.repositoryRoot ?? 'not yet — the init step can make one here'}
            </Text>
          </LabelRow>
          {registeredForRemote(state) ? (
            <LabelRow width={14} label="Registered">
              <Text>
                as code repository <Text bold>{registeredForRemote(state)?.name}</Text>
              </Text>
            </LabelRow>
          ) : null}
          {!state.features.tokens || !state.features.repositories ? (
            <Box marginTop={1}>
              <Text dimColor wrap="wrap">
                Not in this build yet:{' '}
                {[
                  !state.features.tokens && 'token setup',
                  !state.features.repositories && 'repository registration',
                ]
                  .filter(Boolean)
                  .join(' and ')}
                .
              </Text>
            </Box>
          ) : null}
        </Box>
      );
    }
    case 'provider':
      return (
        <Box flexDirection="column">
          <Text>Where is the code hosted?</Text>
          <ChoiceList
            items={[
              {label: 'GitHub', value: 'github' as const},
              {label: 'GitLab', value: 'gitlab' as const},
            ]}
            initialIndex={state.provider === 'gitlab' ? 1 : 0}
            isActive={isActive}
            onSelect={(provider) => dispatch({type: 'chooseProvider', provider})}
          />
        </Box>
      );
    case 'apiUrl':
      return (
        <Box flexDirection="column">
          <Text>
            {state.provider === 'github' ? 'GitHub' : 'GitLab'} API URL (prefilled from the remote):
          </Text>
          <Box>
            <Text color={theme.tint('accent')}>› </Text>
            <TextInput
              value={state.apiUrl}
              onChange={draft('apiUrl')}
              onSubmit={() => dispatch({type: 'submitApiUrl'})}
              focus={isActive}
            />
          </Box>
        </Box>
      );
    case 'token':
      return (
        <Box flexDirection="column">
          <Text wrap="wrap">
            Paste a personal access token for {state.apiUrl}. It is verified, then stored under the
            name '{state.tokenName}'.
          </Text>
          <TokenAdvice provider={state.provider} apiUrl={state.apiUrl} />
          <Box>
            <Text color={theme.tint('accent')}>› </Text>
            <TextInput
              value={state.token}
              onChange={draft('token')}
              onSubmit={() => dispatch({type: 'submitToken'})}
              mask="*"
              focus={isActive}
            />
          </Box>
        </Box>
      );
    case 'verify':
      if (!state.verification)
        return <Text color={theme.tint('accent')}>Verifying the token with {state.apiUrl}…</Text>;
      return (
        <Box flexDirection="column">
          <Text color={theme.tint('success')}>✓ Token verified</Text>
          <LabelRow width={14} label="Login">
            <Text bold>{state.verification.login}</Text>
          </LabelRow>
          <LabelRow width={14} label="Scopes">
            <Text>{state.verification.scopes.join(', ') || '(none reported)'}</Text>
          </LabelRow>
          <TokenNameNote state={state} />
          {state.verification.missingScopes.length > 0 ? (
            <Text color={theme.tint('warning')} wrap="wrap">
              Missing scopes: {state.verification.missingScopes.join(', ')} — some features will
              fail with this token.
            </Text>
          ) : null}
        </Box>
      );
    case 'tokenName': {
      const use = wizardTokenNameUse({...state, tokenName: defaultName(state)});
      return (
        <Box flexDirection="column">
          {use.kind === 'taken' ? (
            <Text wrap="wrap">
              Token &apos;{use.token.name}&apos; is stored for{' '}
              {use.token.login ?? 'an unknown login'}, not {state.verification?.login}: it stays as
              it is.
            </Text>
          ) : null}
          <Text>Name for this token (letters, digits, . - _):</Text>
          <Box>
            <Text color={theme.tint('accent')}>› </Text>
            <TextInput
              value={state.tokenName}
              onChange={draft('tokenName')}
              onSubmit={() => dispatch({type: 'submitTokenName'})}
              focus={isActive}
            />
          </Box>
        </Box>
      );
    }
    case 'storage': {
      const probe = state.keychain;
      if (!probe) return <Text dimColor>Checking the OS keychain…</Text>;
      return (
        <Box flexDirection="column">
          {probe.available ? (
            <Text>
              The token goes to the OS keychain: <Text bold>{probe.backend}</Text>.
            </Text>
          ) : (
            <Text color={theme.tint('warning')} wrap="wrap">
              No OS keychain is reachable{probe.problem ? `: ${probe.problem}` : '.'}
            </Text>
          )}
          <ChoiceList
            items={
              probe.available
                ? [
                    {label: `Store it in ${probe.backend}`, value: 'keychain' as const},
                    {label: "Don't store it (skip)", value: 'skip' as const},
                  ]
                : [
                    {label: "Don't store it (skip)", value: 'skip' as const},
                    {
                      label: 'Store it in a plain file (0600, not encrypted)',
                      value: 'file' as const,
                    },
                  ]
            }
            isActive={isActive}
            onSelect={(storage) => dispatch({type: 'chooseStorage', storage})}
          />
        </Box>
      );
    }
    case 'repository': {
      const remote = wizardRemote(state);
      const token = repositoryToken(state);
      return (
        <Box flexDirection="column">
          <Text wrap="wrap">
            Register this checkout's code repository, so publishes record where the code is (
            {state.provider === 'gitlab' ? 'group/project' : 'owner/repository'}):
          </Text>
          <LabelRow width={14} label="Host">
            <Text>{remote?.host ?? ''}</Text>
          </LabelRow>
          <LabelRow width={14} label={state.provider === 'gitlab' ? 'Instance' : 'API'}>
            <Text>{state.apiUrl}</Text>
          </LabelRow>
          <LabelRow width={14} label="Token">
            {token ? <Text>{token}</Text> : <Text dimColor>none (a public repository only)</Text>}
          </LabelRow>
          <Box>
            <Text color={theme.tint('accent')}>› </Text>
            <TextInput
              value={state.slug}
              onChange={draft('slug')}
              onSubmit={() => dispatch({type: 'submitRepository'})}
              focus={isActive}
            />
          </Box>
        </Box>
      );
    }
    case 'checkRepository':
      return (
        <Text color={theme.tint('accent')} wrap="wrap">
          Checking {state.slug} with {state.apiUrl}…
        </Text>
      );
    case 'init':
      return (
        <Box flexDirection="column">
          <Text wrap="wrap">
            Make this directory a berth repository, with its own active profile and stack?
          </Text>
          <ChoiceList
            items={[
              {label: `Yes, init ${state.cwd}`, value: true},
              {label: 'No, keep using the global stack', value: false},
            ]}
            isActive={isActive}
            onSelect={(init) => dispatch({type: 'chooseInit', init})}
          />
        </Box>
      );
    case 'stack': {
      const names = state.stacks?.names ?? [];
      const active = state.stacks?.active;
      const items = [
        ...names.map((name) => ({
          key: name,
          label: name === active ? `${name} (current)` : name,
          value: name as string | undefined,
        })),
        {key: '+new', label: '+ New stack…', value: undefined},
      ];
      const local = Boolean(state.repositoryRoot || state.init);
      return (
        <Box flexDirection="column">
          <Text>Pick the stack to use {local ? 'in this repository' : 'globally'}:</Text>
          <ChoiceList
            items={items}
            initialIndex={Math.max(0, names.indexOf(active ?? ''))}
            limit={8}
            isActive={isActive}
            onSelect={(name) => dispatch({type: 'chooseStack', name})}
          />
        </Box>
      );
    }
    case 'newStack':
      return (
        <Box flexDirection="column">
          <Text>Name of the new stack (letters, digits, . - _):</Text>
          <Box>
            <Text color={theme.tint('accent')}>› </Text>
            <TextInput
              value={state.newStack}
              onChange={draft('newStack')}
              onSubmit={() => dispatch({type: 'submitNewStack'})}
              focus={isActive}
            />
          </Box>
        </Box>
      );
    case 'review': {
      const plan = setupPlan(state);
      return (
        <Box flexDirection="column">
          <Text bold>
            {plan.length ? 'Enter applies these changes, in this order:' : 'Nothing to change.'}
          </Text>
          {plan.map((item, index) => (
            <Text key={index} wrap="wrap">
              {index + 1}. {describePlanItem(item)}
            </Text>
          ))}
          {state.reusedRepository ? (
            <Text wrap="wrap">
              Code repository &apos;{state.reusedRepository}&apos; is this repository, registered
              already: kept as is.
            </Text>
          ) : null}
          <Box marginTop={1}>
            <Text dimColor wrap="wrap">
              Nothing has been written yet.
            </Text>
          </Box>
        </Box>
      );
    }
    case 'applying':
    case 'done':
      return <Outcomes state={state} />;
    default:
      return assertNever(state.step);
  }
}

function Outcomes({state}: {state: WizardState}) {
  const theme = useTheme();
  const plan = setupPlan(state);
  const failed = state.outcomes.some((outcome) => outcome.status === 'failed');
  const registered = plan.find(
    (item, index): item is Extract<PlanItem, {kind: 'registerRepository'}> =>
      item.kind === 'registerRepository' && state.outcomes[index]?.status === 'done',
  );
  const known = registered?.name ?? state.reusedRepository ?? registeredForRemote(state)?.name;
  return (
    <Box flexDirection="column">
      {plan.map((item, index) => {
        const outcome = state.outcomes[index];
        const running = state.step === 'applying' && index === state.outcomes.length;
        const mark = !outcome ? (running ? '…' : '–') : outcome.status === 'done' ? '✓' : '✗';
        const tint = !outcome
          ? undefined
          : outcome.status === 'done'
            ? theme.tint('success')
            : theme.tint('error');
        return (
          <Text key={index} wrap="wrap" dimColor={!outcome && !running}>
            <Text color={tint}>{mark}</Text> {describePlanItem(item)}
            {outcome?.status === 'done' && outcome.detail ? (
              <Text dimColor> ({outcome.detail})</Text>
            ) : null}
            {outcome?.status === 'failed' ? (
              <Text color={theme.tint('error')}>: {outcome.message}</Text>
            ) : null}
            {!outcome && state.step === 'done' ? <Text> (not done)</Text> : null}
          </Text>
        );
      })}
      {state.step === 'done' ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold color={theme.tint(failed ? 'warning' : 'success')} wrap="wrap">
            {failed
              ? 'Setup stopped at the step marked ✗. The steps marked ✓ are done and stay done; the steps marked – were not done.'
              : 'Setup is complete.'}
          </Text>
          <Text bold>Next steps</Text>
          {failed ? (
            <Text wrap="wrap">· fix the problem above, then run `berth setup` again</Text>
          ) : null}
          {known ? (
            <Text wrap="wrap">
              · `berth repo detect` — check this checkout against &apos;{known}&apos; (commit,
              clean, pushed)
            </Text>
          ) : null}
          <Text wrap="wrap">
            · b on home (or `berth publish`) — publish this code project as a module
          </Text>
          <Text wrap="wrap">· `berth status` — the profile and stack that apply here</Text>
        </Box>
      ) : null}
    </Box>
  );
}
