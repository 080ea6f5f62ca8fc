// Which account (token) a call to a forge uses, chosen by the directory: several tokens for one
// host side by side (work and personal), and a choice per host written where stacks are
// written: this repository's `.berth/config.yaml` first, then the active profile, then the
// token the code repository was registered with. Nothing global to switch, so two shells in
// two directories never race. An environment token (GH_TOKEN, GITLAB_TOKEN) wins, as in gh.
import path from 'node:path';
import type {Deps} from '../deps.js';
import {UsageError, UserError} from '../lib/errors.js';
import {forgeHost} from '../lib/git-url.js';
import type {Source} from '../models/profile.js';
import {defaultApiUrls, type TokenMetadata, type TokenProvider} from '../models/token.js';
import {TokenDirectories} from '../store/token-directories.js';
import {repositoryConfigFile, updateRepositoryConfig} from '../store/repository-config.js';
import {resolveContext, type ActiveContext} from './context.js';
import {envOverride, getTokenMetadata, resolveToken} from './tokens.js';

/**
 * Where the token came from: `flag` (this command's --token), `local` (.berth/config.yaml),
 * `global` (the active profile), `repository` (the code repository's registered token), `env`.
 */
export type AccountSource = 'flag' | 'local' | 'global' | 'repository' | 'env';

export type ForgeAccount = {
  /** The token's name; null for a token that exists only in the environment. */
  token: string | null;
  provider: 'github' | 'gitlab';
  host: string;
  /** The login the token belongs to, as last verified; null when unknown. */
  login: string | null;
  source: AccountSource;
  /** The environment variable the secret comes from, when one overrides. */
  envVar: string | null;
};

/** What a forge call is for: a code repository's provider, API and registered token. */
export type ForgeTarget = {type: string; apiUrl: string | null; token: string | null};

const providerNames = {github: 'GitHub', gitlab: 'GitLab'} as const;

/** `Using GitHub account 'octo-work' (local)`: the line commands print before a forge call. */
export function describeAccount(account: ForgeAccount): string {
  const provider = providerNames[account.provider];
  if (account.login) return `Using ${provider} account '${account.login}' (${account.source})`;
  if (account.envVar) return `Using ${provider} token from ${account.envVar} (env)`;
  return `Using ${provider} token '${account.token}' (${account.source})`;
}

/** `octo-work (token work, local)`: the account in a status line. */
export function accountText(account: ForgeAccount): string {
  const who = account.login ?? (account.envVar ? `from ${account.envVar}` : '(login unknown)');
  return `${who} (${account.token ? `token ${account.token}, ` : ''}${account.source})`;
}

/** The token chosen for a forge host here, and where the choice was written. */
export function chosenToken(
  context: ActiveContext,
  host: string,
): {token: string; source: 'local' | 'global'} | undefined {
  const local = context.repositoryConfig.tokens?.[host];
  if (local) return {token: local, source: 'local'};
  const global = context.profile.tokens?.[host];
  if (global) return {token: global, source: 'global'};
  return undefined;
}

function isForge(type: string): type is 'github' | 'gitlab' {
  return type === 'github' || type === 'gitlab';
}

/**
 * The account a call for `target` uses here, without reading a secret (detection and prompts
 * call this; it touches no network and no keychain). Undefined: the call goes without a token.
 */
export function chooseAccount(
  deps: Deps,
  context: ActiveContext | undefined,
  target: ForgeTarget,
  explicitToken?: string,
): ForgeAccount | undefined {
  if (!isForge(target.type) || !target.apiUrl) return undefined;
  const provider = target.type;
  const host = forgeHost(target.apiUrl);
  const chosen: {token: string; source: AccountSource} | undefined = explicitToken
    ? {token: explicitToken, source: 'flag'}
    : ((context && chosenToken(context, host)) ??
      (target.token ? {token: target.token, source: 'repository'} : undefined));
  const apiUrl = target.apiUrl.replace(/\/+$/, '');
  if (!chosen) {
    // Nothing chosen: an environment token for the provider's public host still applies.
    const env = envOverride(deps.env, provider, apiUrl);
    return env
      ? {token: null, provider, host, login: null, source: 'env', envVar: env.envVar}
      : undefined;
  }
  const metadata = deps.tokenStore.get(chosen.token);
  const env = metadata ? envOverride(deps.env, metadata.provider, metadata.apiUrl) : undefined;
  if (env)
    return {token: chosen.token, provider, host, login: null, source: 'env', envVar: env.envVar};
  return {
    token: chosen.token,
    provider,
    host,
    login: metadata?.login ?? null,
    source: chosen.source,
    envVar: null,
  };
}

/** Where a choice was written, for messages about a token that is gone or does not fit. */
function choiceOrigin(context: ActiveContext | undefined, account: ForgeAccount): string {
  switch (account.source) {
    case 'local':
      return ` (chosen for ${account.host} in ${repositoryConfigFile(context?.repositoryRoot ?? '')})`;
    case 'global':
      return ` (chosen for ${account.host} in profile '${context?.profile.name}')`;
    default:
      return '';
  }
}

/**
 * The secret for a forge call and the account it belongs to. A token is sent only to the
 * provider and API it was added for: a mistyped API URL or a token chosen for another
 * provider must not receive it. Without a context (a first run: no profile, so no choices yet)
 * the explicit or registered token applies, else the environment's.
 */
export async function forgeCredentials(
  deps: Deps,
  context: ActiveContext | undefined,
  target: ForgeTarget,
  explicitToken?: string,
): Promise<{secret: string; account: ForgeAccount | undefined}> {
  const account = chooseAccount(deps, context, target, explicitToken);
  if (!account) return {secret: '', account};
  if (account.token === null) {
    const env = envOverride(deps.env, account.provider, defaultApiUrls[account.provider]);
    return {secret: env?.secret ?? '', account};
  }
  const origin = choiceOrigin(context, account);
  if (!deps.tokenStore.get(account.token) && account.source !== 'env') {
    throw new UserError(`No token named "${account.token}"${origin}.`, {
      hint: (_f, act) =>
        account.source === 'local' || account.source === 'global'
          ? `Add it: ${act({kind: 'token.add', provider: account.provider, name: account.token!})}. Or choose another: ${act({kind: 'token.use', global: account.source === 'global'})}.`
          : `See the tokens: ${act({kind: 'token.list'})}.`,
    });
  }
  const resolved = await resolveToken(deps, account.token);
  if (resolved.provider !== (target.type as TokenProvider)) {
    throw new UsageError(
      `Token "${account.token}"${origin} is a ${resolved.provider} token; this is a ${target.type} repository.`,
      {hint: (_f, act) => `Pick a ${target.type} token: ${act({kind: 'token.list'})}.`},
    );
  }
  if (resolved.apiUrl.replace(/\/+$/, '') !== (target.apiUrl ?? '').replace(/\/+$/, '')) {
    throw new UsageError(
      `Token "${account.token}"${origin} is for ${resolved.apiUrl}, not ${target.apiUrl}.`,
      {
        hint: (_f, act) =>
          `Fix the API URL, or add a token for ${target.apiUrl}: ${act({kind: 'token.add', provider: target.type, ...(target.apiUrl ? {apiUrl: target.apiUrl} : {})})}.`,
      },
    );
  }
  return {secret: resolved.secret, account};
}

// Choosing -------------------------------------------------------------------------------------

export type UseTokenResult = {
  token: string;
  host: string;
  scope: Source;
  /** The file written (local) or the profile changed (global). */
  where: string;
  context: ActiveContext;
};

function forgeToken(deps: Deps, name: string): TokenMetadata {
  const metadata = getTokenMetadata(deps, name);
  if (metadata.provider === 'registry') {
    throw new UsageError(
      `Token "${name}" is a registry token; only GitHub and GitLab tokens are chosen per host.`,
    );
  }
  return metadata;
}

/** Chooses a token for its host: in this repository, or (global, or outside one) the profile. */
export async function useToken(
  deps: Deps,
  input: {name: string; global?: boolean},
): Promise<UseTokenResult> {
  const metadata = forgeToken(deps, input.name);
  const host = forgeHost(metadata.apiUrl);
  return writeChoice(deps, host, metadata.name, input.global);
}

/** Forgets the choice for a host (here, or in the profile). */
export async function unuseToken(
  deps: Deps,
  input: {host: string; global?: boolean},
): Promise<UseTokenResult & {previous: string | null}> {
  const host = input.host.trim().toLowerCase();
  const context = await resolveContext(deps);
  const scope: Source = context.repositoryRoot && !input.global ? 'local' : 'global';
  const previous =
    (scope === 'local'
      ? context.repositoryConfig.tokens?.[host]
      : context.profile.tokens?.[host]) ?? null;
  if (!previous) {
    throw new UserError(
      `No token is chosen for ${host} ${scope === 'local' ? `in ${context.repositoryRoot}` : `in profile '${context.profile.name}'`}.`,
      {hint: (_f, act) => `See which tokens are chosen where: ${act({kind: 'token.status'})}.`},
    );
  }
  const result = await writeChoice(deps, host, null, input.global, context);
  return {...result, previous};
}

async function writeChoice(
  deps: Deps,
  host: string,
  token: string | null,
  global: boolean | undefined,
  known?: ActiveContext,
): Promise<UseTokenResult> {
  const context = known ?? (await resolveContext(deps));
  const root = context.repositoryRoot;
  const set = (tokens: Record<string, string> | undefined) => {
    const next = {...tokens};
    if (token === null) delete next[host];
    else next[host] = token;
    return Object.keys(next).length > 0 ? next : undefined;
  };
  if (root && !global) {
    await updateRepositoryConfig(root, (config) => {
      config.tokens = set(config.tokens);
    });
    if (token !== null) await new TokenDirectories(deps.configDir).add(root);
    return {token: token ?? '', host, scope: 'local', where: repositoryConfigFile(root), context};
  }
  await deps.globalConfig.update((config) => {
    const profile = config.profiles.find((p) => p.name === context.profile.name);
    if (!profile) throw new UserError(`Profile '${context.profile.name}' was deleted meanwhile.`);
    const next = set(profile.tokens);
    if (next) profile.tokens = next;
    else delete profile.tokens;
  });
  return {
    token: token ?? '',
    host,
    scope: 'global',
    where: `profile '${context.profile.name}'`,
    context,
  };
}

/** Directories whose `.berth/config.yaml` chose tokens (recorded by `token use`), that still exist. */
export function knownTokenDirectories(deps: Deps, context?: ActiveContext): string[] {
  const directories = new Set(new TokenDirectories(deps.configDir).list());
  if (context?.repositoryRoot) directories.add(context.repositoryRoot);
  return [...directories].map((directory) => path.resolve(directory)).sort();
}
