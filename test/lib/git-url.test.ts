import {describe, expect, it} from 'vitest';
import {locationKey, normalizeHost, parseRemoteUrl, redactUrl} from '../../source/lib/git-url.js';
import {registeredAt} from '../../source/services/code-repositories/remotes.js';

/** The rule detection and the setup wizard share: is this remote that registered repository? */
function matchesRepository(
  remote: {host: string; path: string},
  repository: {host: string; path: string},
): boolean {
  return registeredAt(remote, [repository]) !== undefined;
}

describe('parseRemoteUrl', () => {
  it.each([
    ['https://github.com/acme/models', {host: 'github.com', path: 'acme/models'}],
    ['https://github.com/acme/models.git', {host: 'github.com', path: 'acme/models'}],
    ['https://github.com/acme/models/', {host: 'github.com', path: 'acme/models'}],
    ['https://github.com/acme/models.git/', {host: 'github.com', path: 'acme/models'}],
    ['https://github.com/acme/models//', {host: 'github.com', path: 'acme/models'}],
    ['  https://github.com/acme/models\n', {host: 'github.com', path: 'acme/models'}],
    ['HTTPS://GitHub.COM/Acme/Models.GIT', {host: 'github.com', path: 'Acme/Models'}],
    ['https://github.com:443/acme/models.git', {host: 'github.com', path: 'acme/models'}],
    ['http://gitlab.internal:8080/acme/models', {host: 'gitlab.internal', path: 'acme/models'}],
    ['https://github.com/acme/models?ref=main#readme', {host: 'github.com', path: 'acme/models'}],
    ['https://github.com/acme/my%20models', {host: 'github.com', path: 'acme/my models'}],
    [
      'https://github.com/acme/models.github.io.git',
      {host: 'github.com', path: 'acme/models.github.io'},
    ],
    // GitLab subgroups
    ['https://gitlab.com/group/sub/project.git', {host: 'gitlab.com', path: 'group/sub/project'}],
    [
      'git@gitlab.com:group/sub/deeper/project.git',
      {host: 'gitlab.com', path: 'group/sub/deeper/project'},
    ],
    // scp form and other ssh users
    ['git@github.com:acme/models.git', {host: 'github.com', path: 'acme/models'}],
    ['git@github.com:acme/models', {host: 'github.com', path: 'acme/models'}],
    ['github.com:acme/models.git', {host: 'github.com', path: 'acme/models'}],
    ['git@GitHub.com:/acme/models.git/', {host: 'github.com', path: 'acme/models'}],
    [
      'org-123@ssh.dev.azure.com:v3/org/project/repo',
      {host: 'ssh.dev.azure.com', path: 'v3/org/project/repo'},
    ],
    ['deploy.bot@git.example.org:team/app.git', {host: 'git.example.org', path: 'team/app'}],
    // ssh:// with and without port
    ['ssh://git@github.com/acme/models.git', {host: 'github.com', path: 'acme/models'}],
    [
      'ssh://git@gitlab.example.com:2222/group/sub/p.git',
      {host: 'gitlab.example.com', port: 2222, path: 'group/sub/p'},
    ],
    ['SSH://Git@Example.COM:22/Acme/Models', {host: 'example.com', port: 22, path: 'Acme/Models'}],
    ['git+ssh://git@github.com/acme/models.git', {host: 'github.com', path: 'acme/models'}],
    [
      'ssh://git@ssh.github.com:443/acme/models.git',
      {host: 'github.com', port: 443, path: 'acme/models'},
    ],
    [
      'ssh://git@[2001:db8::1]:2222/acme/models.git',
      {host: '2001:db8::1', port: 2222, path: 'acme/models'},
    ],
    ['git://github.com/acme/models.git', {host: 'github.com', path: 'acme/models'}],
    // credentials are dropped
    [
      'https://x-access-token:ghs_secret123@github.com/acme/models.git',
      {host: 'github.com', path: 'acme/models'},
    ],
    [
      'https://oauth2:glpat-secret@gitlab.com/group/sub/p.git',
      {host: 'gitlab.com', path: 'group/sub/p'},
    ],
    ['https://ghp_secretTOKEN@github.com/acme/models', {host: 'github.com', path: 'acme/models'}],
    ['https://user:p@ss@github.com/acme/models', {host: 'github.com', path: 'acme/models'}],
  ])('%s', (url, expected) => {
    expect(parseRemoteUrl(url)).toEqual(expected);
  });

  it.each([
    '',
    '/srv/git/models.git',
    './models',
    '../models.git',
    '~/repos/models',
    'C:\\repos\\models',
    'C:/repos/models',
    'file:///srv/git/models.git',
    'file://localhost/srv/git/models.git',
    'https://github.com',
    'https://github.com/',
    'https://github.com/acme/../etc',
    'ftp://example.com/acme/models',
    'git@github.com:',
    'https://host:notaport/acme/models',
  ])('%j is not a repository on a host', (url) => {
    expect(parseRemoteUrl(url)).toBeUndefined();
  });

  it('never returns credentials', () => {
    const parsed = parseRemoteUrl(
      'https://x-access-token:ghs_secret123@github.com/acme/models.git',
    );
    expect(JSON.stringify(parsed)).not.toContain('ghs_secret123');
    expect(JSON.stringify(parsed)).not.toContain('x-access-token');
  });
});

describe('matching a remote to a registered repository', () => {
  const registered = {host: 'github.com', path: 'Acme/Models'};

  it.each([
    'https://github.com/acme/models',
    'https://GITHUB.com/ACME/models.git/',
    'git@github.com:Acme/Models.git',
    'ssh://git@github.com:22/acme/models.git',
    'ssh://git@ssh.github.com:443/acme/models.git',
    'https://token:secret@github.com/acme/models',
  ])('matches %s', (url) => {
    expect(matchesRepository(parseRemoteUrl(url)!, registered)).toBe(true);
  });

  it.each([
    'https://github.com/acme/models-fork',
    'https://gitlab.com/acme/models',
    'https://github.com/other/models',
    'https://github.com/acme/models/extra',
    'https://github.com/acme',
  ])('does not match %s', (url) => {
    expect(matchesRepository(parseRemoteUrl(url)!, registered)).toBe(false);
  });

  it('normalises how the registered repository was written', () => {
    const parsed = parseRemoteUrl('git@gitlab.example.com:group/sub/project.git')!;
    expect(
      matchesRepository(parsed, {
        host: 'https://GitLab.Example.com:8443/',
        path: '/group/Sub/project.git',
      }),
    ).toBe(true);
    expect(matchesRepository(parsed, {host: 'gitlab.example.com', path: 'group/project'})).toBe(
      false,
    );
    expect(matchesRepository(parsed, {host: 'gitlab.example.com', path: ''})).toBe(false);
  });

  it('gives the same lookup key for every spelling of one repository', () => {
    const keys = [
      'https://github.com/acme/models',
      'git@github.com:ACME/models.git',
      'ssh://git@github.com:22/acme/Models/',
    ].map((url) => locationKey(parseRemoteUrl(url)!));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(locationKey({host: 'GitHub.com', path: 'acme/models'}));
  });

  it('normalises hosts', () => {
    expect(normalizeHost('GitHub.com')).toBe('github.com');
    expect(normalizeHost('https://gitlab.example.com:8443/')).toBe('gitlab.example.com');
    expect(normalizeHost('user@host.example')).toBe('host.example');
  });
});

describe('redactUrl', () => {
  it.each([
    [
      'https://x-access-token:ghs_secret123@github.com/acme/models.git',
      'https://x-access-token:****@github.com/acme/models.git',
    ],
    ['https://ghp_secretTOKEN@github.com/acme/models', 'https://****@github.com/acme/models'],
    ['https://oauth2:glpat-secret@gitlab.com/g/p.git', 'https://oauth2:****@gitlab.com/g/p.git'],
    ['https://user:p@ss@github.com/acme/models', 'https://user:****@github.com/acme/models'],
    ['https://user:pa/ss@github.com/acme/models', 'https://user:****@github.com/acme/models'],
    [
      'https://gitlab.com/g/p.git?private_token=glpat-secret&x=1',
      'https://gitlab.com/g/p.git?private_token=****&x=1',
    ],
    ['ssh://git:secret@host:22/o/r.git', 'ssh://git:****@host:22/o/r.git'],
    ['ssh://git@host:22/o/r.git', 'ssh://git@host:22/o/r.git'],
    ['git@github.com:acme/models.git', 'git@github.com:acme/models.git'],
    ['https://github.com/acme/models.git', 'https://github.com/acme/models.git'],
    ['/srv/git/models.git', '/srv/git/models.git'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
