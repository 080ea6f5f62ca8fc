// Requirements that only grow install in layers: the earlier pip layers come from the engine's
// build cache and pip installs only what was added. Checked on the real engine and registry,
// with the wheels served over HTTP on 127.0.0.1 as an index would serve them.
import {mkdirSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createDeps, type Deps} from '../../../source/deps.js';
import type {ModuleVersionRecord} from '../../../source/models/module-version.js';
import {
  MAX_DEPENDENCY_LAYERS,
  planDependencyLayers,
} from '../../../source/services/publish/dependency-layers.js';
import {PublishLogModel} from '../../../source/services/publish/log-model.js';
import {publishModule} from '../../../source/services/publish/publish.js';
import type {Requirements} from '../../../source/services/publish/requirements.js';
import {cleanEnv, tempDir} from '../../support/cli.js';
import {registerPublishStack} from '../../support/publish-stack.js';
import {
  baseImage,
  removeRegistryImages,
  ensureBaseImage,
  runContainer,
  startDocker,
  startRegistry,
  type Registry,
} from '../../support/services.js';
import {buildWheel} from '../../support/wheels.js';

function requirements(text: string, localFindLinks: string[] = []): Requirements {
  return {
    file: 'requirements.txt',
    present: true,
    text,
    files: [{path: 'requirements.txt', text, kind: 'requirements'}],
    requirements: [],
    constraints: [],
    options: {} as Requirements['options'],
    localFindLinks,
    notes: [],
  };
}

function previous(layers: string[], changes: Partial<ModuleVersionRecord> = {}) {
  return {
    version: 3,
    mode: 'full',
    engine: 'unix:///e.sock',
    baseImage: 'python:3.11-slim',
    dependencyLayers: layers.map((text) => [{path: 'requirements.txt', text}]),
    ...changes,
  } as ModuleVersionRecord;
}

const where = {engine: 'unix:///e.sock', baseImage: 'python:3.11-slim'};
const texts = (plan: ReturnType<typeof planDependencyLayers>) =>
  plan.layers.map((layer) => layer.map((file) => file.text));

describe('planDependencyLayers', () => {
  test('an added line adds a layer; the same requirements keep the chain', () => {
    const added = planDependencyLayers(
      requirements('a==1\n# note\nb==2\n'),
      previous(['a==1\n']),
      where,
    );
    expect(texts(added)).toEqual([['a==1\n'], ['a==1\n# note\nb==2\n']]);
    expect(added.note).toMatch(/add to version 3's: pip installs only what was added/);
    const same = planDependencyLayers(requirements('a==1\n'), previous(['x\n', 'a==1\n']), where);
    expect(texts(same)).toEqual([['x\n'], ['a==1\n']]);
    expect(same.note).toBeNull();
  });

  test('a removed or changed line, another engine or base image, a wheel folder: one layer', () => {
    const fresh = [['a==2\n']];
    expect(
      texts(planDependencyLayers(requirements('a==2\n'), previous(['a==1\n']), where)),
    ).toEqual(fresh);
    const other = previous(['a==1\n'], {engine: 'tcp://other:2375'});
    expect(texts(planDependencyLayers(requirements('a==1\nb\n'), other, where))).toHaveLength(1);
    const base = previous(['a==1\n'], {baseImage: 'python:3.12'});
    expect(texts(planDependencyLayers(requirements('a==1\nb\n'), base, where))).toHaveLength(1);
    const wheels = requirements('--find-links wheels\na==1\nb\n', ['wheels']);
    expect(
      planDependencyLayers(wheels, previous(['--find-links wheels\na==1\n']), where).layers,
    ).toHaveLength(1);
    const dependenciesOnly = previous(['a==1\n'], {mode: 'dependencies-only'});
    expect(
      planDependencyLayers(requirements('a==1\nb\n'), dependenciesOnly, where).layers,
    ).toHaveLength(1);
  });

  test(`at most ${MAX_DEPENDENCY_LAYERS} layers, then one again`, () => {
    const full = previous(
      Array.from({length: MAX_DEPENDENCY_LAYERS}, (_, i) => `a\n${'b\n'.repeat(i)}`),
    );
    const plan = planDependencyLayers(
      requirements(`a\n${'b\n'.repeat(MAX_DEPENDENCY_LAYERS)}`),
      full,
      where,
    );
    expect(plan.layers).toHaveLength(1);
    expect(plan.note).toMatch(/one layer again/);
  });
});

let host: string;
let registry: Registry;
let index: http.Server;
let indexUrl: string;
let configDir: string;
// Names unique to this run: nothing may come from an earlier run's pip cache or layers.
const run = Date.now().toString(36);
const deps: Deps[] = [];

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry();
  const wheels = new Map(
    ['one', 'two'].map((name) => {
      const wheel = buildWheel({
        name: `layer${name}${run}`,
        version: '1.0.0',
        files: {[`layer${name}${run}/__init__.py`]: `NAME = "${name}"\n`},
      });
      return [wheel.fileName, wheel.data] as const;
    }),
  );
  index = http.createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.slice(1));
    if (name === '') {
      response.writeHead(200, {'content-type': 'text/html'});
      response.end([...wheels.keys()].map((file) => `<a href="${file}">${file}</a>`).join('\n'));
      return;
    }
    const data = wheels.get(name);
    response.writeHead(data ? 200 : 404).end(data);
  });
  await new Promise<void>((resolve) => index.listen(0, '127.0.0.1', resolve));
  indexUrl = `http://127.0.0.1:${(index.address() as AddressInfo).port}/`;
  configDir = tempDir('berth-layers-config-');
  const env = cleanEnv({BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host});
  await registerPublishStack(registry.address, env, configDir);
});

afterAll(async () => {
  for (const d of deps) await d.close();
  index?.close();
  await registry?.stop();
  if (registry) await removeRegistryImages(host, registry.address);
});

async function publish(dir: string) {
  const d = createDeps({env: cleanEnv({BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host}), cwd: dir});
  deps.push(d);
  const model = new PublishLogModel();
  const {record} = await publishModule(
    d,
    {path: dir, baseImage, berthVersion: '0.1.0'},
    {onEvent: (event) => model.apply(event)},
  );
  const pipSteps = model.steps.filter((step) => step.instruction.includes('pip install'));
  return {record, model, pipSteps, output: pipSteps.map((step) => step.lines.toArray().join('\n'))};
}

/** What the image can import, printed by the entry point when it starts. */
async function importable(image: string): Promise<string> {
  const result = await runContainer(host, image, []);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('requirements that grow, on the real engine', () => {
  test('an added package installs alone on the cached layers; a removal installs everything in one layer', async () => {
    const one = `layerone${run}==1.0.0`;
    const two = `layertwo${run}==1.0.0`;
    const dir = tempDir('berth-layers-');
    mkdirSync(dir, {recursive: true});
    const head = `--no-index\n--find-links ${indexUrl}\n--trusted-host 127.0.0.1\n`;
    const write = (lines: string[], marker: string) => {
      writeFileSync(path.join(dir, 'requirements.txt'), `${head}${lines.join('\n')}\n`);
      writeFileSync(
        path.join(dir, 'job.py'),
        `import importlib.util\n\nif __name__ == "__main__":\n    print("${marker}", sorted(n for n in ["layerone${run}", "layertwo${run}"] if importlib.util.find_spec(n)))\n    raise SystemExit(0)\n\n@data_processor(name="Layers demo", description="d")\n@parameter("angle", "float", False, 90)\ndef main(angle):\n    pass\n`,
      );
    };

    write([one], 'v1');
    const first = await publish(dir);
    expect(first.pipSteps).toHaveLength(1);
    expect(first.output[0]).toContain(`Successfully installed layerone${run}-1.0.0`);

    write([one, two], 'v2');
    const second = await publish(dir);
    expect(second.record.dependencyLayers).toHaveLength(2);
    expect(second.pipSteps.map((step) => step.cached)).toEqual([true, false]);
    expect(second.output[1]).toContain(`Requirement already satisfied: layerone${run}`);
    expect(second.output[1]).toContain(`Successfully installed layertwo${run}-1.0.0`);
    expect(second.model.tail.toArray().join('\n')).toContain(
      `requirements add to version ${first.record.version}'s`,
    );
    expect(await importable(second.record.image!)).toBe(`v2 ['layerone${run}', 'layertwo${run}']`);

    // A code change keeps the chain: every pip layer from the cache.
    write([one, two], 'v3');
    const third = await publish(dir);
    expect(third.pipSteps.map((step) => step.cached)).toEqual([true, true]);

    // A removal: one layer with what is left, as a fresh build would have it.
    write([two], 'v4');
    const fourth = await publish(dir);
    expect(fourth.record.dependencyLayers).toHaveLength(1);
    expect(fourth.pipSteps).toHaveLength(1);
    expect(await importable(fourth.record.image!)).toBe(`v4 ['layertwo${run}']`);
  });
});
