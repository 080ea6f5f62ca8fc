// `berth token status`: every token checked with its provider now (as `gh auth status`), with
// where it is stored and who uses it: profiles and directories that chose it for their host,
// and code repositories registered with it.
import type {Deps} from '../deps.js';
import {AuthError, errorMessage} from '../lib/errors.js';
import {forgeHost} from '../lib/git-url.js';
import type {TokenListEntry} from '../models/token.js';
import {readRepositoryConfig} from '../store/repository-config.js';
import {knownTokenDirectories} from './accounts.js';
import {resolveContext, type ActiveContext} from './context.js';
import {
  expiryWarning,
  listTokens,
  repositoriesUsingToken,
  verifyToken,
  type TokenHooks,
} from './tokens.js';

export type TokenState = 'valid' | 'invalid' | 'unverified';

export type TokenStatusEntry = Omit<TokenListEntry, 'storedIn'> & {
  /** The forge or registry host the token is for. */
  host: string;
  state: TokenState;
  /** Why the token is invalid or could not be checked. */
  error: string | null;
  /** File storage, expiry within 7 days, missing scopes, an environment override. */
  warnings: string[];
  usedBy: {
    /** Profiles that chose it for its host (`berth token use --global`). */
    profiles: string[];
    /** Berth repositories whose `.berth/config.yaml` chose it (`berth token use`). */
    directories: string[];
    /** Code repositories registered with it, as `profile/repository`. */
    repositories: string[];
  };
};

export async function tokenStatus(
  deps: Deps,
  options: {timeoutMs?: number} & TokenHooks = {},
): Promise<{tokens: TokenStatusEntry[]; context: ActiveContext}> {
  const context = await resolveContext(deps);
  const tokens = await listTokens(deps, options);
  const choices = await directoryChoices(deps, context, options);
  const profiles = deps.globalConfig.read().profiles;
  const entries = await Promise.all(
    tokens.map(async (token): Promise<TokenStatusEntry> => {
      const {storedIn, ...listed} = token;
      const entry: TokenStatusEntry = {
        ...listed,
        host: token.provider === 'registry' ? token.apiUrl : forgeHost(token.apiUrl),
        state: 'unverified',
        error: null,
        warnings: [],
        usedBy: {
          profiles: profiles
            .filter((profile) => Object.values(profile.tokens ?? {}).includes(token.name))
            .map((profile) => profile.name),
          directories: choices
            .filter((choice) => Object.values(choice.tokens).includes(token.name))
            .map((choice) => choice.directory),
          repositories: await repositoriesUsingToken(deps, token.name, options),
        },
      };
      try {
        const {verification} = await verifyToken(deps, token.name, {timeoutMs: options.timeoutMs});
        entry.state = 'valid';
        entry.login = verification.login;
        entry.scopes = verification.scopes;
        entry.fineGrained = verification.fineGrained;
        entry.expiresAt = verification.expiresAt ?? entry.expiresAt;
        if (verification.missingScopes.length > 0)
          entry.warnings.push(
            `lacks the scope${verification.missingScopes.length > 1 ? 's' : ''} ${verification.missingScopes.join(', ')}`,
          );
      } catch (error) {
        entry.state = error instanceof AuthError ? 'invalid' : 'unverified';
        entry.error = errorMessage(error);
      }
      if (token.storage === 'file')
        entry.warnings.push(`stored in plain text in ${deps.tokenStore.credentialsFile}`);
      if (storedIn)
        entry.warnings.push(`${token.envVar} overrides the secret stored in the ${storedIn}`);
      const expiry = expiryText(entry.expiresAt);
      if (expiry) entry.warnings.push(expiry);
      return entry;
    }),
  );
  return {tokens: entries, context};
}

/** The expiry warning's words here; when to warn is tokens.ts's one rule (expiryWarning). */
function expiryText(expiresAt: string | null): string | undefined {
  const now = Date.now();
  const warning = expiryWarning(expiresAt, now);
  if (!warning) return undefined;
  if (warning.expired) return `expired on ${warning.date}`;
  const whole = Math.floor((Date.parse(expiresAt!) - now) / 86_400_000);
  return `expires on ${warning.date}, in ${whole < 1 ? 'less than a day' : `${whole} day${whole === 1 ? '' : 's'}`}`;
}

/** The token choices of the directories known to have made one (and of this repository). */
async function directoryChoices(
  deps: Deps,
  context: ActiveContext,
  hooks: TokenHooks,
): Promise<Array<{directory: string; tokens: Record<string, string>}>> {
  const choices: Array<{directory: string; tokens: Record<string, string>}> = [];
  for (const directory of knownTokenDirectories(deps, context)) {
    try {
      const config = await readRepositoryConfig(directory);
      if (config.tokens) choices.push({directory, tokens: config.tokens});
    } catch (error) {
      hooks.onWarning?.(`Can't read the token choices of ${directory}: ${errorMessage(error)}`);
    }
  }
  return choices;
}
