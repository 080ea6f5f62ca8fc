// GithubClient against an HTTP server answering as GitHub does in the cases berth must tell
// apart: 403 for a used-up rate limit, for SAML SSO, for a missing scope, or for another reason;
// both forms of `GitHub-Authentication-Token-Expiration`; a repository answer without an id.
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {GithubClient, expirationToIso} from '../../source/clients/github.js';
import {AuthError, UserError} from '../../source/lib/errors.js';

type Canned = {status: number; headers?: Record<string, string>; body: unknown};
let next: Canned;
let server: Server;
let apiUrl: string;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(next.status, {'content-type': 'application/json', ...next.headers});
    response.end(JSON.stringify(next.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => new GithubClient({apiUrl, token: 'ghp_clientTest000000000000000000000000'});

async function failure(canned: Canned): Promise<Error> {
  next = canned;
  const error = await client()
    .getRepository('acme', 'widgets')
    .then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  if (!error) throw new Error('expected a failure');
  return error;
}

describe('403 says why', () => {
  test('a used-up rate limit names when it resets', async () => {
    const error = await failure({
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1798761600',
        'x-ratelimit-resource': 'core',
      },
      body: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url:
          'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      },
    });
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      '127.0.0.1:' +
        new URL(apiUrl).port +
        "'s API rate limit is used up; it resets at 2027-01-01T00:00:00Z.",
    );
  });

  test('a secondary rate limit (429, retry-after) says when to retry', async () => {
    const error = await failure({
      status: 429,
      headers: {'retry-after': '60'},
      body: {message: 'You have exceeded a secondary rate limit.'},
    });
    expect(error.message).toMatch(/rate limit is used up; it resets in 60 s\.$/);
  });

  test('SAML SSO gives the URL that authorises the token', async () => {
    const url = 'https://github.com/orgs/acme/sso?authorization_request=A1B2C3';
    const error = await failure({
      status: 403,
      headers: {'x-github-sso': `required; url=${url}`, 'x-ratelimit-remaining': '4999'},
      body: {
        message:
          'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
      },
    });
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('uses SAML single sign-on and has not authorised this token');
    expect((error as AuthError).hint).toContain(`open ${url}`);
  });

  test('a missing scope names the scopes needed and held', async () => {
    const error = await failure({
      status: 403,
      headers: {
        'x-oauth-scopes': 'read:user',
        'x-accepted-oauth-scopes': 'repo',
        'x-ratelimit-remaining': '4999',
      },
      body: {message: 'Must have admin rights to Repository.'},
    });
    expect(error.message).toContain('it needs one of the scopes repo (it has read:user)');
  });

  test('otherwise the message GitHub sent', async () => {
    const error = await failure({
      status: 403,
      headers: {'x-ratelimit-remaining': '4999'},
      body: {message: 'Resource not accessible by personal access token'},
    });
    expect(error.message).toContain(
      'refused GET /repos/acme/widgets (403): Resource not accessible by personal access token.',
    );
  });
});

describe('GitHub-Authentication-Token-Expiration', () => {
  test.each([
    ['2027-03-19 00:00:00 UTC', '2027-03-19T00:00:00.000Z'],
    ['2027-03-19 00:00:00 -0500', '2027-03-19T05:00:00.000Z'],
    ['2027-03-19 09:30:00 +0530', '2027-03-19T04:00:00.000Z'],
    ['2027-03-19T00:00:00Z', '2027-03-19T00:00:00.000Z'],
    ['soon', null],
  ])('%s is stored as %s', (header, iso) => {
    expect(expirationToIso(header)).toBe(iso);
  });

  test('read from GET /user in the offset form', async () => {
    next = {
      status: 200,
      headers: {
        'x-oauth-scopes': 'repo',
        'github-authentication-token-expiration': '2027-03-19 00:00:00 -0500',
      },
      body: {login: 'octocat', id: 1},
    };
    expect(await client().getAuthenticatedUser()).toEqual({
      login: 'octocat',
      scopes: ['repo'],
      expiresAt: '2027-03-19T05:00:00.000Z',
    });
  });
});

test('a repository answer without an id gives a null id, never "undefined"', async () => {
  next = {
    status: 200,
    body: {full_name: 'acme/widgets', private: false, default_branch: 'main'},
  };
  const repository = await client().getRepository('acme', 'widgets');
  expect(repository).toEqual({
    id: null,
    fullName: 'acme/widgets',
    private: false,
    defaultBranch: 'main',
  });
});

test('a refused tarball download says why too (SSO)', async () => {
  const url = 'https://github.com/orgs/acme/sso?authorization_request=D4E5F6';
  next = {
    status: 403,
    headers: {'x-github-sso': `required; url=${url}`},
    body: {message: 'Resource protected by organization SAML enforcement.'},
  };
  const error = await client()
    .openTarball('acme', 'widgets', 'a'.repeat(40))
    .then(
      () => undefined,
      (e: unknown) => e as AuthError,
    );
  expect(error).toBeInstanceOf(AuthError);
  expect(error!.hint).toContain(`open ${url}`);
});
