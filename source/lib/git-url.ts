// Git remote URLs as people and CI systems really write them, reduced to {host, path} so a
// checkout can be matched against registered repositories without any network call.
// Credentials (CI clones carry tokens in the URL) are dropped here and never returned.

export type ParsedRemote = {
  /** Lowercased host name, never with a port or credentials. */
  host: string;
  /** Only for `ssh://host:port/...`: an https port names the same repository as no port. */
  port?: number;
  /** `owner/repo` or `group/sub/project`: no leading or trailing slash, no `.git`. */
  path: string;
};

export type RepositoryLocation = {host: string; path: string};

const remoteSchemes = new Set(['https', 'http', 'ssh', 'git', 'git+ssh', 'ssh+git']);

/**
 * Hosts that serve the same repositories under another name (GitHub's and GitLab's ssh over
 * port 443), so `ssh://git@ssh.github.com:443/o/r` matches a repository on github.com.
 */
const hostAliases: Record<string, string> = {
  'ssh.github.com': 'github.com',
  'altssh.gitlab.com': 'gitlab.com',
};

const schemePattern = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Parses a remote URL into host and repository path. Local paths, `file://` URLs and anything
 * that does not name a repository on a host give `undefined` (not a match, not an error).
 */
export function parseRemoteUrl(url: string): ParsedRemote | undefined {
  const text = url.trim();
  if (text === '' || text.includes('\0')) return undefined;

  const scheme = schemePattern.exec(text);
  if (scheme) return parseSchemeUrl(scheme[1]!.toLowerCase(), text.slice(scheme[0].length));
  return parseScpUrl(text);
}

function parseSchemeUrl(scheme: string, rest: string): ParsedRemote | undefined {
  if (!remoteSchemes.has(scheme)) return undefined;

  const withoutSuffix = rest.replace(/[?#].*$/s, '');
  const slash = withoutSuffix.indexOf('/');
  const authority = slash === -1 ? withoutSuffix : withoutSuffix.slice(0, slash);
  const rawPath = slash === -1 ? '' : withoutSuffix.slice(slash);

  // The last `@` ends the credentials: a password may itself contain an (unencoded) `@`.
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const hostAndPort = splitHostPort(hostPort);
  if (!hostAndPort) return undefined;

  const path = normalizeRepositoryPath(rawPath);
  if (!path) return undefined;

  const host = canonicalHost(hostAndPort.host);
  const isSsh = scheme.includes('ssh');
  if (isSsh && hostAndPort.port !== undefined) return {host, port: hostAndPort.port, path};
  return {host, path};
}

function parseScpUrl(text: string): ParsedRemote | undefined {
  // git's rule: scp syntax when a colon comes before the first slash.
  const colon = text.indexOf(':');
  const slash = text.indexOf('/');
  if (colon === -1 || (slash !== -1 && slash < colon)) return undefined;

  const userHost = text.slice(0, colon);
  const hostPart = userHost.slice(userHost.lastIndexOf('@') + 1);
  // A single letter is a Windows drive (`C:\repo`, `C:/repo`), which git treats as a path.
  if (hostPart.length <= 1 || !/^[a-z0-9.\-_[\]]+$/i.test(hostPart)) return undefined;

  const path = normalizeRepositoryPath(text.slice(colon + 1));
  if (!path) return undefined;
  return {host: canonicalHost(hostPart.replace(/^\[|\]$/g, '')), path};
}

function splitHostPort(hostPort: string): {host: string; port?: number} | undefined {
  let host = hostPort;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostPort);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon !== -1) {
      host = hostPort.slice(0, colon);
      portText = hostPort.slice(colon + 1);
    }
  }
  if (host === '' || /[\s/@]/.test(host)) return undefined;
  if (portText === undefined || portText === '') return {host};
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port > 0 && port < 65536 ? {host, port} : {host};
}

function canonicalHost(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, '');
  return hostAliases[lower] ?? lower;
}

/** `/Owner/Repo.git/` → `Owner/Repo`; `undefined` when nothing names a repository. */
function normalizeRepositoryPath(raw: string): string | undefined {
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded after all: use it as written.
  }
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  const last = segments.length - 1;
  if (last >= 0) segments[last] = segments[last]!.replace(/\.git$/i, '');
  const path = segments.filter((segment) => segment !== '').join('/');
  if (path === '' || segments.includes('..')) return undefined;
  return path;
}

/** Normalises a registered repository's host (`https://GitHub.com:443/` → `github.com`). */
export function normalizeHost(host: string): string {
  let text = host
    .trim()
    .replace(schemePattern, '')
    .replace(/[/?#].*$/s, '');
  text = text.slice(text.lastIndexOf('@') + 1);
  const hostAndPort = splitHostPort(text);
  return canonicalHost(hostAndPort?.host ?? text);
}

/** The forge host of an API or instance URL: `https://ghe.example.com/api/v3` → `ghe.example.com`, api.github.com → github.com. */
export function forgeHost(apiUrl: string): string {
  const host = normalizeHost(apiUrl);
  return host === 'api.github.com' ? 'github.com' : host;
}

/** Normalises a registered repository's path (`/Group/Sub/Project.git/` → `Group/Sub/Project`). */
export function normalizePath(path: string): string {
  return normalizeRepositoryPath(path) ?? '';
}

/** The key under which a repository location is looked up: case-insensitive host and path. */
export function locationKey(location: RepositoryLocation): string {
  return `${normalizeHost(location.host)}\n${normalizePath(location.path).toLowerCase()}`;
}

/**
 * The URL with any credentials masked, safe to print or log. ssh user names (`git@`) are not
 * secrets and stay; anything before `@` in an http(s) URL may be a token and is masked.
 */
export function redactUrl(url: string): string {
  const scheme = schemePattern.exec(url);
  if (!scheme) return url;
  const start = scheme[0].length;
  const isSsh = scheme[1]!.toLowerCase().includes('ssh');
  const queryStart = url.slice(start).search(/[?#]/);
  const end = queryStart === -1 ? url.length : start + queryStart;
  const rest = url.slice(start, end);
  const authorityEnd = rest.indexOf('/');
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  // An unencoded `/` in a password hides the `@` from the authority: mask up to the last `@`.
  let at = authority.lastIndexOf('@');
  if (at === -1 && !isSsh) at = rest.lastIndexOf('@');

  let redacted = url.slice(start, end);
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    let masked: string;
    if (colon !== -1 && !userinfo.slice(0, colon).includes('/')) {
      masked = `${userinfo.slice(0, colon)}:****`;
    } else masked = isSsh ? userinfo : '****';
    redacted = masked + rest.slice(at);
  }
  const suffix = url
    .slice(end)
    .replace(/([?&;](?:[^=&#]*(?:token|key|secret|password|auth|sig)[^=&#]*)=)[^&#]*/gi, '$1****');
  return url.slice(0, start) + redacted + suffix;
}

/** `github.com/o/r`: how a repository location reads in messages. */
export function formatLocation(location: RepositoryLocation): string {
  return `${location.host}/${location.path}`;
}
