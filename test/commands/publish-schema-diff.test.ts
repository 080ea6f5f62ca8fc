// A new version whose parameters break the latest published one: the dry run shows the diff,
// a publish stops before anything is recorded or built unless --allow-breaking, and `module
// describe` shows each version's changes. The breaking check needs no engine (it comes before
// the pre-build checks); the allowed publish runs on the default stack against the real engine.
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import type {ModuleVersionRecord} from '../../source/models/module-version.js';
import {openSqliteStore} from '../../source/store/sqlite-store.js';
import {runBerth, tempDir} from '../support/cli.js';
import {baseImage, ensureBaseImage, startDocker} from '../support/services.js';

let configDir: string;
let project: string;
const as = (args: string[]) =>
  runBerth(args, {cwd: configDir, env: {BERTH_CONFIG_DIR: configDir}, timeoutMs: 60_000});

const entry = `@data_processor(name="Demo", description="d")
@parameter(name="angle", type="int", required=False, defaultValue=90, description="degrees")
@parameter(name="seed", type="int", required=False, defaultValue=1, description="new")
def main(angle, seed):
    print(angle, seed)
`;

beforeAll(async () => {
  configDir = tempDir('berth-schema-');
  project = tempDir('berth-schema-project-');
  writeFileSync(path.join(project, 'main.py'), entry);
  writeFileSync(path.join(project, 'requirements.txt'), '');
  for (const args of [
    ['component', 'register', 'image_builder', 'engine', '--flavor', 'docker'],
    [
      'component',
      'register',
      'container_registry',
      'gone',
      '--flavor',
      'oci',
      '--option',
      'uri=127.0.0.1:9/team',
    ],
    ['stack', 'register', 'dead-end', '-i', 'engine', '-c', 'gone', '--set'],
  ]) {
    const result = await as(args);
    expect(result.code, result.stderr).toBe(0);
  }
  // Version 1, as published earlier: angle was a float, and there was a label.
  const store = await openSqliteStore(path.join(configDir, 'profiles', 'default.db'));
  const now = new Date().toISOString();
  const v1 = {
    slug: 'demo',
    name: 'Demo',
    version: 1,
    status: 'published',
    visibility: 'private',
    image: '127.0.0.1:9/team/demo:1-abc',
    digest: `sha256:${'a'.repeat(64)}`,
    commit: null,
    codeReference: null,
    schema: {
      name: 'Demo',
      slug: 'demo',
      description: 'd',
      kind: 'data-processor',
      entryPoint: 'main.py',
      function: 'main',
      parameters: [
        {name: 'angle', type: 'float', required: false, defaultValue: 90, description: ''},
        {name: 'label', type: 'str', required: false, defaultValue: 'x', description: ''},
      ],
      metadata: {},
    },
    projectPath: project,
    hostname: 'elsewhere',
    entryPoint: 'main.py',
    entryPointSha256: '0',
    mode: 'full',
    dependencyChecksum: null,
    reused: false,
    baseImage: 'python',
    stack: 'dead-end',
    registry: null,
    engine: null,
    sizeBytes: null,
    steps: [],
    labels: {},
    logFile: '/nonexistent',
    error: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: now,
    durationMs: 1,
  } satisfies ModuleVersionRecord;
  await store.collection<ModuleVersionRecord>('modules').insert('demo@1', v1);
  await store.close();
});

describe('schema diffs on publish', () => {
  it('the dry run shows breaking changes and notes', async () => {
    const plain = await as(['publish', project, '--dry-run']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain(
      'Note: BREAKING: parameter "angle" changes type from float to int (since version 1)',
    );
    expect(plain.stderr).toContain(
      'Note: BREAKING: parameter "label" (str) is removed (since version 1)',
    );
    expect(plain.stderr).toContain(
      'Note: note: parameter "seed" (int) is added with default 1 (since version 1)',
    );
    expect(plain.stderr).toContain('a real publish stops here: pass --allow-breaking');
    const json = (await as(['publish', project, '--dry-run', '--json'])).json<{
      schemaDiff: {
        against: number;
        breaking: boolean;
        allowed: boolean;
        changes: Array<{kind: string}>;
      };
    }>();
    expect(json.schemaDiff).toMatchObject({against: 1, breaking: true, allowed: false});
    expect(json.schemaDiff.changes.map((c) => c.kind)).toEqual([
      'type-changed',
      'removed',
      'added',
    ]);
  });

  it('a publish stops before recording or building anything, naming every breaking change', async () => {
    const result = await as(['publish', project, '--plain']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'The new schema of demo breaks version 1: parameter "angle" changes type from float to int; parameter "label" (str) is removed.',
    );
    expect(result.stderr).toContain('--allow-breaking');
    expect(result.stderr).not.toContain('Checking the registry');
    const versions = (await as(['module', 'list', '--json'])).json<Array<{version: number}>>();
    expect(versions.map((v) => v.version)).toEqual([1]);
  });

  it('--allow-breaking goes past the check, to the pre-build checks', async () => {
    const result = await as(['publish', project, '--plain', '--allow-breaking']);
    // Stopped by the pre-build checks (no engine or registry on this stack), not by the schema.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'BREAKING: parameter "label" (str) is removed (since version 1)',
    );
    expect(result.stderr).toMatch(/Can't reach the (Docker engine|registry)/);
    expect(result.stderr).not.toContain('The new schema of demo breaks version 1');
  });

  it("publishes with --allow-breaking on the default stack, and module describe shows the version's changes", async () => {
    // The default stack: the engine builds, its own image store keeps the image.
    const {host} = await startDocker();
    await ensureBaseImage(host);
    const env = {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host};
    const published = await runBerth(
      [
        'publish',
        project,
        '--plain',
        '--allow-breaking',
        '--stack',
        'default',
        '--base-image',
        baseImage,
      ],
      {cwd: configDir, env, timeoutMs: 240_000},
    );
    expect(published.code, published.stderr).toBe(0);
    const described = await as(['module', 'describe', 'demo@2']);
    expect(described.stdout).toContain('Schema changes since version 1:');
    expect(described.stdout).toMatch(/BREAKING\s+parameter "angle" changes type from float to int/);
    expect(described.stdout).toMatch(/note\s+parameter "seed" \(int\) is added with default 1/);
    const json = (await as(['module', 'describe', 'demo@2', '--json'])).json<{
      schemaDiff: {against: number; changes: unknown[]};
    }>();
    expect(json.schemaDiff.against).toBe(1);
    expect(json.schemaDiff.changes).toHaveLength(3);
  }, 300_000);
});
