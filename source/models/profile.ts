// Profiles and the two config files. Validated by hand rather than with zod: these are read
// on every command, and zod alone costs more start-up time than the whole command budget.

export const storeTypes = ['local', 'postgres'] as const;
export type StoreType = (typeof storeTypes)[number];

export type Profile = {
  name: string;
  storeType: StoreType;
  /** `sqlite:` path for local stores, a postgres:// URL for team stores. */
  storeUrl: string;
  activeStack: string;
  previousStack: string | null;
  /** The token to use per forge host (`github.com: work`), chosen with `berth token use --global`. */
  tokens?: Record<string, string>;
  createdAt: string;
};

export type GlobalConfig = {
  version: 1;
  activeProfile?: string;
  previousProfile: string | null;
  profiles: Profile[];
};

/** `.berth/config.yaml`: the repository's own active profile and stack (hand-editable). */
export type RepositoryConfig = {
  active_profile?: string;
  active_stack?: string;
  previous_stack?: string;
  /** The token to use per forge host in this directory (`github.com: work`): `berth token use`. */
  tokens?: Record<string, string>;
};

/** Where a choice is written: this repository's `.berth/config.yaml`, or the global config. */
export type Source = 'local' | 'global';
/** Where the active profile or stack came from: a written choice, `BERTH_*`, or a flag. */
export type ContextSource = Source | 'env' | 'flag';

export type ParseResult<T> = {ok: true; value: T} | {ok: false; path: string; message: string};

const fail = (path: string, message: string) => ({ok: false, path, message}) as const;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';

export function parseGlobalConfig(raw: unknown): ParseResult<GlobalConfig> {
  if (!isObject(raw)) return fail('root', 'expected an object');
  if (!isOptionalString(raw.activeProfile)) return fail('activeProfile', 'expected a string');
  if (
    raw.previousProfile !== undefined &&
    raw.previousProfile !== null &&
    typeof raw.previousProfile !== 'string'
  ) {
    return fail('previousProfile', 'expected a string or null');
  }
  const profiles = raw.profiles ?? [];
  if (!Array.isArray(profiles)) return fail('profiles', 'expected a list');
  const parsed: Profile[] = [];
  for (const [index, entry] of profiles.entries()) {
    if (!isObject(entry)) return fail(`profiles.${index}`, 'expected an object');
    for (const key of ['name', 'storeUrl', 'activeStack'] as const) {
      if (typeof entry[key] !== 'string')
        return fail(`profiles.${index}.${key}`, 'expected a string');
    }
    if (!storeTypes.includes(entry.storeType as StoreType)) {
      return fail(`profiles.${index}.storeType`, `expected one of ${storeTypes.join(', ')}`);
    }
    const tokens = parseTokenChoices(entry.tokens);
    if (!tokens.ok) return fail(`profiles.${index}.tokens`, tokens.message);
    parsed.push({
      name: entry.name as string,
      storeType: entry.storeType as StoreType,
      storeUrl: entry.storeUrl as string,
      activeStack: entry.activeStack as string,
      previousStack: typeof entry.previousStack === 'string' ? entry.previousStack : null,
      ...(tokens.value ? {tokens: tokens.value} : {}),
      createdAt: typeof entry.createdAt === 'string' ? entry.createdAt : '',
    });
  }
  return {
    ok: true,
    value: {
      version: 1,
      activeProfile: raw.activeProfile as string | undefined,
      previousProfile: (raw.previousProfile as string | null | undefined) ?? null,
      profiles: parsed,
    },
  };
}

export function parseRepositoryConfig(raw: unknown): ParseResult<RepositoryConfig> {
  if (raw === null || raw === undefined) return {ok: true, value: {}};
  if (!isObject(raw)) return fail('root', 'expected `key: value` lines');
  const value: RepositoryConfig = {};
  for (const key of ['active_profile', 'active_stack', 'previous_stack'] as const) {
    const field = raw[key];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string' && typeof field !== 'number') return fail(key, 'expected a name');
    value[key] = String(field);
  }
  const tokens = parseTokenChoices(raw.tokens);
  if (!tokens.ok) return fail('tokens', tokens.message);
  if (tokens.value) value.tokens = tokens.value;
  return {ok: true, value};
}

/** `host: token-name` pairs; absent or empty is no choice. */
function parseTokenChoices(
  raw: unknown,
): {ok: true; value: Record<string, string> | undefined} | {ok: false; message: string} {
  if (raw === undefined || raw === null) return {ok: true, value: undefined};
  if (!isObject(raw)) return {ok: false, message: 'expected `host: token-name` lines'};
  const value: Record<string, string> = {};
  for (const [host, name] of Object.entries(raw)) {
    if (typeof name !== 'string' || name === '')
      return {ok: false, message: `expected a token name for ${host}`};
    value[host.toLowerCase()] = name;
  }
  return {ok: true, value: Object.keys(value).length > 0 ? value : undefined};
}
