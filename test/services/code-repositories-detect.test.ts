// Detection reads only the records a checkout's remotes can match, whatever the number of
// registered repositories, and still finds records written before location keys existed.
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {DatabaseSync} from 'node:sqlite';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {createDeps, type Deps} from '../../source/deps.js';
import {locationKey} from '../../source/lib/git-url.js';
import type {CodeRepositoryRecord} from '../../source/models/code-repository.js';
import {getCodeReference} from '../../source/services/code-repositories/detect.js';
import {resolveContext} from '../../source/services/context.js';
import type {Collection, ProfileStore} from '../../source/store/profile-store.js';
import {startRepoWorld, type RepoWorld} from '../commands/repo-fixture.js';
import {cleanEnv, tempDir} from '../support/cli.js';

/** What detection took out of the store: records decoded, and whole-collection reads. */
type Reads = {records: number; lists: number};

/** The real store, counting what comes out of it. */
function counting(store: ProfileStore, reads: Reads): ProfileStore {
  return {
    location: store.location,
    blobs: store.blobs,
    collection<T>(name: Parameters<ProfileStore['collection']>[0]): Collection<T> {
      const inner = store.collection<T>(name);
      return {
        list: async () => {
          reads.lists++;
          const found = await inner.list();
          reads.records += found.length;
          return found;
        },
        findBy: async (field, values) => {
          const found = await inner.findBy(field, values);
          reads.records += found.length;
          return found;
        },
        keys: (prefix) => inner.keys(prefix),
        get: async (key) => {
          const found = await inner.get(key);
          if (found) reads.records++;
          return found;
        },
        insert: (key, value) => inner.insert(key, value),
        put: (key, value) => inner.put(key, value),
        delete: (key) => inner.delete(key),
      };
    },
    transaction: (work) => store.transaction(work),
    close: () => store.close(),
  };
}

function record(
  name: string,
  host: string,
  repositoryPath: string,
  keyed = true,
): CodeRepositoryRecord {
  return {
    id: `id-${name}`,
    name,
    type: host.includes('gitlab') ? 'gitlab' : 'github',
    host,
    path: repositoryPath,
    ...(keyed ? {locationKey: locationKey({host, path: repositoryPath})} : {}),
    apiUrl: 'https://api.github.com',
    token: null,
    visibility: 'public',
    defaultBranch: 'main',
    providerId: null,
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: cleanEnv(),
    stdio: 'ignore',
  });
}

/** A committed checkout with the given remotes (name → URL). */
function checkoutWith(remotes: Record<string, string>): string {
  const dir = tempDir('berth-detect-count-');
  git(dir, 'init', '-q');
  writeFileSync(path.join(dir, 'train.py'), 'print(1)\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'x');
  for (const [name, url] of Object.entries(remotes)) git(dir, 'remote', 'add', name, url);
  return dir;
}

let deps: Deps;
let store: ProfileStore;
let repositories: Collection<CodeRepositoryRecord>;
let reads: Reads;

beforeEach(async () => {
  const configDir = tempDir('berth-detect-config-');
  deps = createDeps({env: cleanEnv({BERTH_CONFIG_DIR: configDir}), cwd: configDir});
  reads = {records: 0, lists: 0};
  const open = deps.openStore.bind(deps);
  deps.openStore = async (profile) => counting(await open(profile), reads);
  const context = await resolveContext(deps);
  store = await deps.openStore(context.profile);
  repositories = store.collection<CodeRepositoryRecord>('repositories');
  await store.transaction(async () => {
    for (let i = 0; i < 500; i++) {
      await repositories.insert(
        `repo-${i}`,
        record(`repo-${i}`, 'github.com', `owner-${i}/repo-${i}`),
      );
    }
  });
});
afterEach(async () => deps?.close());

async function detect(dir: string) {
  reads.records = 0;
  reads.lists = 0;
  return getCodeReference(deps, dir);
}

describe('detection against many registered repositories', () => {
  it('reads only the records under the remotes location keys; the first registration wins', async () => {
    await repositories.insert('widgets', record('widgets', 'gitlab.com', 'ML/Vision/Widgets'));
    await repositories.insert(
      'widgets-again',
      record('widgets-again', 'GitLab.com', 'ml/vision/widgets'),
    );
    const dir = checkoutWith({
      fork: 'git@github.com:someone/fork.git',
      origin: 'https://gitlab.com/ml/vision/widgets.git',
    });

    const result = await detect(dir);
    expect(result.detection.repository).toBe('widgets');
    expect(result.detection.remote).toBe('origin=https://gitlab.com/ml/vision/widgets.git');
    expect(result.repository?.name).toBe('widgets');
    // The lookup key is the store's business, not part of what berth shows.
    expect(result.repository).not.toHaveProperty('locationKey');
    expect(reads).toEqual({records: 2, lists: 0});

    const unmatched = await detect(checkoutWith({origin: 'https://github.com/nobody/nothing.git'}));
    expect(unmatched.detection.repository).toBeNull();
    expect(reads).toEqual({records: 0, lists: 0});
  });

  it('finds a record written before location keys existed, and keys it for later calls', async () => {
    await repositories.insert('legacy', record('legacy', 'github.com', 'Acme/Legacy', false));
    await repositories.insert('keyed', record('keyed', 'github.com', 'acme/keyed'));
    const dir = checkoutWith({origin: 'git@github.com:acme/legacy.git'});

    const first = await detect(dir);
    expect(first.detection.repository).toBe('legacy');
    expect(first.codeReference?.repositoryId).toBe('id-legacy');
    expect((await repositories.get('legacy'))?.locationKey).toBe('github.com\nacme/legacy');

    const second = await detect(dir);
    expect(second.detection.repository).toBe('legacy');
    expect(reads).toEqual({records: 1, lists: 0});

    // A legacy record that does not match is still keyed, and never read again.
    await repositories.insert('old-other', record('old-other', 'github.com', 'acme/other', false));
    expect(
      (await detect(checkoutWith({origin: 'https://github.com/acme/keyed'}))).detection.repository,
    ).toBe('keyed');
    expect((await repositories.get('old-other'))?.locationKey).toBe('github.com\nacme/other');
  });

  it('registration order holds between a legacy record and a keyed one for the same place', async () => {
    await repositories.insert('old', record('old', 'github.com', 'acme/same', false));
    await repositories.insert('new', record('new', 'github.com', 'acme/same'));
    const dir = checkoutWith({origin: 'https://github.com/acme/same.git'});
    expect((await detect(dir)).detection.repository).toBe('old');
    expect((await detect(dir)).detection.repository).toBe('old');
  });
});

describe('registration writes the location key', () => {
  let world: RepoWorld;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    let fresh: () => void;
    ({world, fresh, stop} = await startRepoWorld());
    fresh();
    const bare = tempDir('berth-detect-bare-');
    git(bare, 'init', '-q', '--bare');
    world.forge.addRepository({provider: 'github', path: 'acme/widgets', gitDir: bare});
  });
  afterAll(async () => stop?.());

  function storedKey(name: string): unknown {
    const db = new DatabaseSync(path.join(world.configDir, 'profiles', 'default.db'));
    try {
      const row = db
        .prepare("SELECT data FROM records WHERE collection = 'repositories' AND key = ?")
        .get(name) as {data: string};
      return (JSON.parse(row.data) as CodeRepositoryRecord).locationKey;
    } finally {
      db.close();
    }
  }

  it('on register and on a host update, and keeps it out of what berth shows', async () => {
    const registered = await world.berth([
      ...['repo', 'register', 'widgets', '--type', 'github', '--owner', 'Acme'],
      ...['--repository', 'Widgets', '--host', 'github.com'],
      ...['--api-url', world.forge.githubApiUrl, '--json'],
    ]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).not.toContain('locationKey');
    expect(storedKey('widgets')).toBe('github.com\nacme/widgets');
    const listed = await world.berth(['repo', 'list', '--json']);
    expect(listed.json<object[]>()[0]).not.toHaveProperty('locationKey');

    const updated = await world.berth(['repo', 'update', 'widgets', '--host', 'GHE.example.com']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(storedKey('widgets')).toBe('ghe.example.com\nacme/widgets');
    const dir = checkoutWith({origin: 'git@ghe.example.com:acme/widgets.git'});
    const detected = await world.berth(['repo', 'detect', '--json'], {cwd: dir});
    expect(detected.json<{repository: string}>().repository).toBe('widgets');
  });
});
