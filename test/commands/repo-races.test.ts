// Check-then-write races around code repositories, through the built CLI against the forge
// server and a real keychain: each pair runs at once, many times.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import type {RunResult} from '../support/cli.js';
import {tempDir} from '../support/cli.js';
import {
  makeSourceRepository,
  registerGithub,
  startRepoWorld,
  tokens,
  type RepoWorld,
} from './repo-fixture.js';
import path from 'node:path';

const rounds = 6;
const timeout = 300_000;
let world: RepoWorld;
let fresh: () => void;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({world, fresh, stop} = await startRepoWorld());
  const dir = path.join(tempDir('berth-repo-sources-'), 'widgets');
  makeSourceRepository(dir);
  world.forge.addRepository({provider: 'github', path: 'acme/widgets', gitDir: dir, private: true});
});
afterAll(async () => stop?.());
beforeEach(() => fresh());

function expectCleanOutcome(result: RunResult): void {
  expect(result.stderr).not.toContain('berth hit a bug');
  // 4: the token is gone (a sequential order gives that too).
  expect([0, 1, 4]).toContain(result.code);
}

type Repo = {name: string; token: string | null};
async function repositories(): Promise<Repo[]> {
  const list = await world.berth(['repo', 'list', '--json']);
  expect(list.code, list.stderr).toBe(0);
  return list.json<Repo[]>();
}
async function tokenNames(): Promise<string[]> {
  const list = await world.berth(['token', 'list', '--json']);
  expect(list.code, list.stderr).toBe(0);
  return list.json<Array<{name: string}>>().map((token) => token.name);
}

describe('token remove ‖ repo register --token', () => {
  it(
    'never leaves a repository using a removed token',
    async () => {
      for (let round = 0; round < rounds; round++) {
        await world.addToken('gh', 'github', tokens.github.token);
        const name = `widgets${round}`;
        const [register, remove] = await Promise.all([
          registerGithub(world, name, {owner: 'acme', repository: 'widgets', token: 'gh'}),
          world.berth(['token', 'remove', 'gh']),
        ]);
        expectCleanOutcome(register);
        expectCleanOutcome(remove);
        const registered = (await repositories()).some((repo) => repo.name === name);
        const kept = (await tokenNames()).includes('gh');
        // Sequentially: register then remove (refused: in use), or remove then register
        // (refused: no token). Never both.
        expect({registered, kept}, `${register.stderr}\n${remove.stderr}`).toEqual(
          registered ? {registered: true, kept: true} : {registered: false, kept: false},
        );
        if (registered) {
          expect((await world.berth(['repo', 'delete', '-y', name])).code).toBe(0);
          expect((await world.berth(['token', 'remove', 'gh'])).code).toBe(0);
        }
      }
    },
    timeout,
  );
});

describe('repo update ‖ repo delete', () => {
  it(
    'never brings a deleted repository back',
    async () => {
      await world.addToken('gh', 'github', tokens.github.token);
      for (let round = 0; round < rounds; round++) {
        const name = `widgets${round}`;
        const registered = await registerGithub(world, name, {
          owner: 'acme',
          repository: 'widgets',
          token: 'gh',
        });
        expect(registered.code, registered.stderr).toBe(0);
        const [update, remove] = await Promise.all([
          world.berth(['repo', 'update', name, '--token', 'gh']),
          world.berth(['repo', 'delete', '-y', name]),
        ]);
        expectCleanOutcome(update);
        expectCleanOutcome(remove);
        expect(remove.code, remove.stderr).toBe(0);
        expect((await repositories()).map((repo) => repo.name)).not.toContain(name);
      }
    },
    timeout,
  );

  it(
    'registers one location once, whatever the names',
    async () => {
      await world.addToken('gh', 'github', tokens.github.token);
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          ['a', 'b'].map((suffix) =>
            registerGithub(world, `w${round}${suffix}`, {
              owner: 'acme',
              repository: 'widgets',
              token: 'gh',
            }),
          ),
        );
        for (const result of results) expectCleanOutcome(result);
        const names = (await repositories()).map((repo) => repo.name);
        expect(names).toHaveLength(1);
        expect((await world.berth(['repo', 'delete', '-y', names[0]!])).code).toBe(0);
      }
    },
    timeout,
  );
});
