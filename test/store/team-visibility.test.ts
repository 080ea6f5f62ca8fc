// A team store used by several PostgreSQL roles: set up once by its owner, used by members
// granted `berth_member`, and private rows invisible to other roles in the database itself.
import pg from 'pg';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {digestOf} from '../../source/services/log-vault.js';
import {findBySql, openPostgresStore} from '../../source/store/postgres-store.js';
import {DuplicateKeyError} from '../../source/store/profile-store.js';
import {runBerth, tempDir} from '../support/cli.js';
import {psql, startPostgres, type Postgres} from '../support/postgres.js';

let postgres: Postgres;
const urlOf = (role: string) => postgres.url.replace('postgres://postgres@', `postgres://${role}@`);

async function sql(role: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({connectionString: urlOf(role)});
  await client.connect();
  try {
    return (await client.query(text, values)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

function berthAs(role: string, configDir: string, args: string[]) {
  return runBerth(args, {cwd: configDir, env: {BERTH_CONFIG_DIR: configDir}});
}

// Each member's berth configuration directory, with a profile `team` on the store.
const configDirs: Record<string, string> = {};
const createTeamProfile = (role: string, configDir: string) =>
  berthAs(role, configDir, ['profile', 'create', 'team', '--store-url', urlOf(role)]);

beforeAll(async () => {
  postgres = await startPostgres();
  for (const statement of [
    'CREATE ROLE keeper LOGIN',
    'GRANT CREATE ON SCHEMA public TO keeper',
    'CREATE ROLE alice LOGIN',
    'CREATE ROLE bob LOGIN',
  ])
    await sql('postgres', statement);
});
afterAll(async () => {
  await postgres?.stop();
});

const repository = (name: string, visibility: 'private' | 'public' | null) => ({
  id: `id-${name}`,
  name,
  type: 'github',
  host: 'github.com',
  path: `acme/${name}`,
  apiUrl: 'https://api.github.com',
  token: null,
  visibility,
  defaultBranch: 'main',
  providerId: null,
  createdAt: '2025-01-01T00:00:00.000Z',
});

const moduleVersion = (slug: string, repositoryId: string | null, visibility: string) => ({
  slug,
  name: slug,
  version: 1,
  status: 'published',
  visibility,
  image: `127.0.0.1:5000/${slug}:1-abc`,
  digest: 'sha256:00',
  commit: null,
  codeReference: repositoryId
    ? {
        repositoryId,
        commit: 'a'.repeat(40),
        subdirectory: '',
        clean: true,
        pushed: true,
        snapshot: null,
      }
    : null,
  schema: {name: slug, description: '', parameters: []},
  projectPath: '/nowhere',
  hostname: 'elsewhere',
  entryPoint: 'main.py',
  entryPointSha256: '0',
  mode: 'full',
  dependencyChecksum: null,
  reused: false,
  baseImage: 'python',
  stack: 'default',
  registry: '127.0.0.1:5000',
  engine: null,
  sizeBytes: null,
  steps: [],
  labels: {},
  logFile: '',
  error: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:00.000Z',
  durationMs: null,
});

const run = (id: string, module: string) => ({
  id,
  module,
  version: 1,
  status: 'succeeded',
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  parameters: {},
  image: null,
  digest: null,
  codeReference: null,
  orchestrator: {name: 'docker', flavor: 'docker'},
  stack: 'default',
  exitCode: 0,
  error: null,
  sweep: null,
  node: null,
});

const log = (kind: 'run' | 'publish', subject: string, chunk: Buffer) => ({
  key: `${kind}/${subject}`,
  kind,
  subject,
  chunks: [{digest: digestOf(chunk), lines: 1, bytes: chunk.length}],
  tail: '',
  lines: 1,
  bytes: chunk.length,
  complete: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});

const snapshot = (data: Buffer, repositoryId: string) => ({
  digest: digestOf(data),
  repositoryId,
  base: 'a'.repeat(40),
  head: 'a'.repeat(40),
  files: 1,
  deleted: 0,
  bytes: data.length,
  location: {kind: 'store'},
  createdAt: '2025-01-01T00:00:00.000Z',
});

describe('a team store for many roles', () => {
  test('set up once by its owner; a role without the grant is told what to ask for', async () => {
    const early = tempDir('berth-bob-early-');
    const notSetUp = await createTeamProfile('bob', early);
    expect(notSetUp.code).toBe(1);
    expect(notSetUp.stderr).toMatch(/is not set up, and role bob cannot set it up/);
    expect(notSetUp.stderr).toContain('GRANT berth_member TO bob;');
    expect(notSetUp.stderr).toContain('CREATEROLE runs `berth profile create');
    // Nothing half-made: no profile, and no table left behind.
    const bobsProfiles = (await berthAs('bob', early, ['profile', 'list', '--json'])).json<
      Array<{name: string}>
    >();
    expect(bobsProfiles.map((p) => p.name)).toEqual(['default']);

    // The owner may create tables but not yet the members' role: told exactly that.
    const keeper = tempDir('berth-keeper-');
    const noRole = await createTeamProfile('keeper', keeper);
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('permission denied to create role');
    expect(noRole.stderr).toContain('CREATE ROLE berth_member NOLOGIN;');
    expect(await psql(postgres.url, "SELECT to_regclass('berth_records') IS NULL")).toEqual(['t']);

    await sql('postgres', 'ALTER ROLE keeper CREATEROLE');
    const setUp = await createTeamProfile('keeper', keeper);
    expect(setUp.code, setUp.stderr).toBe(0);

    const ungranted = await createTeamProfile('bob', early);
    expect(ungranted.code).toBe(1);
    expect(ungranted.stderr).toContain('Role bob has no access to the team store');
    expect(ungranted.stderr).toContain('GRANT berth_member TO bob;');

    // As the readme says: the owner grants members.
    await sql('keeper', 'GRANT berth_member TO alice, bob');
    for (const role of ['alice', 'bob']) {
      const dir = tempDir(`berth-${role}-`);
      configDirs[role] = dir;
      const created = await createTeamProfile(role, dir);
      expect(created.code, created.stderr).toBe(0);
    }
  });

  test('private repositories, modules, runs, logs and snapshots are invisible to other roles, even in psql; public ones are shared', async () => {
    const hiddenChunk = Buffer.from('private log lines');
    const sharedChunk = Buffer.from('public log lines');
    const hiddenSnapshot = Buffer.from('private snapshot');
    const openSnapshot = Buffer.from('public snapshot');
    const alice = await openPostgresStore(urlOf('alice'), 'team');
    try {
      const repositories = alice.collection<unknown>('repositories');
      await repositories.put('secret-models', repository('secret-models', 'private'));
      await repositories.put('open-models', repository('open-models', 'public'));
      // A repository whose visibility berth could not learn counts as private.
      await repositories.put('unknown-models', repository('unknown-models', null));
      const modules = alice.collection<unknown>('modules');
      await modules.put('hidden@1', moduleVersion('hidden', 'id-secret-models', 'public'));
      await modules.put('shown@1', moduleVersion('shown', 'id-open-models', 'private'));
      await modules.put('loose@1', moduleVersion('loose', null, 'private'));
      await modules.put('free@1', moduleVersion('free', null, 'public'));
      const runs = alice.collection<unknown>('runs');
      for (const slug of ['hidden', 'shown', 'loose', 'free'])
        await runs.put(`run-${slug}`, run(`run-${slug}`, slug));
      await alice
        .collection<unknown>('stacks')
        .put('gpu', {name: 'gpu', components: {}, createdAt: ''});
      const logs = alice.collection<unknown>('logs');
      await alice.blobs.put(digestOf(hiddenChunk), hiddenChunk);
      await alice.blobs.put(digestOf(sharedChunk), sharedChunk);
      await logs.put('run/run-hidden', log('run', 'run-hidden', hiddenChunk));
      await logs.put('run/run-shown', log('run', 'run-shown', sharedChunk));
      await logs.put('publish/hidden@1', log('publish', 'hidden@1', hiddenChunk));
      const snapshots = alice.collection<unknown>('snapshots');
      await alice.blobs.put(digestOf(hiddenSnapshot), hiddenSnapshot);
      await alice.blobs.put(digestOf(openSnapshot), openSnapshot);
      await snapshots.put(digestOf(hiddenSnapshot), snapshot(hiddenSnapshot, 'id-secret-models'));
      await snapshots.put(digestOf(openSnapshot), snapshot(openSnapshot, 'id-open-models'));
    } finally {
      await alice.close();
    }

    // What the roles see with PostgreSQL's own client, not through berth (leaving out the
    // default stack and components \`profile create\` seeds).
    const records = (role: string) =>
      psql(
        urlOf(role),
        `SELECT collection || '/' || key FROM berth_records
        WHERE collection NOT IN ('stacks', 'components') OR key = 'gpu' ORDER BY 1`,
      );
    const blobs = (role: string) => psql(urlOf(role), 'SELECT digest FROM berth_blobs ORDER BY 1');
    const visibleToAll = [
      'logs/run/run-shown',
      'modules/free@1',
      'modules/shown@1',
      'repositories/open-models',
      'runs/run-free',
      'runs/run-shown',
      `snapshots/${digestOf(openSnapshot)}`,
      'stacks/gpu',
    ];
    const alicesOnly = [
      'logs/publish/hidden@1',
      'logs/run/run-hidden',
      'modules/hidden@1',
      'modules/loose@1',
      'repositories/secret-models',
      'repositories/unknown-models',
      'runs/run-hidden',
      'runs/run-loose',
      `snapshots/${digestOf(hiddenSnapshot)}`,
    ];
    expect(await records('bob')).toEqual(visibleToAll.sort());
    expect(await records('alice')).toEqual([...visibleToAll, ...alicesOnly].sort());
    expect(await blobs('bob')).toEqual([digestOf(sharedChunk), digestOf(openSnapshot)].sort());
    expect(await blobs('alice')).toHaveLength(4);
    expect(
      await psql(
        urlOf('bob'),
        "SELECT DISTINCT owner FROM berth_records WHERE collection = 'runs'",
      ),
    ).toEqual(['alice']);
    // Not even by asking for a private row or blob by its key.
    expect(
      await psql(urlOf('bob'), "SELECT data FROM berth_records WHERE key = 'run-hidden'"),
    ).toEqual([]);
    expect(
      await psql(
        urlOf('bob'),
        `SELECT length(data) FROM berth_blobs WHERE digest = '${digestOf(hiddenSnapshot)}'`,
      ),
    ).toEqual([]);

    // berth's own commands, run as bob, show the same.
    const listedAs = async (role: string, args: string[]) => {
      const listed = await berthAs(role, configDirs[role]!, [
        ...args,
        '--json',
        '--profile',
        'team',
      ]);
      expect(listed.code, listed.stderr).toBe(0);
      return listed.json<Array<{name?: string; id?: string; visibility?: string}>>();
    };
    expect(
      (await listedAs('bob', ['module', 'list'])).map((m) => `${m.name} ${m.visibility}`).sort(),
    ).toEqual(['free public', 'shown public']);
    expect((await listedAs('bob', ['runs', 'list'])).map((r) => r.id).sort()).toEqual([
      'run-free',
      'run-shown',
    ]);
    expect((await listedAs('alice', ['module', 'list'])).map((m) => m.name).sort()).toEqual([
      'free',
      'hidden',
      'loose',
      'shown',
    ]);

    // Through berth's store, bob reads a shared log's chunk but not a private one.
    const bob = await openPostgresStore(urlOf('bob'), 'team');
    try {
      expect((await bob.blobs.get(digestOf(sharedChunk)))?.toString()).toBe('public log lines');
      expect(await bob.blobs.get(digestOf(hiddenChunk))).toBeUndefined();
      expect(await bob.collection('runs').get('run-hidden')).toBeUndefined();
      // Bob's own log with the same bytes as alice's private chunk: the blob exists (alice's),
      // and bob reads it because his own record uses it.
      await bob.blobs.put(digestOf(hiddenChunk), hiddenChunk);
      await bob.collection<unknown>('runs').put('run-bob', run('run-bob', 'loose'));
      await bob.collection<unknown>('logs').put('run/run-bob', log('run', 'run-bob', hiddenChunk));
      expect((await bob.blobs.get(digestOf(hiddenChunk)))?.toString()).toBe('private log lines');
      // A key held by a private row: refused by name, without showing the row; a visible one
      // is an ordinary duplicate (a concurrent publish takes the next version number).
      const taken =
        /"hidden@1" is taken in the team store's modules by a record private to another role/;
      await expect(
        bob.collection('modules').insert('hidden@1', moduleVersion('hidden', null, 'public')),
      ).rejects.toThrow(taken);
      await expect(
        bob.collection('modules').put('hidden@1', moduleVersion('hidden', null, 'public')),
      ).rejects.toThrow(taken);
      await expect(
        bob.collection('modules').insert('shown@1', moduleVersion('shown', null, 'public')),
      ).rejects.toBeInstanceOf(DuplicateKeyError);
      // Inside a transaction, the refusal leaves it usable.
      await bob.transaction(async () => {
        await expect(
          bob.collection('runs').insert('run-hidden', run('run-hidden', 'loose')),
        ).rejects.toThrow(/"run-hidden" is taken/);
        await bob.collection<unknown>('runs').put('run-bob-2', run('run-bob-2', 'loose'));
      });
      expect(await bob.collection('runs').get('run-bob-2')).toBeDefined();
    } finally {
      await bob.close();
    }

    // Bob can neither change nor delete what he cannot see, nor write as someone else.
    expect(
      await sql(
        'bob',
        "UPDATE berth_records SET data = '{}' WHERE key = 'run-hidden' RETURNING key",
      ),
    ).toEqual([]);
    expect(
      await sql('bob', "DELETE FROM berth_records WHERE key = 'hidden@1' RETURNING key"),
    ).toEqual([]);
    await expect(
      sql(
        'bob',
        "INSERT INTO berth_records (collection, key, data, owner) VALUES ('runs', 'forged', '{}', 'alice')",
      ),
    ).rejects.toThrow(/row-level security/);
    // Nor take over a shared row: its owner stays alice.
    await sql('bob', "UPDATE berth_records SET owner = 'bob' WHERE key = 'gpu'");
    expect(await psql(urlOf('bob'), "SELECT owner FROM berth_records WHERE key = 'gpu'")).toEqual([
      'alice',
    ]);

    // Visibility is the repository's, at query time.
    await sql(
      'alice',
      "UPDATE berth_records SET data = jsonb_set(data, '{visibility}', '\"public\"') WHERE collection = 'repositories' AND key = 'secret-models'",
    );
    expect(await records('bob')).toEqual(
      expect.arrayContaining([
        'modules/hidden@1',
        'runs/run-hidden',
        'logs/run/run-hidden',
        `snapshots/${digestOf(hiddenSnapshot)}`,
      ]),
    );
    expect(await blobs('bob')).toContain(digestOf(hiddenSnapshot));
  });

  test('a member looks records up by location key through the index, under row-level security', async () => {
    const alice = await openPostgresStore(urlOf('alice'), 'team');
    try {
      const repositories = alice.collection<unknown>('repositories');
      await alice.transaction(async () => {
        for (let i = 0; i < 2000; i++) {
          await repositories.put(`r${i}`, {
            ...repository(`r${i}`, i % 2 === 0 ? 'public' : 'private'),
            locationKey: `github.com\nacme/r${i}`,
          });
        }
      });
    } finally {
      await alice.close();
    }
    await sql('postgres', 'ANALYZE berth_records');
    const plan = await psql(
      urlOf('bob'),
      `EXPLAIN ${findBySql('locationKey', false)
        .replace('$1', "'repositories'")
        .replace('$2::text[]', `ARRAY['github.com\nacme/r10']`)}`,
    );
    expect(plan.join('\n')).toContain('Index Scan using berth_records_by_locationkey');
    expect(plan.join('\n')).not.toMatch(/Seq Scan/);

    const bob = await openPostgresStore(urlOf('bob'), 'team');
    try {
      const found = await bob
        .collection<{name: string}>('repositories')
        .findBy('locationKey', ['github.com\nacme/r10', 'github.com\nacme/r11']);
      expect(found.map((r) => r.name)).toEqual(['r10']);
    } finally {
      await bob.close();
    }
  });
  test('a member whose grant is revoked is told so by the next command, and sees nothing', async () => {
    await sql('postgres', 'CREATE ROLE carol LOGIN');
    await sql('postgres', 'GRANT berth_member TO carol');
    const dir = tempDir('berth-carol-');
    const created = await createTeamProfile('carol', dir);
    expect(created.code, created.stderr).toBe(0);
    expect((await berthAs('carol', dir, ['profile', 'set', 'team', '--global'])).code).toBe(0);
    expect((await berthAs('carol', dir, ['stack', 'list'])).code).toBe(0);

    await sql('postgres', 'REVOKE berth_member FROM carol');
    const refused = await berthAs('carol', dir, ['stack', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Role carol has no access to the team store');
    expect(refused.stderr).toContain(
      'Ask its owner (role keeper) to run: GRANT berth_member TO carol;',
    );
    await expect(psql(urlOf('carol'), 'SELECT count(*) FROM berth_records')).rejects.toThrow(
      /permission denied/,
    );
  });
  test('a store made by an older berth (one shared role) is upgraded by its owner, whose rows it keeps', async () => {
    await sql('postgres', 'CREATE ROLE shared LOGIN CREATEROLE');
    await sql('postgres', 'CREATE ROLE dave LOGIN');
    await sql('postgres', 'CREATE DATABASE legacy OWNER shared');
    const legacyUrl = (role: string) => urlOf(role).replace(/\/berth$/, '/legacy');
    // The schema berth set up on every connection before owners and row-level security.
    await psql(
      legacyUrl('shared'),
      `CREATE TABLE berth_records (collection text NOT NULL, key text NOT NULL, data jsonb NOT NULL,
         seq bigserial, PRIMARY KEY (collection, key));
       CREATE TABLE berth_blobs (digest text PRIMARY KEY, data bytea NOT NULL);
       CREATE INDEX berth_records_locationkey ON berth_records (collection, (data->>'locationKey'));
       INSERT INTO berth_records (collection, key, data) VALUES
         ('stacks', 'gpu', '{"name": "gpu", "components": {}, "createdAt": ""}'),
         ('repositories', 'old-private', '${JSON.stringify(repository('old-private', 'private'))}');`,
    );

    const daveDir = tempDir('berth-dave-');
    const createDave = () =>
      berthAs('dave', daveDir, ['profile', 'create', 'team', '--store-url', legacyUrl('dave')]);
    const early = await createDave();
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('is from an older berth, and role dave cannot upgrade it');
    expect(early.stderr).toContain('Its owner, role shared, upgrades it');

    const upgraded = await berthAs('shared', tempDir('berth-shared-'), [
      'profile',
      'create',
      'team',
      '--store-url',
      legacyUrl('shared'),
    ]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(
      await psql(
        legacyUrl('postgres'),
        "SELECT DISTINCT owner FROM berth_records WHERE key IN ('gpu', 'old-private')",
      ),
    ).toEqual(['shared']);

    await sql('postgres', 'GRANT berth_member TO dave');
    const joined = await createDave();
    expect(joined.code, joined.stderr).toBe(0);
    expect(
      await psql(
        legacyUrl('dave'),
        "SELECT collection || '/' || key FROM berth_records WHERE key IN ('gpu', 'old-private')",
      ),
    ).toEqual(['stacks/gpu']);
  });
});
