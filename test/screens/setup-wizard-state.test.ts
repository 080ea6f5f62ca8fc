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
    expect(state).toMatchObject({step: 'token', token: '', error: '401'});
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
