// Token metadata as stored in $BERTH_CONFIG_DIR/tokens.json. The secret itself is never part
// of it: it lives in the OS keychain (or, with --insecure-storage, in credentials.json).
export const tokenProviders = ['github', 'gitlab', 'registry'] as const;
export type TokenProvider = (typeof tokenProviders)[number];

export const tokenStorages = ['keychain', 'file'] as const;
export type TokenStorage = (typeof tokenStorages)[number];
/** Where the secret in use comes from: an environment variable wins over what is stored. */
export type EffectiveStorage = TokenStorage | 'env';

export const defaultApiUrls = {
  github: 'https://api.github.com',
  gitlab: 'https://gitlab.com',
} as const;

/** Environment variables that override stored tokens of a provider's default host (as `gh`). */
export const tokenEnvVars: Record<'github' | 'gitlab', readonly string[]> = {
  github: ['GH_TOKEN', 'GITHUB_TOKEN'],
  gitlab: ['GITLAB_TOKEN'],
};

export type TokenMetadata = {
  name: string;
  provider: TokenProvider;
  /** API URL (GitHub), instance URL (GitLab) or HOST[:PORT] (registry). */
  apiUrl: string;
  /** The account the token belongs to; the username for registries. */
  login: string | null;
  scopes: string[];
  /** GitHub fine-grained tokens report no scopes: their permissions are not visible. */
  fineGrained: boolean;
  expiresAt: string | null;
  storage: TokenStorage;
  createdAt: string;
  lastVerifiedAt: string | null;
};

export type TokensFile = {version: 1; tokens: TokenMetadata[]};
export type CredentialsFile = {version: 1; secrets: Record<string, string>};

// Validated by hand, not with zod: deps.ts reaches this module on every command, and zod's
// load time would be paid by `berth stack list` too.
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringOrNull = (value: unknown) =>
  value === null || value === undefined || typeof value === 'string';

export function parseTokensFile(
  raw: unknown,
): {ok: true; value: TokensFile} | {ok: false; message: string} {
  if (!isObject(raw) || raw.version !== 1 || !Array.isArray(raw.tokens)) {
    return {ok: false, message: 'expected {"version": 1, "tokens": [...]}'};
  }
  const tokens: TokenMetadata[] = [];
  for (const [index, item] of raw.tokens.entries()) {
    const where = `tokens[${index}]`;
    if (!isObject(item)) return {ok: false, message: `${where} is not an object`};
    if (typeof item.name !== 'string' || item.name === '')
      return {ok: false, message: `${where}.name is missing`};
    if (!tokenProviders.includes(item.provider as TokenProvider))
      return {ok: false, message: `${where}.provider is invalid`};
    if (typeof item.apiUrl !== 'string') return {ok: false, message: `${where}.apiUrl is missing`};
    if (!tokenStorages.includes(item.storage as TokenStorage))
      return {ok: false, message: `${where}.storage is invalid`};
    if (
      !isStringOrNull(item.login) ||
      !isStringOrNull(item.expiresAt) ||
      !isStringOrNull(item.lastVerifiedAt)
    ) {
      return {ok: false, message: `${where} has a non-string login, expiresAt or lastVerifiedAt`};
    }
    const scopes = Array.isArray(item.scopes)
      ? item.scopes.filter((scope): scope is string => typeof scope === 'string')
      : [];
    tokens.push({
      name: item.name,
      provider: item.provider as TokenProvider,
      apiUrl: item.apiUrl,
      login: (item.login as string | null | undefined) ?? null,
      scopes,
      fineGrained: item.fineGrained === true,
      expiresAt: (item.expiresAt as string | null | undefined) ?? null,
      storage: item.storage as TokenStorage,
      createdAt: typeof item.createdAt === 'string' ? item.createdAt : new Date(0).toISOString(),
      lastVerifiedAt: (item.lastVerifiedAt as string | null | undefined) ?? null,
    });
  }
  return {ok: true, value: {version: 1, tokens}};
}

export function parseCredentialsFile(raw: unknown): CredentialsFile | undefined {
  if (!isObject(raw) || raw.version !== 1 || !isObject(raw.secrets)) return undefined;
  const secrets: Record<string, string> = {};
  for (const [name, secret] of Object.entries(raw.secrets)) {
    if (typeof secret !== 'string') return undefined;
    secrets[name] = secret;
  }
  return {version: 1, secrets};
}

/** What a provider said about a secret. */
export type Verification = {
  provider: TokenProvider;
  apiUrl: string;
  host: string;
  login: string | null;
  scopes: string[];
  fineGrained: boolean;
  expiresAt: string | null;
  /** Minimal scopes for reading repository contents that the token lacks. */
  missingScopes: string[];
  /** Things the user should know (public-only scope, fine-grained token, expiry soon). */
  notes: string[];
};

/** One row of `token list`. */
export type TokenListEntry = {
  name: string;
  provider: TokenProvider;
  apiUrl: string;
  login: string | null;
  scopes: string[];
  storage: EffectiveStorage;
  masked: string | null;
  expiresAt: string | null;
  lastVerifiedAt: string | null;
  fineGrained: boolean;
  /** Set when an environment variable overrides this entry: its name. */
  envVar: string | null;
  /** Where the stored secret is, when `storage` is `env` and a secret is stored too. */
  storedIn: TokenStorage | null;
};
