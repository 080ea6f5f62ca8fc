// Renamed repositories, as GitHub and GitLab really answer them: GitHub sends 301 to
// `/repositories/{id}` for the old path (the forge server replays @octokit/fixtures'
// rename-repository recording), GitLab answers the old path with the project under its new
// `path_with_namespace`. berth records the canonical path, keeps the old one as an alias that
// detection matches, and refuses the same repository (provider id) registered twice.
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {
  git,
  makeSourceRepository,
  registerGithub,
  registerGitlab,
  startRepoWorld,
  type RepoWorld,
} from './repo-fixture.js';

let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;
let origin: string;

type RepoJson = {
  name: string;
  path: string;
  providerId: string | null;
  aliases?: string[];
  aliasKey?: string;
};

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  const work = tempDir('berth-rename-source-');
  makeSourceRepository(work);
  origin = path.join(tempDir('berth-rename-bare-'), 'widgets.git');
  git(work, 'clone', '-q', '--bare', work, origin);
  world.forge.addRepository({
    provider: 'github',
    path: 'octokit-fixture-org/rename-repository',
    gitDir: origin,
  });
  world.forge.renameRepository(
    'github',
    'octokit-fixture-org/rename-repository',
    'octokit-fixture-org/rename-repository-newname',
  );
  world.forge.addRepository({provider: 'gitlab', path: 'ml/old-detector', gitDir: origin});
  world.forge.renameRepository('gitlab', 'ml/old-detector', 'vision/detector');
});
afterAll(async () => stop?.());
beforeEach(() => fresh());
afterEach(() => world.expectNoLeaks());

const oldGithub = {
  owner: 'octokit-fixture-org',
  repository: 'rename-repository',
  host: 'github.com',
};

describe('a renamed GitHub repository', () => {
  it('is recorded under its canonical name, says so, and keeps the old one as an alias', async () => {
    const result = await registerGithub(world, 'renamed', oldGithub);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'octokit-fixture-org/rename-repository is now octokit-fixture-org/rename-repository-newname on github.com: berth records octokit-fixture-org/rename-repository-newname, and checkouts cloned as octokit-fixture-org/rename-repository still match.',
    );
    // The 301 GitHub sends, then the repository under its id.
    const asked = world.forge.requests.map((r) => r.path);
    expect(asked).toContain('/repos/octokit-fixture-org/rename-repository');
    expect(asked.some((p) => /^\/repositories\/\d+$/.test(p))).toBe(true);

    const listed = await world.berth(['repo', 'list', '--json']);
    const [record] = listed.json<RepoJson[]>();
    expect(record).toMatchObject({
      name: 'renamed',
      path: 'octokit-fixture-org/rename-repository-newname',
      aliases: ['octokit-fixture-org/rename-repository'],
    });
    expect(record!.providerId).toMatch(/^\d+$/);
    expect(record).not.toHaveProperty('aliasKey');

    // A second registration under the new name is the same repository: refused, naming the first.
    const again = await registerGithub(world, 'again', {
      ...oldGithub,
      repository: 'rename-repository-newname',
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'github.com/octokit-fixture-org/rename-repository-newname is already registered as "renamed"',
    );

    // Checkouts cloned before and after the rename are both detected, with no network request.
    world.forge.reset();
    for (const url of [
      'https://github.com/octokit-fixture-org/rename-repository.git',
      'git@github.com:octokit-fixture-org/rename-repository-newname.git',
    ]) {
      const dir = path.join(tempDir('berth-rename-clone-'), 'checkout');
      git(path.dirname(dir), 'clone', '-q', origin, dir);
      git(dir, 'remote', 'set-url', 'origin', url);
      const detected = await world.berth(['repo', 'detect', '--json'], {cwd: dir});
      expect(detected.code, detected.stderr).toBe(0);
      expect(detected.json<{repository: string | null}>().repository, url).toBe('renamed');
    }
    expect(world.forge.requests).toEqual([]);
  });
});

describe('the same repository registered twice', () => {
  it('is refused by its provider id, naming the existing record', async () => {
    // Registered before a rename under one path; registered again under the new path.
    const sources = tempDir('berth-rename-twice-');
    makeSourceRepository(sources);
    world.forge.addRepository({provider: 'github', path: 'acme/before', gitDir: sources});
    const first = await registerGithub(world, 'first', {
      owner: 'acme',
      repository: 'before',
      host: 'github.com',
    });
    expect(first.code, first.stderr).toBe(0);
    world.forge.renameRepository('github', 'acme/before', 'acme/after');
    const second = await registerGithub(world, 'second', {
      owner: 'acme',
      repository: 'after',
      host: 'github.com',
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /github\.com\/acme\/after is already registered as "first" \(github\.com\/acme\/before, the same GitHub repository, id \d+\)\./,
    );
    expect(second.stderr).toContain('Use "first", or `berth repo delete first` first.');
  });
});

describe('a renamed GitLab project', () => {
  it('is recorded under its new path_with_namespace, the old path an alias', async () => {
    const result = await registerGitlab(
      world,
      'detector',
      {group: 'ml', project: 'old-detector', host: 'gitlab.com'},
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<RepoJson>()).toMatchObject({
      path: 'vision/detector',
      aliases: ['ml/old-detector'],
    });
    expect(result.stderr).toContain('ml/old-detector is now vision/detector on gitlab.com');
  });
});
