// The wizard's state machine without a terminal: what gets planned, and that going back and
// skipping never plan a write the user did not confirm.
import {describe, expect, it} from 'vitest';
import {
  initialWizardState,
  setupPlan,
  wizardReducer,
  type WizardAction,
  type WizardState,
} from '../../source/hooks/use-setup-wizard.js';
import {defaultApiUrl} from '../../source/services/forges.js';
import type {StoredToken} from '../../source/services/setup.js';
import {filterByName, filterListReducer, windowStart} from '../../source/hooks/use-filter-list.js';

const checkout = {
  gitRoot: '/w',
  remotes: [
    {
      name: 'origin',
      url: 'git@gitlab.example.com:ml/team/widgets.git',
      host: 'gitlab.example.com',
      path: 'ml/team/widgets',
    },
  ],
};

function run(state: WizardState, ...actions: WizardAction[]): WizardState {
  return actions.reduce(wizardReducer, state);
}

describe('wizard state machine', () => {
  const start = () =>
    run(
      initialWizardState({
        cwd: '/w',
        repositoryRoot: null,
        tokens: {} as never,
        repositories: undefined,
      }),
      {type: 'detected', checkout, stacks: {names: ['default'], active: 'default'}},
    );

  it('prefills provider and API URL from the remote', () => {
    const state = start();
    expect(state.provider).toBe('gitlab');
    expect(state.apiUrl).toBe('https://gitlab.example.com');
    expect(state.slug).toBe('ml/team/widgets');
  });

  it('plans the token, init and stack writes in order, and nothing before review', () => {
    let state = run(
      start(),
      {type: 'continue'},
      {type: 'chooseProvider', provider: 'gitlab'},
      {type: 'submitApiUrl'},
    );
    state = run(
      state,
      {type: 'draft', field: 'token', value: 'glpat-secret'},
      {type: 'submitToken'},
    );
    expect(state.step).toBe('verify');
    state = run(
      state,
      {type: 'verified', verification: {login: 'ana', scopes: ['api'], missingScopes: []}},
      {type: 'continue'},
    );
    state = run(
      state,
      {type: 'chooseStorage', storage: 'keychain'},
      {type: 'chooseInit', init: true},
      {type: 'chooseStack', name: 'default'},
    );
    expect(state.step).toBe('review');
    expect(setupPlan(state).map((item) => item.kind)).toEqual(['storeToken', 'init', 'setStack']);
  });

  it('Esc walks back over the steps taken and skipping tokens plans no token write', () => {
    let state = run(start(), {type: 'continue'}, {type: 'skipToken'});
    expect(state.step).toBe('init');
    state = run(state, {type: 'back'});
    expect(state.step).toBe('provider');
    state = run(state, {type: 'back'}, {type: 'back'});
    expect(state.step).toBe('detect');
    state = run(
      state,
      {type: 'continue'},
      {type: 'skipToken'},
      {type: 'chooseInit', init: false},
      {type: 'chooseStack', name: 'default'},
    );
    expect(setupPlan(state)).toEqual([]);
  });

  it('a failed verification returns to the token input with the token cleared', () => {
    let state = run(
      start(),
      {type: 'continue'},
      {type: 'chooseProvider', provider: 'gitlab'},
      {type: 'submitApiUrl'},
    );
    state = run(
      state,
      {type: 'draft', field: 'token', value: 'bad'},
      {type: 'submitToken'},
      {type: 'verifyFailed', message: '401'},
    );
    expect(state).toMatchObject({step: 'token', token: 'bad', error: '401'});
  });
});

describe('wizard: token and repository registration', () => {
  const github = {
    gitRoot: '/w',
    remotes: [
      {
        name: 'origin',
        url: 'http://127.0.0.1:8080/acme/widgets.git',
        host: '127.0.0.1',
        path: 'acme/widgets',
        base: 'http://127.0.0.1:8080',
      },
    ],
  };
  const start = (extra: Partial<Extract<WizardAction, {type: 'detected'}>> = {}) =>
    run(
      initialWizardState({
        cwd: '/w',
        repositoryRoot: null,
        tokens: {} as never,
        repositories: {} as never,
      }),
      {
        type: 'detected',
        checkout: github,
        stacks: {names: ['default'], active: 'default'},
        ...extra,
      },
    );
  const verified: WizardAction = {
    type: 'verified',
    verification: {login: 'octocat', scopes: ['repo'], missingScopes: []},
  };
  const found: WizardAction = {
    type: 'repositoryChecked',
    check: {status: 'new', slug: 'acme/widgets'},
  };

  it("keeps a self-hosted remote's scheme and port in the API URL it suggests", () => {
    expect(start().apiUrl).toBe('http://127.0.0.1:8080/api/v3');
    expect(defaultApiUrl('github', {host: 'github.com', base: 'https://github.com'})).toBe(
      'https://api.github.com',
    );
    expect(defaultApiUrl('gitlab', {host: 'github.com'})).toBe('https://gitlab.com');
  });

  const apiUrl = 'http://127.0.0.1:8080/api/v3';
  const toVerified = (...stored: StoredToken[]) =>
    run(
      start({storedTokens: stored}),
      {type: 'continue'},
      {type: 'chooseProvider', provider: 'github'},
      {type: 'submitApiUrl'},
      {type: 'draft', field: 'token', value: 'ghp_x'},
      {type: 'submitToken'},
      verified,
      {type: 'continue'},
    );

  it('reuses the name of a token the same login stored for this API (a re-run): no NAME-2', () => {
    const state = run(
      toVerified({name: 'github-127.0.0.1-8080', provider: 'github', apiUrl, login: 'octocat'}),
      {type: 'chooseStorage', storage: 'keychain'},
      {type: 'skipRepository'},
      {type: 'chooseInit', init: false},
      {type: 'chooseStack', name: 'default'},
    );
    expect(setupPlan(state)).toEqual([
      {kind: 'storeToken', name: 'github-127.0.0.1-8080', insecure: false, replace: true},
    ]);
  });

  it("asks for a name when the default one holds another login's token, and refuses taken ones", () => {
    const other: StoredToken = {
      name: 'github-127.0.0.1-8080',
      provider: 'github',
      apiUrl,
      login: 'alice',
    };
    const mine: StoredToken = {
      name: 'github-127.0.0.1-8080-octocat',
      provider: 'github',
      apiUrl: 'x',
      login: 'octocat',
    };
    let state = toVerified(other, mine);
    expect(state).toMatchObject({step: 'tokenName', tokenName: 'github-127.0.0.1-8080-octocat'});
    // The suggestion holds a token for another API: not reused either.
    state = run(state, {type: 'submitTokenName'});
    expect(state.step).toBe('tokenName');
    expect(state.error).toContain("Token 'github-127.0.0.1-8080-octocat' is stored for octocat");
    state = run(
      state,
      {type: 'draft', field: 'tokenName', value: 'work'},
      {type: 'submitTokenName'},
      {type: 'chooseStorage', storage: 'file'},
      {type: 'skipRepository'},
      {type: 'chooseInit', init: false},
      {type: 'chooseStack', name: 'default'},
    );
    expect(setupPlan(state)).toEqual([
      {kind: 'storeToken', name: 'work', insecure: true, replace: false},
    ]);
  });

  it('plans token → repository (with that token, by name) → init → new stack → switch', () => {
    let state = run(toVerified(), {type: 'chooseStorage', storage: 'keychain'});
    expect(state.step).toBe('repository');
    expect(state.tokenName).toBe('github-127.0.0.1-8080');
    state = run(
      state,
      {type: 'submitRepository'},
      found,
      {type: 'chooseInit', init: true},
      {type: 'chooseStack', name: undefined},
      {type: 'draft', field: 'newStack', value: 'gpu'},
      {type: 'submitNewStack'},
    );
    expect(setupPlan(state)).toEqual([
      {kind: 'storeToken', name: 'github-127.0.0.1-8080', insecure: false, replace: false},
      {
        kind: 'registerRepository',
        name: 'widgets',
        provider: 'github',
        host: '127.0.0.1',
        apiUrl: 'http://127.0.0.1:8080/api/v3',
        slug: 'acme/widgets',
        tokenName: 'github-127.0.0.1-8080',
      },
      {kind: 'init', root: '/w'},
      {kind: 'createStack', name: 'gpu'},
      {kind: 'setStack', name: 'gpu', local: true},
    ]);
  });

  it('skipping tokens registers with a stored token for the same API, and refuses a 3-part GitHub path', () => {
    let state = run(
      start({
        storedTokens: [{name: 'forge', provider: 'github', apiUrl, login: 'octocat'}],
      }),
      {type: 'continue'},
      {type: 'skipToken'},
      {type: 'draft', field: 'slug', value: 'a/b/c'},
      {type: 'submitRepository'},
    );
    expect(state).toMatchObject({step: 'repository', error: 'Write it as owner/repository.'});
    state = run(
      state,
      {type: 'draft', field: 'slug', value: 'acme/widgets.git'},
      {type: 'submitRepository'},
      found,
      {type: 'chooseInit', init: false},
      {type: 'chooseStack', name: 'default'},
    );
    expect(setupPlan(state)).toEqual([
      expect.objectContaining({
        kind: 'registerRepository',
        slug: 'acme/widgets',
        tokenName: 'forge',
      }),
    ]);
  });

  it('leaves the repository step only once the provider knows it; a failure keeps the input', () => {
    let state = run(start(), {type: 'continue'}, {type: 'skipToken'}, {type: 'submitRepository'});
    expect(state.step).toBe('checkRepository');
    state = run(state, {type: 'repositoryCheckFailed', message: 'acme/widgets was not found.'});
    expect(state).toMatchObject({
      step: 'repository',
      slug: 'acme/widgets',
      error: 'acme/widgets was not found.',
    });
    // Esc from there goes to the step before it, not to the same step again.
    expect(run(state, {type: 'back'}).step).toBe('provider');
    state = run(
      state,
      {type: 'submitRepository'},
      {type: 'repositoryChecked', check: {status: 'registered', name: 'w', slug: 'acme/widgets'}},
      {type: 'chooseInit', init: false},
      {type: 'chooseStack', name: 'default'},
    );
    // Registered already (under another path or name): reused, not registered twice.
    expect(state.reusedRepository).toBe('w');
    expect(setupPlan(state)).toEqual([]);
  });

  it('skips the repository step when the remote is registered already', () => {
    const state = run(
      start({repositories: [{name: 'w', host: '127.0.0.1', path: 'acme/widgets'}]}),
      {type: 'continue'},
      {type: 'skipToken'},
    );
    expect(state.step).toBe('init');
  });

  it('a failed write ends the apply there: later steps have no outcome', () => {
    let state = run(
      start(),
      {type: 'continue'},
      {type: 'skipToken'},
      {type: 'submitRepository'},
      found,
      {type: 'chooseInit', init: true},
      {type: 'chooseStack', name: 'default'},
      {type: 'confirm'},
    );
    expect(state.step).toBe('applying');
    expect(setupPlan(state).map((item) => item.kind)).toEqual([
      'registerRepository',
      'init',
      'setStack',
    ]);
    state = run(state, {type: 'applied', outcome: {status: 'failed', message: 'not found'}});
    expect(state.step).toBe('done');
    expect(state.outcomes).toEqual([{status: 'failed', message: 'not found'}]);
    expect(run(state, {type: 'back'}).step).toBe('done');
  });
});

describe('filter list', () => {
  const stacks = Array.from({length: 500}, (_, i) => ({
    name: `team-${i % 2 ? 'gpu' : 'cpu'}.${i}`,
  }));

  it('filters by any name character and keeps the cursor in range', () => {
    expect(filterByName(stacks, 'gpu.49')).toHaveLength(6);
    let state = filterListReducer({query: '', cursor: 0}, {type: 'type', text: '-'});
    state = filterListReducer(state, {type: 'move', by: 1000, count: 3});
    expect(state).toEqual({query: '-', cursor: 2});
    expect(filterListReducer(state, {type: 'erase'})).toEqual({query: '', cursor: 0});
  });

  it('renders a window around the cursor', () => {
    expect(windowStart(0, 500, 15)).toBe(0);
    expect(windowStart(250, 500, 15)).toBe(243);
    expect(windowStart(499, 500, 15)).toBe(485);
  });
});
