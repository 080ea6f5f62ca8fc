// The onboarding wizard as a state machine. The reducer is pure (typed actions, assertNever);
// the hook runs the side effects a step asks for (detect, verify, probe the keychain, apply)
// and feeds their results back as actions.
//
// Nothing is written until the user confirms the review step: every earlier step only reads
// (git, the stack list) or asks the provider (verification). Quitting before that leaves the
// disk as it was. Applying then runs the writes in order, each one atomic on its own (a token
// stored, a repository registered, a stack created, `.berth/config.yaml` written); a failure
// stops there and the summary says exactly which writes happened.
import {useEffect, useReducer} from 'react';
import {
  assertNever,
  describeError,
  errorText,
  FieldError,
  humanFieldLabel,
  ExitCode,
  type FieldLabel,
} from '../lib/errors.js';
import {screenVocabularyWith} from '../screens/remedies.js';
import {validateName} from '../lib/names.js';
import type {
  DetectedCheckout,
  KeychainProbe,
  Provider,
  RegisteredRepository,
  RepositoryCheck,
  RepositoryInput,
  StoredToken,
  TokenVerification,
  WizardServices,
} from '../services/setup.js';
import {primaryRemote, registeredAt} from '../services/code-repositories/remotes.js';
import {
  defaultApiUrl,
  forgeForHost,
  joinRepositoryPath,
  splitRepositoryPath,
} from '../services/forges.js';
import {defaultTokenName, normalizeApiUrl, tokenNameUse} from '../services/tokens.js';

/** The wizard's names for the fields a service may name in an error. */
const wizardLabels: Record<string, string> = {apiUrl: 'API URL', path: 'repository path'};
export const wizardLabel: FieldLabel = (field) => wizardLabels[field] ?? humanFieldLabel(field);
const wizardVocabulary = screenVocabularyWith(wizardLabel);

export type WizardStep =
  | 'detect'
  | 'provider'
  | 'apiUrl'
  | 'token'
  | 'verify'
  | 'tokenName'
  | 'storage'
  | 'repository'
  | 'checkRepository'
  | 'init'
  | 'stack'
  | 'newStack'
  | 'review'
  | 'applying'
  | 'done';

export type StorageChoice = 'keychain' | 'file' | 'skip';

export type PlanItem =
  | {kind: 'storeToken'; name: string; insecure: boolean; replace: boolean}
  | ({kind: 'registerRepository'} & RepositoryInput)
  | {kind: 'createStack'; name: string}
  | {kind: 'init'; root: string}
  | {kind: 'setStack'; name: string; local: boolean};

export type PlanOutcome =
  | {status: 'done'; detail?: string}
  | {status: 'failed'; message: string; exitCode?: ExitCode};

export type WizardState = {
  step: WizardStep;
  /** Steps to return to with Esc. */
  history: WizardStep[];
  features: {tokens: boolean; repositories: boolean};
  cwd: string;
  repositoryRoot: string | null;
  checkout: DetectedCheckout | undefined;
  provider: Provider;
  apiUrl: string;
  /** Held in memory only, never in a file, log or error. */
  token: string;
  tokenName: string;
  verification: TokenVerification | undefined;
  keychain: KeychainProbe | undefined;
  storage: StorageChoice | undefined;
  slug: string;
  registerRepository: boolean;
  /** The registered code repository the repository step found this one to be: kept as is. */
  reusedRepository: string | undefined;
  /** What exists already, read at detect time: names to avoid, a registration to reuse. */
  storedTokens: StoredToken[];
  repositories: RegisteredRepository[];
  init: boolean;
  stacks: {names: string[]; active: string} | undefined;
  stack: string | undefined;
  newStack: string;
  createStack: boolean;
  error: string | undefined;
  outcomes: PlanOutcome[];
};

/** The text fields the user types into. */
export type DraftField = 'apiUrl' | 'token' | 'tokenName' | 'slug' | 'newStack';

export type WizardAction =
  | {
      type: 'detected';
      checkout: DetectedCheckout;
      stacks: {names: string[]; active: string};
      storedTokens?: StoredToken[];
      repositories?: RegisteredRepository[];
    }
  | {type: 'detectFailed'; message: string}
  | {type: 'continue'}
  | {type: 'chooseProvider'; provider: Provider}
  | {type: 'draft'; field: DraftField; value: string}
  | {type: 'submitApiUrl'}
  | {type: 'submitToken'}
  | {type: 'skipToken'}
  | {type: 'verified'; verification: TokenVerification}
  | {type: 'verifyFailed'; message: string}
  | {type: 'submitTokenName'}
  | {type: 'keychainProbed'; probe: KeychainProbe}
  | {type: 'chooseStorage'; storage: StorageChoice}
  | {type: 'submitRepository'}
  | {type: 'repositoryChecked'; check: RepositoryCheck}
  | {type: 'repositoryCheckFailed'; message: string}
  | {type: 'skipRepository'}
  | {type: 'chooseInit'; init: boolean}
  | {type: 'chooseStack'; name: string | undefined}
  | {type: 'submitNewStack'}
  | {type: 'confirm'}
  | {type: 'applied'; outcome: PlanOutcome}
  | {type: 'back'};

export function initialWizardState(
  services: Pick<WizardServices, 'cwd' | 'repositoryRoot' | 'tokens' | 'repositories'>,
): WizardState {
  return {
    step: 'detect',
    history: [],
    features: {tokens: Boolean(services.tokens), repositories: Boolean(services.repositories)},
    cwd: services.cwd,
    repositoryRoot: services.repositoryRoot,
    checkout: undefined,
    provider: 'github',
    apiUrl: '',
    token: '',
    tokenName: 'github',
    verification: undefined,
    keychain: undefined,
    storage: undefined,
    slug: '',
    registerRepository: false,
    reusedRepository: undefined,
    storedTokens: [],
    repositories: [],
    init: false,
    stacks: undefined,
    stack: undefined,
    newStack: '',
    createStack: false,
    error: undefined,
    outcomes: [],
  };
}

/** The remote most likely to be the code's home. */
export function wizardRemote(state: Pick<WizardState, 'checkout'>) {
  return primaryRemote(state.checkout?.remotes);
}

/**
 * What storing the verified token under its name meets (services/tokens.ts holds the rule): a
 * name free, the same login's token (reused: a re-run of setup), or someone else's.
 */
export function wizardTokenNameUse(state: WizardState) {
  return tokenNameUse(state.storedTokens, {
    name: state.tokenName,
    provider: state.provider,
    apiUrl: state.apiUrl,
    login: state.verification?.login ?? null,
  });
}

/** A name to offer when the default one holds another login's token: NAME-LOGIN. */
function suggestedTokenName(state: WizardState): string {
  const login = state.verification?.login;
  const base = defaultTokenName(state.provider, state.apiUrl);
  return login ? `${base}-${login}`.replace(/[^A-Za-z0-9._-]/g, '-') : base;
}

/** The name, or NAME-2, NAME-3… when it is taken. */
export function freeName(name: string, taken: readonly string[]): string {
  if (!taken.includes(name)) return name;
  for (let n = 2; ; n++) if (!taken.includes(`${name}-${n}`)) return `${name}-${n}`;
}

/** The registered repository this checkout's remote already points at, if any. */
export function registeredForRemote(state: WizardState): RegisteredRepository | undefined {
  const remote = wizardRemote(state);
  return remote ? registeredAt(remote, state.repositories) : undefined;
}

/** A token is being set up now (verified, a storage chosen): stored at Apply. */
function settingUpToken(state: WizardState): boolean {
  return Boolean(state.verification && state.storage && state.token);
}

/** The token a new registration uses: the one set up now, else a stored one for this API. */
export function repositoryToken(state: WizardState): string | undefined {
  if (settingUpToken(state)) return state.tokenName;
  const apiUrl = state.apiUrl.replace(/\/+$/, '').toLowerCase();
  return state.storedTokens.find(
    (token) => token.provider === state.provider && token.apiUrl.toLowerCase() === apiUrl,
  )?.name;
}

const transientSteps: readonly WizardStep[] = ['verify', 'checkRepository', 'applying'];

/** Back from a check that failed to the step it checks, its input kept, with the message. */
function backToInput(state: WizardState, step: WizardStep, message: string): WizardState {
  const history = state.history.at(-1) === step ? state.history.slice(0, -1) : state.history;
  return {...state, step, history, error: message};
}

function go(state: WizardState, step: WizardStep, patch: Partial<WizardState> = {}): WizardState {
  // Transient steps (running an effect) are never returned to with Esc.
  const remember = !transientSteps.includes(state.step);
  return {
    ...state,
    ...patch,
    step,
    history: remember ? [...state.history, state.step] : state.history,
    error: undefined,
  };
}

function afterDetect(state: WizardState): WizardStep {
  if (state.features.tokens && state.checkout?.gitRoot) return 'provider';
  return afterTokens(state);
}

function afterTokens(state: WizardState): WizardStep {
  if (state.features.repositories && wizardRemote(state) && !registeredForRemote(state))
    return 'repository';
  return initOrStack(state);
}

/** Inside a berth repository already there is nothing to init. */
function initOrStack(state: WizardState): WizardStep {
  return state.repositoryRoot ? 'stack' : 'init';
}

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  switch (action.type) {
    case 'detected': {
      const remote = primaryRemote(action.checkout.remotes);
      const provider = remote ? forgeForHost(remote.host) : 'github';
      const apiUrl = defaultApiUrl(provider, remote);
      const storedTokens = action.storedTokens ?? state.storedTokens;
      return {
        ...state,
        storedTokens,
        repositories: action.repositories ?? state.repositories,
        checkout: action.checkout,
        stacks: action.stacks,
        stack: action.stacks.active,
        provider,
        apiUrl,
        tokenName: defaultTokenName(provider, apiUrl),
        slug: remote?.path ?? '',
        error: undefined,
      };
    }
    case 'detectFailed':
      return {...state, error: action.message};
    case 'continue':
      switch (state.step) {
        case 'detect':
          return state.checkout ? go(state, afterDetect(state)) : state;
        case 'verify':
          if (!state.verification) return state;
          // Another login's token holds the name: this one gets a name of its own.
          return wizardTokenNameUse(state).kind === 'taken'
            ? go(state, 'tokenName', {tokenName: suggestedTokenName(state)})
            : go(state, 'storage');
        default:
          return state;
      }
    case 'chooseProvider': {
      const apiUrl =
        action.provider === state.provider && state.apiUrl
          ? state.apiUrl
          : defaultApiUrl(action.provider, wizardRemote(state));
      return go(state, 'apiUrl', {provider: action.provider, apiUrl});
    }
    case 'draft':
      return {...state, [action.field]: action.value, error: undefined};
    case 'submitApiUrl': {
      let apiUrl: string;
      try {
        apiUrl = normalizeApiUrl(state.provider, state.apiUrl.trim());
      } catch (error) {
        return {...state, error: errorText(error, wizardVocabulary)};
      }
      return go(state, 'token', {
        apiUrl,
        tokenName: defaultTokenName(state.provider, apiUrl),
      });
    }
    case 'submitToken':
      if (state.token.trim() === '')
        return {...state, error: 'Paste a token, or press Tab to skip tokens.'};
      return go(state, 'verify', {token: state.token.trim(), verification: undefined});
    case 'skipToken':
      return go(state, afterTokens(state), {
        token: '',
        verification: undefined,
        storage: undefined,
      });
    case 'verified':
      return state.step === 'verify'
        ? {...state, verification: action.verification, error: undefined}
        : state;
    case 'verifyFailed':
      // Back to the input, the token still in it (masked): the fix may be elsewhere (esc to the
      // API URL, the network), and pasting again is a chore.
      return state.step === 'verify' ? backToInput(state, 'token', action.message) : state;
    case 'submitTokenName': {
      const name = state.tokenName.trim();
      try {
        validateName('token', name);
      } catch (error) {
        return {...state, error: errorText(error, wizardVocabulary)};
      }
      const use = wizardTokenNameUse({...state, tokenName: name});
      if (use.kind === 'taken')
        return {
          ...state,
          error: `Token '${name}' is stored for ${use.token.login ?? 'an unknown login'} (${use.token.apiUrl}). Type another name.`,
        };
      return go(state, 'storage', {tokenName: name});
    }
    case 'keychainProbed':
      return {...state, keychain: action.probe};
    case 'chooseStorage':
      if (action.storage === 'skip')
        return go(state, afterTokens(state), {
          storage: undefined,
          token: '',
          verification: undefined,
        });
      return go(state, afterTokens(state), {storage: action.storage});
    case 'submitRepository': {
      let slug: string;
      try {
        slug = joinRepositoryPath(splitRepositoryPath(state.provider, state.slug));
      } catch (error) {
        return {...state, error: errorText(error, wizardVocabulary)};
      }
      // Checked with the provider before going on (the hook runs the check).
      return go(state, 'checkRepository', {slug});
    }
    case 'repositoryChecked':
      if (state.step !== 'checkRepository') return state;
      return action.check.status === 'new'
        ? go(state, initOrStack(state), {registerRepository: true, reusedRepository: undefined})
        : go(state, initOrStack(state), {
            registerRepository: false,
            reusedRepository: action.check.name,
          });
    case 'repositoryCheckFailed':
      return state.step === 'checkRepository'
        ? backToInput(state, 'repository', action.message)
        : state;
    case 'skipRepository':
      return go(state, initOrStack(state), {
        registerRepository: false,
        reusedRepository: undefined,
      });
    case 'chooseInit':
      return go(state, 'stack', {init: action.init});
    case 'chooseStack':
      if (action.name === undefined) return go(state, 'newStack', {createStack: true});
      return go(state, 'review', {stack: action.name, createStack: false});
    case 'submitNewStack': {
      const name = state.newStack.trim();
      try {
        validateName('stack', name);
      } catch (error) {
        return {...state, error: errorText(error, wizardVocabulary)};
      }
      if (state.stacks?.names.includes(name))
        return go(state, 'review', {stack: name, createStack: false});
      return go(state, 'review', {stack: name, createStack: true});
    }
    case 'confirm':
      if (state.step !== 'review') return state;
      if (setupPlan(state).length === 0) return {...state, step: 'done', history: [], outcomes: []};
      return go(state, 'applying', {outcomes: []});
    case 'applied': {
      const outcomes = [...state.outcomes, action.outcome];
      const finished =
        action.outcome.status === 'failed' || outcomes.length >= setupPlan(state).length;
      return finished ? {...state, outcomes, step: 'done', history: []} : {...state, outcomes};
    }
    case 'back': {
      if (state.step === 'applying' || state.step === 'done') return state;
      const previous = state.history[state.history.length - 1];
      if (!previous) return state;
      return {...state, step: previous, history: state.history.slice(0, -1), error: undefined};
    }
    default:
      return assertNever(action);
  }
}

/** What applying writes, in order. */
export function setupPlan(state: WizardState): PlanItem[] {
  const plan: PlanItem[] = [];
  if (settingUpToken(state)) {
    plan.push({
      kind: 'storeToken',
      name: state.tokenName,
      insecure: state.storage === 'file',
      replace: wizardTokenNameUse(state).kind === 'same',
    });
  }
  if (state.registerRepository) plan.push({kind: 'registerRepository', ...repositoryInput(state)});
  const root = state.repositoryRoot ?? (state.init ? state.cwd : null);
  if (!state.repositoryRoot && state.init) plan.push({kind: 'init', root: state.cwd});
  if (state.createStack && state.stack) plan.push({kind: 'createStack', name: state.stack});
  if (state.stack && (state.stack !== state.stacks?.active || state.createStack || root)) {
    plan.push({kind: 'setStack', name: state.stack, local: root !== null});
  }
  return plan;
}

/** The registration the repository step checks and Apply makes. */
function repositoryInput(state: WizardState): RepositoryInput {
  return {
    name: freeName(
      repositoryName(state.slug),
      state.repositories.map((repository) => repository.name),
    ),
    provider: state.provider,
    host: wizardRemote(state)?.host ?? '',
    apiUrl: state.apiUrl,
    slug: state.slug,
    tokenName: repositoryToken(state),
  };
}

/**
 * A failed token check as the token step shows it: a refused token's next step is this field
 * (the provider's page above makes one), not a command.
 */
function tokenCheckMessage(error: unknown): string {
  const {message, exitCode} = describeError(error, wizardVocabulary);
  return exitCode === ExitCode.auth
    ? `${message} Paste a working one, or esc to change the API URL.`
    : errorText(error, wizardVocabulary);
}

/**
 * A failed repository check as the step shows it. Without an answer from the forge nothing
 * can be registered (Apply asks it again), so going on means going on without registering.
 */
function repositoryCheckMessage(error: unknown): string {
  const text = errorText(error, wizardVocabulary);
  return error instanceof FieldError && error.field === 'apiUrl'
    ? `${text} It can't be registered without an answer: enter tries again, tab goes on without it.`
    : text;
}

export function repositoryName(slug: string): string {
  return (
    (slug.split('/').pop() ?? slug).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '') ||
    'repository'
  );
}

export function describePlanItem(item: PlanItem): string {
  switch (item.kind) {
    case 'storeToken': {
      const verb = item.replace ? 'Replace' : 'Store';
      const reuse = item.replace ? ' (the same login stored it before)' : '';
      return item.insecure
        ? `${verb} token '${item.name}' in a plain file (0600) — not encrypted${reuse}`
        : `${verb} token '${item.name}' in the OS keychain${reuse}`;
    }
    case 'registerRepository':
      return `Register code repository '${item.name}' (${item.host}/${item.slug}, ${
        item.tokenName ? `token '${item.tokenName}'` : 'no token: public only'
      })`;
    case 'createStack':
      return `Create stack '${item.name}' from the default stack's components`;
    case 'init':
      return `Make ${item.root} a berth repository (berth init)`;
    case 'setStack':
      return `Set the active stack to '${item.name}' ${item.local ? 'in this repository' : 'globally'}`;
    default:
      return assertNever(item);
  }
}

async function applyItem(
  item: PlanItem,
  state: WizardState,
  services: WizardServices,
): Promise<string | undefined> {
  switch (item.kind) {
    case 'storeToken': {
      if (!services.tokens) throw new Error('token storage is not available');
      const result = await services.tokens.store({
        name: item.name,
        provider: state.provider,
        apiUrl: state.apiUrl,
        token: state.token,
        insecureStorage: item.insecure,
        replace: item.replace,
      });
      return `stored in ${result.storage}`;
    }
    case 'registerRepository': {
      if (!services.repositories) throw new Error('repository registration is not available');
      await services.repositories.register(item);
      return undefined;
    }
    case 'createStack':
      await services.createStack(item.name);
      return undefined;
    case 'init':
      await services.initRepository(item.root);
      return undefined;
    case 'setStack':
      await services.setStack(item.name, item.local);
      return undefined;
    default:
      return assertNever(item);
  }
}

export function useSetupWizard(services: WizardServices) {
  const [state, dispatch] = useReducer(wizardReducer, services, initialWizardState);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [checkout, stacks, storedTokens, repositories] = await Promise.all([
          services.detectCheckout(),
          services.listStacks(),
          services.tokens?.list() ?? [],
          services.repositories?.list() ?? [],
        ]);
        if (!cancelled) dispatch({type: 'detected', checkout, stacks, storedTokens, repositories});
      } catch (error) {
        if (!cancelled)
          dispatch({type: 'detectFailed', message: errorText(error, wizardVocabulary)});
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [services]);

  const {step, provider, apiUrl, token} = state;
  useEffect(() => {
    if (step !== 'verify' || !services.tokens) return;
    let cancelled = false;
    void services.tokens
      .verify({provider, apiUrl, token})
      .then((verification) => !cancelled && dispatch({type: 'verified', verification}))
      .catch(
        (error: unknown) =>
          !cancelled && dispatch({type: 'verifyFailed', message: tokenCheckMessage(error)}),
      );
    return () => {
      cancelled = true;
    };
  }, [step, provider, apiUrl, token, services]);

  const checking = step === 'checkRepository';
  useEffect(() => {
    if (!checking || !services.repositories) return;
    let cancelled = false;
    void services.repositories
      .check(repositoryInput(state), settingUpToken(state) ? state.token : undefined)
      .then((check) => !cancelled && dispatch({type: 'repositoryChecked', check}))
      .catch(
        (error: unknown) =>
          !cancelled &&
          dispatch({type: 'repositoryCheckFailed', message: repositoryCheckMessage(error)}),
      );
    return () => {
      cancelled = true;
    };
    // The input is fixed while the check runs: the step has no field.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [checking, services]);

  const needsProbe = step === 'storage' && state.keychain === undefined;
  useEffect(() => {
    if (!needsProbe || !services.tokens) return;
    let cancelled = false;
    void services.tokens
      .probeKeychain()
      .then((probe) => !cancelled && dispatch({type: 'keychainProbed', probe}))
      .catch((error: unknown) => {
        if (!cancelled)
          dispatch({
            type: 'keychainProbed',
            probe: {available: false, backend: 'none', problem: errorText(error, wizardVocabulary)},
          });
      });
    return () => {
      cancelled = true;
    };
  }, [needsProbe, services]);

  // Applying is not cancelled by unmounting: a write that started finishes (each is atomic).
  const applying = step === 'applying';
  useEffect(() => {
    if (!applying) return;
    void (async () => {
      for (const item of setupPlan(state)) {
        try {
          const detail = await applyItem(item, state, services);
          dispatch({type: 'applied', outcome: {status: 'done', detail}});
        } catch (error) {
          dispatch({
            type: 'applied',
            outcome: {
              status: 'failed',
              message: errorText(error, wizardVocabulary),
              exitCode: describeError(error, wizardVocabulary).exitCode,
            },
          });
          return;
        }
      }
    })();
    // The plan is fixed once applying starts.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [applying]);

  return {state, dispatch};
}
