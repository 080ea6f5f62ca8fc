// What the setup wizard needs from the rest of berth, as one small interface: the wizard's
// state machine is tested against it, and `createWizardServices` wires the real services.
// Optional members are features a build may lack; the wizard skips their steps and says so.
// Everything here either only reads or is one atomic write: the wizard calls the writes only
// after the user confirmed the review, in order.
import path from 'node:path';
import type {Deps} from '../deps.js';
import {errorMessage} from '../lib/errors.js';
import {findRepositoryRoot} from '../store/repository-config.js';
import type {RegisterRepositoryInput} from './code-repositories/register.js';
import type {CheckoutRemotes} from './code-repositories/remotes.js';
import {isFirstRun} from './context.js';
import {splitRepositoryPath, type Forge} from './forges.js';
import type {StoredTokenFacts} from './tokens.js';

export type Provider = Forge;

export type DetectedCheckout = CheckoutRemotes;

export type TokenVerification = {login: string; scopes: string[]; missingScopes: string[]};

export type KeychainProbe = {available: boolean; backend: string; problem?: string};

export type TokenInput = {name: string; provider: Provider; apiUrl: string; token: string};

export type RepositoryInput = {
  name: string;
  provider: Provider;
  /** The remote's host (`HOST[:PORT]`), which `repo detect` matches checkouts against. */
  host: string;
  /** GitHub API URL or GitLab instance URL; the token's when one is used. */
  apiUrl: string;
  /** `owner/repository` (GitHub) or `group/sub/project` (GitLab). */
  slug: string;
  tokenName: string | undefined;
};

/** A stored token's metadata, as the wizard needs it (never its secret). */
export type StoredToken = StoredTokenFacts;

/** A registered code repository, as the wizard needs it (no secrets). */
export type RegisteredRepository = {name: string; host: string | null; path: string | null};

/** A repository the provider knows, new to berth (its canonical path) or registered already. */
export type RepositoryCheck =
  | {status: 'new'; slug: string}
  | {status: 'registered'; name: string; slug: string};

export type WizardServices = {
  cwd: string;
  /** The berth repository that already contains cwd, if any (read only). */
  repositoryRoot: string | null;
  detectCheckout(): Promise<DetectedCheckout>;
  /** Stack names and the one that would apply here, read without creating anything. */
  listStacks(): Promise<{names: string[]; active: string}>;
  tokens?: {
    verify(input: Omit<TokenInput, 'name'>): Promise<TokenVerification>;
    probeKeychain(): Promise<KeychainProbe>;
    /**
     * Verifies again and stores. `replace`: over the token of that name, which must be the same
     * login's for the same API (tokenNameUse): a re-run reuses what an earlier one stored.
     */
    store(
      input: TokenInput & {insecureStorage: boolean; replace: boolean},
    ): Promise<{storage: string}>;
    /** The tokens stored already (metadata only: no secret is read). */
    list(): Promise<StoredToken[]>;
  };
  repositories?: {
    /** Read without creating anything: empty on a first run. */
    list(): Promise<RegisteredRepository[]>;
    /**
     * What registering checks, writing nothing (the repository exists, the token reads it):
     * with `secret`, the token being set up, not stored yet.
     */
    check(input: RepositoryInput, secret?: string): Promise<RepositoryCheck>;
    register(input: RepositoryInput): Promise<void>;
  };
  createStack(name: string): Promise<void>;
  initRepository(root: string): Promise<void>;
  /** In the repository at root when there is one (local), else globally. */
  setStack(name: string, local: boolean): Promise<void>;
};

export async function createWizardServices(deps: Deps): Promise<WizardServices> {
  const [{readRemotes}, stacks, profiles, tokens, repositories] = await Promise.all([
    import('./code-repositories/remotes.js'),
    import('./stacks.js'),
    import('./profiles.js'),
    import('./tokens.js'),
    import('./code-repositories/register.js'),
  ]);
  // On a first run resolving the context would write the global config: reads wait for Apply.
  const firstRun = () => isFirstRun(deps);
  return {
    cwd: deps.cwd,
    repositoryRoot: findRepositoryRoot(deps.cwd, deps.env) ?? null,
    detectCheckout: () => readRemotes(deps),
    async listStacks() {
      // On a first run resolving the context would write the global config: don't, until the
      // user confirms. Its only stack will be the default one.
      if (firstRun()) return {names: ['default'], active: 'default'};
      const {stacks: list, context} = await stacks.listStacks(deps);
      return {names: list.map((stack) => stack.name).sort(), active: context.stackName};
    },
    tokens: {
      async verify({provider, apiUrl, token}) {
        const verification = await tokens.verifySecret({
          provider,
          apiUrl: tokens.normalizeApiUrl(provider, apiUrl),
          secret: token,
        });
        return {
          login: verification.login ?? '(unknown)',
          scopes: verification.scopes,
          missingScopes: verification.missingScopes,
        };
      },
      async probeKeychain() {
        // The same early check `token add` makes: a read that fails fast without a keychain.
        try {
          await deps.keychain.get('berth-setup-probe');
          return {available: true, backend: deps.keychain.backend};
        } catch (error) {
          return {available: false, backend: deps.keychain.backend, problem: errorMessage(error)};
        }
      },
      async store({name, provider, apiUrl, token, insecureStorage, replace}) {
        // addToken verifies again before storing: one code path for the CLI and the wizard.
        const result = await tokens.addToken(deps, {
          provider,
          name,
          apiUrl,
          insecureStorage,
          replaceSameLogin: replace,
          readSecret: async () => token,
        });
        return {storage: result.backend};
      },
      async list() {
        // Stored ones only: a token that exists only in the environment holds no name.
        return deps.tokenStore
          .list()
          .map(({name, provider, apiUrl, login}) => ({name, provider, apiUrl, login}));
      },
    },
    repositories: {
      async list() {
        if (firstRun()) return [];
        const {repositories: records} = await repositories.listRepositories(deps);
        return records.map(({name, host, path: repoPath}) => ({name, host, path: repoPath}));
      },
      async check(input, secret) {
        const found = await repositories.checkRegistration(deps, registration(input), {secret});
        const slug = found.repository.path ?? input.slug;
        return found.status === 'new'
          ? {status: 'new', slug}
          : {status: 'registered', name: found.repository.name, slug};
      },
      async register(input) {
        // The service validates against the provider (the repository exists, the token reads
        // it) before its one insert: a failure writes nothing.
        await repositories.registerRepository(deps, registration(input));
      },
    },
    async createStack(name) {
      await stacks.registerStack(deps, {name, components: {}});
    },
    async initRepository(root) {
      await profiles.initRepository(deps, path.resolve(root));
    },
    async setStack(name, local) {
      await stacks.setActiveStack(deps, {name, global: !local});
    },
  };
}

/** The wizard's registration in the service's fields. */
function registration({
  name,
  provider,
  host,
  apiUrl,
  slug,
  tokenName: token,
}: RepositoryInput): RegisterRepositoryInput {
  const fields = splitRepositoryPath(provider, slug);
  return fields.forge === 'github'
    ? {
        name,
        type: 'github',
        owner: fields.owner,
        repository: fields.repository,
        host,
        apiUrl,
        token,
      }
    : {
        name,
        type: 'gitlab',
        group: fields.group,
        project: fields.project,
        host,
        instanceUrl: apiUrl,
        token,
      };
}
