// Token use cases: add (verify, then store), list, verify, rotate, remove, and resolving a
// token for other services. The same code serves the CLI and the TUI screen.
import type {Deps} from '../deps.js';
import {
  AuthError,
  ExitCode,
  FieldError,
  UsageError,
  UserError,
  type FieldText,
} from '../lib/errors.js';
import {maskSecret} from '../lib/mask.js';
import {checkSecret} from '../lib/secret.js';
import {validateName} from '../lib/names.js';
import {
  defaultApiUrls,
  tokenEnvVars,
  tokenProviders,
  type EffectiveStorage,
  type TokenListEntry,
  type TokenMetadata,
  type TokenProvider,
  type TokenStorage,
  type Verification,
} from '../models/token.js';
import {repositoriesUsingTokenIn} from './code-repositories/queries.js';

export type TokenHooks = {
  /** Warnings the user must see before or while something happens (stderr in the CLI). */
  onWarning?(text: FieldText): void;
  /** Called once the provider accepted the token, before it is stored. */
  onVerified?(verification: Verification): void;
};

export type ResolvedToken = {
  name: string;
  provider: TokenProvider;
  apiUrl: string;
  /** The login (GitHub/GitLab) or the username (registry). */
  login: string | null;
  secret: string;
  storage: EffectiveStorage;
};

const daysBeforeExpiryWarning = 7;

export function parseProvider(value: string): TokenProvider {
  const provider = value.toLowerCase();
  if (!tokenProviders.includes(provider as TokenProvider)) {
    throw new UsageError(`"${value}" is not a token provider.`, {
      hint: `Use one of: ${tokenProviders.join(', ')}.`,
    });
  }
  return provider as TokenProvider;
}

/** Canonical form of the API URL (GitHub), instance URL (GitLab) or HOST[:PORT] (registry). */
export function normalizeApiUrl(provider: TokenProvider, value: string | undefined): string {
  if (provider === 'registry') {
    const host = (value ?? '')
      .trim()
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/+$/, '');
    if (!host || /[/\s@]/.test(host)) {
      throw new FieldError(
        'apiUrl',
        (f) => `A registry token needs ${f('apiUrl')} HOST[:PORT] (no scheme, no path).`,
        {
          hint: 'For example: registry.example.com or 127.0.0.1:5000.',
        },
      );
    }
    return host.toLowerCase();
  }
  if (value === undefined) return defaultApiUrls[provider];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FieldError('apiUrl', `"${value}" is not a URL.`, {
      hint: (f) => `Write ${f('apiUrl')} as https://HOST[/PATH].`,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FieldError(
      'apiUrl',
      (f) => `${f('apiUrl')} must be an http(s) URL, not ${url.protocol}.`,
    );
  }
  if (url.username || url.password) {
    throw new FieldError('apiUrl', (f) => `${f('apiUrl')} must not contain credentials.`, {
      hint: 'Leave out the user and password: berth asks for the token itself.',
    });
  }
  let normalized = `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
  if (provider === 'gitlab') normalized = normalized.replace(/\/api\/v4$/, '');
  return normalized;
}

/** `github` / `gitlab` for the public services, `github-HOST` for others. */
export function defaultTokenName(provider: TokenProvider, apiUrl: string): string {
  if (provider === 'registry')
    throw new FieldError('name', (f) => `A registry token needs ${f('name')}.`);
  if (apiUrl === defaultApiUrls[provider]) return provider;
  const {hostname, port} = new URL(apiUrl);
  return `${provider}-${hostname}${port ? `-${port}` : ''}`.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** A stored token as the name rule reads it (its metadata, never its secret). */
export type StoredTokenFacts = Pick<TokenMetadata, 'name' | 'provider' | 'apiUrl' | 'login'>;

/** What storing a verified token under a name would meet. */
export type TokenNameUse =
  | {kind: 'free'}
  /** The same login's token for the same API (setup run again): the new secret replaces it. */
  | {kind: 'same'}
  /** Another login's, or another API's: never overwritten; the new token needs another name. */
  | {kind: 'taken'; token: StoredTokenFacts};

/**
 * The one rule for reusing a token name: a name holding a token of the same login for the same
 * provider and API is reused (its secret replaced, no NAME-2 beside it); a name holding anyone
 * else's token, or one whose login is unknown, is not.
 */
export function tokenNameUse(
  stored: readonly StoredTokenFacts[],
  token: {name: string; provider: TokenProvider; apiUrl: string; login: string | null},
): TokenNameUse {
  const existing = stored.find((candidate) => candidate.name === token.name);
  if (!existing) return {kind: 'free'};
  const sameApi =
    existing.provider === token.provider &&
    existing.apiUrl.replace(/\/+$/, '').toLowerCase() ===
      token.apiUrl.replace(/\/+$/, '').toLowerCase();
  const sameLogin =
    existing.login !== null &&
    token.login !== null &&
    existing.login.toLowerCase() === token.login.toLowerCase();
  return sameApi && sameLogin ? {kind: 'same'} : {kind: 'taken', token: existing};
}

/** The environment variable that overrides tokens of this provider and host, if one is set. */
export function envOverride(
  env: NodeJS.ProcessEnv,
  provider: TokenProvider,
  apiUrl: string,
): {envVar: string; secret: string} | undefined {
  if (provider === 'registry' || apiUrl !== defaultApiUrls[provider]) return undefined;
  for (const envVar of tokenEnvVars[provider]) {
    const secret = env[envVar]?.trim();
    if (secret) return {envVar, secret};
  }
  return undefined;
}

/** Asks the provider who the secret belongs to and what it may do. Nothing is stored. */
export async function verifySecret(input: {
  provider: TokenProvider;
  apiUrl: string;
  secret: string;
  username?: string;
  timeoutMs?: number;
}): Promise<Verification> {
  const {provider, apiUrl, timeoutMs} = input;
  // Checked here too, the one door to every provider: the TUI wizard verifies before it stores.
  const secret = checkSecret(input.secret, provider === 'registry' ? 'password' : 'token');
  const base = {
    provider,
    apiUrl,
    expiresAt: null as string | null,
    fineGrained: false,
    notes: [] as string[],
  };
  switch (provider) {
    case 'github': {
      const {GithubClient} = await import('../clients/github.js');
      const client = new GithubClient({apiUrl, token: secret, timeoutMs});
      const user = await client.getAuthenticatedUser();
      const scopes = user.scopes ?? [];
      const verification: Verification = {
        ...base,
        host: client.host,
        login: user.login,
        scopes,
        expiresAt: user.expiresAt,
        missingScopes: [],
      };
      if (user.scopes === null) {
        verification.fineGrained = true;
        verification.notes.push(
          'This is a fine-grained token: GitHub does not report its permissions. It needs "Contents: read" (and "Metadata: read") on the repositories berth should read.',
        );
      } else if (!scopes.includes('repo')) {
        if (scopes.includes('public_repo')) {
          verification.notes.push(
            'Scope "public_repo" reads public repositories only; add "repo" for private ones.',
          );
        } else {
          verification.missingScopes.push('repo');
        }
      }
      addExpiryNote(verification);
      return verification;
    }
    case 'gitlab': {
      const {GitlabClient} = await import('../clients/gitlab.js');
      const client = new GitlabClient({apiUrl, token: secret, timeoutMs});
      const info = await client.getTokenInfo();
      if (!info.active)
        throw new AuthError(`The token was refused by ${client.host}: it is revoked or expired.`);
      const user = await client.getCurrentUser();
      const verification: Verification = {
        ...base,
        host: client.host,
        login: user?.login ?? null,
        scopes: info.scopes,
        expiresAt: info.expiresAt,
        missingScopes: [],
      };
      const has = (scope: string) => info.scopes.includes(scope);
      // Repository files and archives are read through the API: `read_api` or `api`.
      if (!has('api') && !has('read_api')) verification.missingScopes.push('read_api');
      if (!user)
        verification.notes.push(
          'The token cannot read the user profile (needs "read_user", "read_api" or "api"); its login is unknown.',
        );
      addExpiryNote(verification);
      return verification;
    }
    case 'registry': {
      if (!input.username)
        throw new FieldError('username', (f) => `A registry token needs ${f('username')}.`);
      const {checkRegistryLogin} = await import('../clients/registry-auth.js');
      const check = await checkRegistryLogin({
        host: apiUrl,
        username: input.username,
        password: secret,
        timeoutMs,
      });
      const verification: Verification = {
        ...base,
        host: apiUrl,
        login: input.username,
        scopes: [],
        missingScopes: [],
      };
      if (!check.authenticated) {
        verification.notes.push(
          `${apiUrl} uses token authentication: the credentials are checked at the first push.`,
        );
      }
      return verification;
    }
  }
}

/** An expiry worth a warning: the token expired, or has fewer than 7 days left. */
export type ExpiryWarning = {expired: boolean; daysLeft: number; date: string};

/** The one rule for warning about a token's expiry (verification notes, home's token line). */
export function expiryWarning(
  expiresAt: string | null | undefined,
  now = Date.now(),
): ExpiryWarning | undefined {
  if (!expiresAt) return undefined;
  const days = (Date.parse(expiresAt) - now) / 86_400_000;
  if (Number.isNaN(days) || days >= daysBeforeExpiryWarning) return undefined;
  return {expired: days < 0, daysLeft: Math.ceil(days), date: expiresAt.slice(0, 10)};
}

function addExpiryNote(verification: Verification): void {
  const warning = expiryWarning(verification.expiresAt);
  if (warning) {
    verification.notes.push(
      `The token expires on ${warning.date}, in less than ${daysBeforeExpiryWarning} days.`,
    );
  }
}

export type AddTokenInput = {
  provider: TokenProvider;
  name?: string;
  apiUrl?: string;
  username?: string;
  insecureStorage?: boolean;
  /** Replace the secret of an existing token of the same name (rotation). */
  replace?: boolean;
  /**
   * Replace it only if it is the same login's token for the same API (tokenNameUse): setup
   * run again stores over what it stored, never over another account's token.
   */
  replaceSameLogin?: boolean;
  /** Reads the secret; called after the cheap checks (name, keychain), before verification. */
  readSecret(): Promise<string>;
  timeoutMs?: number;
};

export type AddTokenResult = {
  token: TokenMetadata;
  verification: Verification;
  backend: string;
  replaced: boolean;
};

export function insecureStorageWarning(deps: Deps): FieldText {
  return (f) =>
    `${f('insecureStorage')}: the token will be stored in plain text in ${deps.tokenStore.credentialsFile} (mode 0600). Anyone who can read your files can use it.`;
}

/** Verifies a new token with its provider, then stores it (keychain, or the 0600 file). */
export async function addToken(
  deps: Deps,
  input: AddTokenInput,
  hooks: TokenHooks = {},
): Promise<AddTokenResult> {
  const {provider} = input;
  const apiUrl = normalizeApiUrl(provider, input.apiUrl);
  if (provider === 'registry' && !input.name)
    throw new FieldError('name', (f) => `A registry token needs ${f('name')}.`);
  if (provider === 'registry' && !input.username)
    throw new FieldError('username', (f) => `A registry token needs ${f('username')}.`);
  const name = validateName('token', input.name ?? defaultTokenName(provider, apiUrl));
  const store = deps.tokenStore;
  const existing = store.get(name);
  if (existing && !input.replace && !input.replaceSameLogin) {
    throw new FieldError(
      'name',
      `A token named "${name}" exists (${existing.provider}, ${existing.apiUrl}).`,
      {
        hint: (f, act) =>
          `Use ${f('replace')} to rotate its secret, or ${f('name')} to add another one. Or delete it: ${act({kind: 'token.remove', name})}.`,
        exitCode: ExitCode.failure,
      },
    );
  }
  if (existing && existing.provider !== provider) {
    throw new UsageError(`Token "${name}" is a ${existing.provider} token, not ${provider}.`);
  }
  const storage: TokenStorage = input.insecureStorage ? 'file' : 'keychain';
  // Fail on an unreachable keychain before the user types the token or we call the provider.
  if (storage === 'keychain') await deps.keychain.get(name);

  const secret = checkSecret(
    await input.readSecret(),
    provider === 'registry' ? 'password' : 'token',
    provider === 'registry' ? 'The password' : 'The token',
  );

  const verification = await verifySecret({
    provider,
    apiUrl,
    secret,
    username: input.username,
    timeoutMs: input.timeoutMs,
  });
  hooks.onVerified?.(verification);
  if (existing && !input.replace) {
    const use = tokenNameUse([existing], {name, provider, apiUrl, login: verification.login});
    if (use.kind !== 'same') throw nameHeldByAnother(existing, verification.login);
  }

  if (storage === 'file') {
    hooks.onWarning?.(insecureStorageWarning(deps));
    await store.writeFileSecret(name, secret);
  } else {
    await deps.keychain.set(name, secret);
  }
  const now = new Date().toISOString();
  const token: TokenMetadata = {
    name,
    provider,
    apiUrl,
    login: verification.login,
    scopes: verification.scopes,
    fineGrained: verification.fineGrained,
    expiresAt: verification.expiresAt,
    storage,
    createdAt: existing?.createdAt ?? now,
    lastVerifiedAt: now,
  };
  try {
    await store.update((tokens) => {
      const index = tokens.findIndex((candidate) => candidate.name === name);
      if (index >= 0) tokens[index] = token;
      else tokens.push(token);
    });
  } catch (error) {
    if (!existing) await forgetSecret(deps, name, storage).catch(() => undefined);
    throw error;
  }
  // A rotation that moved the secret: the old copy must not stay behind.
  if (existing && existing.storage !== storage) await forgetSecret(deps, name, existing.storage);
  return {
    token,
    verification,
    backend: storage === 'file' ? store.credentialsFile : deps.keychain.backend,
    replaced: Boolean(existing),
  };
}

function nameHeldByAnother(existing: StoredTokenFacts, login: string | null): FieldError {
  return new FieldError(
    'name',
    `Token "${existing.name}" is stored for ${existing.login ? `login ${existing.login}` : 'an unknown login'} at ${existing.apiUrl}${login ? `, not for ${login}` : ''}: berth does not overwrite another account's token.`,
    {hint: (f) => `Choose another ${f('name')}.`, exitCode: ExitCode.failure},
  );
}

/** A new secret for an existing token, verified before it replaces the old one. */
export async function rotateToken(
  deps: Deps,
  input: {name: string; readSecret(): Promise<string>; timeoutMs?: number},
  hooks: TokenHooks = {},
): Promise<AddTokenResult> {
  const existing = getTokenMetadata(deps, input.name);
  return addToken(
    deps,
    {
      provider: existing.provider,
      name: existing.name,
      apiUrl: existing.apiUrl,
      username: existing.provider === 'registry' ? (existing.login ?? undefined) : undefined,
      insecureStorage: existing.storage === 'file',
      replace: true,
      readSecret: input.readSecret,
      timeoutMs: input.timeoutMs,
    },
    hooks,
  );
}

/** The stored metadata of a token (never its secret). */
export function getTokenMetadata(deps: Deps, name: string): TokenMetadata {
  const token = deps.tokenStore.get(name);
  if (!token) {
    throw new UserError(`No token named "${name}".`, {
      hint: (_f, act) =>
        `See the tokens: ${act({kind: 'token.list'})}. Or add it: ${act({kind: 'token.add', name})}.`,
    });
  }
  return token;
}

/** Stored tokens plus tokens that only come from the environment, in list order. */
function effectiveTokens(
  deps: Deps,
): Array<{metadata: TokenMetadata; stored: boolean; env?: {envVar: string; secret: string}}> {
  const stored = deps.tokenStore.list().map((metadata) => ({
    metadata,
    stored: true,
    env: envOverride(deps.env, metadata.provider, metadata.apiUrl),
  }));
  const synthetic: typeof stored = [];
  for (const provider of ['github', 'gitlab'] as const) {
    const apiUrl = defaultApiUrls[provider];
    const env = envOverride(deps.env, provider, apiUrl);
    if (!env || stored.some((entry) => entry.env && entry.metadata.provider === provider)) continue;
    const taken = new Set(stored.map((entry) => entry.metadata.name));
    const name = taken.has(provider) ? `${provider}-env` : provider;
    synthetic.push({
      stored: false,
      env,
      metadata: {
        name,
        provider,
        apiUrl,
        login: null,
        scopes: [],
        fineGrained: false,
        expiresAt: null,
        storage: 'keychain',
        createdAt: new Date().toISOString(),
        lastVerifiedAt: null,
      },
    });
  }
  return [...stored, ...synthetic];
}

/** Every token with its masked secret. A keychain that cannot be read leaves `masked` null. */
export async function listTokens(deps: Deps, hooks: TokenHooks = {}): Promise<TokenListEntry[]> {
  const entries = effectiveTokens(deps);
  const fromKeychain = entries
    .filter((entry) => !entry.env && entry.metadata.storage === 'keychain')
    .map((entry) => entry.metadata.name);
  let secrets = new Map<string, string | undefined>();
  if (fromKeychain.length > 0) {
    try {
      secrets = await deps.keychain.getMany(fromKeychain);
    } catch (error) {
      hooks.onWarning?.(
        `Can't read the OS keychain, so the tokens stored there are shown without their masked value (${(error as Error).message}).`,
      );
    }
  }
  return entries.map(({metadata, stored, env}) => {
    let secret: string | undefined;
    if (env) secret = env.secret;
    else if (metadata.storage === 'file') secret = deps.tokenStore.readFileSecret(metadata.name);
    else secret = secrets.get(metadata.name);
    return {
      name: metadata.name,
      provider: metadata.provider,
      apiUrl: metadata.apiUrl,
      login: env && stored ? null : metadata.login,
      scopes: env && stored ? [] : metadata.scopes,
      storage: env ? 'env' : metadata.storage,
      masked: secret === undefined ? null : maskSecret(secret),
      expiresAt: env ? null : metadata.expiresAt,
      lastVerifiedAt: env ? null : metadata.lastVerifiedAt,
      fineGrained: env ? false : metadata.fineGrained,
      envVar: env?.envVar ?? null,
      storedIn: env && stored ? metadata.storage : null,
    };
  });
}

/** A token as overviews show it (TUI home): metadata only, no secret read, no keychain call. */
export type TokenStatus = Pick<
  TokenListEntry,
  'name' | 'provider' | 'apiUrl' | 'login' | 'storage' | 'expiresAt' | 'envVar'
> & {expiry: ExpiryWarning | null};

/** Every token like `listTokens`, without reading a secret: quick enough for a first screen. */
export function listTokenStatus(deps: Deps): TokenStatus[] {
  return effectiveTokens(deps).map(({metadata, stored, env}) => ({
    name: metadata.name,
    provider: metadata.provider,
    apiUrl: metadata.apiUrl,
    login: env && stored ? null : metadata.login,
    storage: env ? 'env' : metadata.storage,
    expiresAt: env ? null : metadata.expiresAt,
    envVar: env?.envVar ?? null,
    expiry: (env ? undefined : expiryWarning(metadata.expiresAt)) ?? null,
  }));
}

/** The secret to use for a token: the environment's if it overrides the stored one. */
export async function resolveToken(deps: Deps, name: string): Promise<ResolvedToken> {
  const entry = effectiveTokens(deps).find((candidate) => candidate.metadata.name === name);
  if (!entry) getTokenMetadata(deps, name);
  const {metadata, env} = entry!;
  const base = {name, provider: metadata.provider, apiUrl: metadata.apiUrl};
  const kind = metadata.provider === 'registry' ? 'password' : 'token';
  if (env)
    return {
      ...base,
      login: null,
      secret: checkSecret(env.secret, kind, env.envVar),
      storage: 'env',
    };
  let secret: string | undefined;
  if (metadata.storage === 'file') secret = deps.tokenStore.readFileSecret(name);
  else secret = await deps.keychain.get(name);
  if (secret === undefined) {
    throw new AuthError(
      `The secret of token "${name}" is missing from the ${metadata.storage === 'file' ? 'credentials file' : 'OS keychain'}.`,
      {
        hint: (_f, act) =>
          `Add it again: ${act({kind: 'token.add', provider: metadata.provider, name, replace: true})}.`,
      },
    );
  }
  return {
    ...base,
    login: metadata.login,
    secret: checkSecret(secret, kind, `The stored secret of token "${name}"`),
    storage: metadata.storage,
  };
}

export type VerifyTokenResult = {
  name: string;
  storage: EffectiveStorage;
  verification: Verification;
  token: TokenMetadata | undefined;
};

/** Re-verifies a token with its provider and records what it said. */
export async function verifyToken(
  deps: Deps,
  name: string,
  options: {timeoutMs?: number} = {},
): Promise<VerifyTokenResult> {
  const resolved = await resolveToken(deps, name);
  const stored = deps.tokenStore.get(name);
  const verification = await verifySecret({
    provider: resolved.provider,
    apiUrl: resolved.apiUrl,
    secret: resolved.secret,
    username: resolved.provider === 'registry' ? (stored?.login ?? undefined) : undefined,
    timeoutMs: options.timeoutMs,
  });
  // What the provider said about an environment token says nothing about the stored one.
  if (!stored || resolved.storage === 'env')
    return {name, storage: resolved.storage, verification, token: stored};
  const token = await deps.tokenStore.update((tokens) => {
    const current = tokens.find((candidate) => candidate.name === name);
    if (!current) return undefined;
    current.login = verification.login;
    current.scopes = verification.scopes;
    current.fineGrained = verification.fineGrained;
    current.expiresAt = verification.expiresAt;
    current.lastVerifiedAt = new Date().toISOString();
    return {...current};
  });
  return {name, storage: resolved.storage, verification, token};
}

/** Code repositories (in every profile's store) that use the token: `profile/repository`. */
export async function repositoriesUsingToken(
  deps: Deps,
  name: string,
  hooks: TokenHooks = {},
): Promise<string[]> {
  const users: string[] = [];
  for (const profile of deps.globalConfig.read().profiles) {
    try {
      for (const repository of await repositoriesUsingTokenIn(deps, profile, name))
        users.push(`${profile.name}/${repository}`);
    } catch (error) {
      hooks.onWarning?.(
        `Can't check the code repositories of profile "${profile.name}": ${(error as Error).message}`,
      );
    }
  }
  return users;
}

export type RemoveTokenResult = {name: string; usedBy: string[]; secretDeleted: boolean};

/** Deletes the secret and the metadata; refuses while code repositories use the token. */
export async function removeToken(
  deps: Deps,
  input: {name: string; force?: boolean},
  hooks: TokenHooks = {},
): Promise<RemoveTokenResult> {
  const {name} = input;
  const token = deps.tokenStore.get(name);
  if (!token) {
    const fromEnv = effectiveTokens(deps).find(
      (entry) => entry.metadata.name === name && entry.env,
    );
    if (fromEnv) {
      throw new UserError(
        `Token "${name}" comes from the environment variable ${fromEnv.env!.envVar}; berth has nothing stored to remove.`,
        {
          hint: `Unset ${fromEnv.env!.envVar}.`,
        },
      );
    }
    getTokenMetadata(deps, name);
  }
  // Under the token list's lock, which registering a repository with this token holds while it
  // checks the token and writes the repository: no repository starts using it in between.
  return deps.tokenStore.lock(() => removeTokenLocked(deps, name, input.force, hooks));
}

/** Runs `work` (which records a use of token `name`) while the token can't be removed. */
export async function whileTokenKept<R>(
  deps: Deps,
  name: string | null,
  work: () => Promise<R>,
): Promise<R> {
  if (name === null) return work();
  return deps.tokenStore.lock(async () => {
    if (!effectiveTokens(deps).some((entry) => entry.metadata.name === name)) {
      throw new FieldError('token', `Token "${name}" was removed meanwhile; nothing was saved.`, {
        hint: (f, act) =>
          `Choose another ${f('token')}, or add it again: ${act({kind: 'token.add', name})}.`,
        exitCode: ExitCode.failure,
      });
    }
    return work();
  });
}

async function removeTokenLocked(
  deps: Deps,
  name: string,
  force: boolean | undefined,
  hooks: TokenHooks,
): Promise<RemoveTokenResult> {
  // Read again under the lock: a `token remove` running alongside may have removed it.
  const token = deps.tokenStore.get(name) ?? getTokenMetadata(deps, name);
  const usedBy = await repositoriesUsingToken(deps, name, hooks);
  if (usedBy.length > 0 && !force) {
    throw new FieldError(
      'force',
      `Token "${name}" is used by ${usedBy.length === 1 ? 'a code repository' : `${usedBy.length} code repositories`}: ${usedBy.join(', ')}.`,
      {
        hint: (f, act) =>
          `Point those repositories at another token (${act({kind: 'repo.update', token: true})}), or remove it anyway (${f('force')}).`,
        exitCode: ExitCode.failure,
      },
    );
  }
  const secretDeleted = await forgetSecret(deps, name, token.storage);
  await deps.tokenStore.update((tokens) => {
    const index = tokens.findIndex((candidate) => candidate.name === name);
    if (index >= 0) tokens.splice(index, 1);
  });
  return {name, usedBy, secretDeleted};
}

async function forgetSecret(deps: Deps, name: string, storage: TokenStorage): Promise<boolean> {
  return storage === 'file' ? deps.tokenStore.deleteFileSecret(name) : deps.keychain.delete(name);
}
