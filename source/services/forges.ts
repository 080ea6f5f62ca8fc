// GitHub and GitLab: which one a host is, where its API answers, how a repository's path splits
// into the fields a registration takes. The CLI, the setup wizard and the repositories screen
// all ask here, so they can't disagree.
import {FieldError} from '../lib/errors.js';
import {normalizeHost} from '../lib/git-url.js';
import {defaultApiUrls} from '../models/token.js';

export type Forge = 'github' | 'gitlab';

/** The public service of each forge; neither hosts the other. */
export const publicHosts: Record<Forge, string> = {github: 'github.com', gitlab: 'gitlab.com'};

/** A host with "gitlab" in its name is GitLab; any other is taken for GitHub (or Enterprise). */
export function forgeForHost(host: string): Forge {
  return /gitlab/i.test(host) ? 'gitlab' : 'github';
}

/**
 * The API a repository host serves: api.github.com for github.com, GitHub Enterprise's
 * `/api/v3` elsewhere, the instance itself for GitLab. `base` (`scheme://host[:port]` of an
 * http(s) remote) keeps a self-hosted forge's scheme and port; without it the API is https on
 * the default port (an ssh remote's port is not the API's). The other forge's public host is
 * never this forge's API.
 */
export function defaultApiUrl(
  forge: Forge,
  location: {host?: string | null; base?: string | null} = {},
): string {
  const other = forge === 'github' ? publicHosts.gitlab : publicHosts.github;
  const host = location.host ? normalizeHost(location.host) : undefined;
  if (!host || host === other) return defaultApiUrls[forge];
  const base = location.base ?? `https://${host}`;
  if (forge === 'github')
    return host === publicHosts.github ? defaultApiUrls.github : `${base}/api/v3`;
  return host === publicHosts.gitlab ? defaultApiUrls.gitlab : base;
}

/**
 * What a token for this forge needs, and the page where one is made (the web host of `apiUrl`):
 * what the setup wizard says before asking for one. The scopes are the ones verification checks.
 */
export function tokenAdvice(forge: Forge, apiUrl: string): {scopes: string; createUrl: string} {
  let web: URL;
  try {
    web = new URL(apiUrl);
  } catch {
    web = new URL(defaultApiUrls[forge]);
  }
  if (forge === 'github') {
    const origin =
      web.host === 'api.github.com' ? 'https://github.com' : `${web.protocol}//${web.host}`;
    return {
      scopes: '"repo" (a classic token), or a fine-grained one with Contents: read',
      createUrl: `${origin}/settings/tokens/new?scopes=repo&description=berth`,
    };
  }
  return {
    scopes: '"read_api" (and "read_user" for the login)',
    createUrl: `${web.protocol}//${web.host}/-/user_settings/personal_access_tokens?name=berth&scopes=read_api,read_user`,
  };
}

export type RepositoryPathFields =
  | {forge: 'github'; owner: string; repository: string}
  | {forge: 'gitlab'; group: string; project: string};

/**
 * `owner/repository` (GitHub) or `group/sub/project` (GitLab), as typed or read from a remote,
 * into the fields a registration takes. Slashes at the ends and `.git` are dropped; the
 * segments themselves are checked by the registration.
 */
export function splitRepositoryPath(forge: Forge, path: string): RepositoryPathFields {
  const clean = path
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '');
  const segments = clean.split('/');
  const wellFormed = segments.every((segment) => segment !== '' && !/\s/.test(segment));
  if (forge === 'github') {
    if (!wellFormed || segments.length !== 2)
      throw new FieldError('path', 'Write it as owner/repository.');
    return {forge, owner: segments[0]!, repository: segments[1]!};
  }
  if (!wellFormed || segments.length < 2)
    throw new FieldError('path', 'Write it as group/project (subgroups: group/sub/project).');
  return {forge, group: segments.slice(0, -1).join('/'), project: segments[segments.length - 1]!};
}

/** The path back from the fields: what `splitRepositoryPath` was given, normalised. */
export function joinRepositoryPath(fields: RepositoryPathFields): string {
  return fields.forge === 'github'
    ? `${fields.owner}/${fields.repository}`
    : `${fields.group}/${fields.project}`;
}
