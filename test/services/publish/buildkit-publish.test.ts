// A publish through BuildKit on the real engine, watched the way the pane watches it: every
// event applied to the pane's model (PublishLogModel), then checked as a user would read it.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createDeps, type Deps} from '../../../source/deps.js';
import {UserError} from '../../../source/lib/errors.js';
import {publishModule} from '../../../source/services/publish/publish.js';
import {PublishLogModel} from '../../../source/services/publish/log-model.js';
import {cleanEnv, tempDir} from '../../support/cli.js';
import {
  baseImage,
  removeRegistryImages,
  ensureBaseImage,
  startDocker,
  startRegistry,
  type Registry,
} from '../../support/services.js';
import {registerPublishStack} from '../../support/publish-stack.js';
import {writeWheel} from '../../support/wheels.js';

const entry = (marker: string) => `from berthdemo import VALUE

@data_processor(name="BuildKit demo", description="prints")
@parameter("angle", "float", False, 90)
def main(angle):
    print("${marker}", angle, VALUE)
`;

let host: string;
let registry: Registry;
let configDir: string;
const deps: Deps[] = [];

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry();
  configDir = tempDir('berth-buildkit-config-');
  const env = cleanEnv({BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host});
  await registerPublishStack(registry.address, env, configDir);
});

afterAll(async () => {
  for (const d of deps) await d.close();
  await registry?.stop();
  if (registry) await removeRegistryImages(host, registry.address);
});

async function project(requirements: string, marker = 'first'): Promise<string> {
  const dir = tempDir('berth-buildkit-');
  mkdirSync(path.join(dir, 'wheels'));
  await writeWheel(path.join(dir, 'wheels'), {name: 'berthdemo', version: '1.0.0'});
  writeFileSync(path.join(dir, 'requirements.txt'), requirements);
  writeFileSync(path.join(dir, 'job.py'), entry(marker));
  return dir;
}

async function publish(dir: string, env: Record<string, string> = {}) {
  const d = createDeps({
    env: cleanEnv({BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host, ...env}),
    cwd: dir,
  });
  deps.push(d);
  const model = new PublishLogModel();
  const result = await publishModule(
    d,
    {path: dir, baseImage, berthVersion: '0.1.0'},
    {onEvent: (event) => model.apply(event)},
  ).catch((error: unknown) => error);
  return {model, result};
}

const requirements = '--no-index\n--find-links wheels\nberthdemo==1.0.0\n';

describe('publishing through BuildKit', () => {
  test('steps, their output, CACHED and timings reach the pane model', async () => {
    // A comment unique to this run: pip must really run once, not come from an earlier run.
    const dir = await project(`# ${Date.now()}\n${requirements}`, `first-${Date.now()}`);
    const first = await publish(dir);
    expect(first.result).not.toBeInstanceOf(Error);
    const {model} = first;
    expect(model.state).toBe('published');
    const instructions = model.steps.map((step) => step.instruction);
    expect(instructions[0]).toBe(`FROM docker.io/${baseImage}`);
    const pip = model.steps.find((step) => step.instruction.includes('pip install'))!;
    expect(pip.instruction).toMatch(/^RUN --mount=type=cache,target=\/root\/.cache\/pip /);
    expect(pip.lines.toArray()).toContain('Successfully installed berthdemo-1.0.0');
    expect(model.steps.at(-1)!.instruction).toBe('COPY [code/,./]');
    for (const step of model.steps) {
      expect(step.status).toBe('done');
      expect(step.endedAt! - step.startedAt).toBeGreaterThanOrEqual(0);
      expect(step.total).toBe(model.steps.length);
    }
    // The labels are on the image although no LABEL step ran.
    const record = (first.result as {record: {labels: Record<string, string>; version: number}})
      .record;
    expect(JSON.parse(record.labels['dev.berth.schema']!)).toMatchObject({slug: 'buildkit-demo'});
    expect(record.labels['org.opencontainers.image.version']).toBe(String(record.version));

    // One line of code later: everything but the code COPY comes from the cache.
    writeFileSync(path.join(dir, 'job.py'), entry(`second-${Date.now()}`));
    const second = await publish(dir);
    expect(second.model.state).toBe('published');
    expect(second.model.steps.map((step) => [step.instruction.split(' ')[0], step.cached])).toEqual(
      model.steps.map((step, i) => [
        step.instruction.split(' ')[0],
        i > 0 && i < model.steps.length - 1,
      ]),
    );
    const log = readFileSync((second.result as {record: {logFile: string}}).record.logFile, 'utf8');
    expect(log).toMatch(/^Step \d+\/\d+ : RUN --mount=type=cache/m);
  }, 240_000);

  test('a failing RUN shows its error in the failing step', async () => {
    const dir = await project('--no-index\n--find-links wheels\nnosuchpackage==1.0\n');
    const {model, result} = await publish(dir);
    expect(result).toBeInstanceOf(UserError);
    expect(model.state).toBe('failed');
    const failing = model.failingStep!;
    expect(failing.instruction).toContain('pip install');
    expect(failing.status).toBe('failed');
    const lines = failing.lines.toArray();
    expect(lines).toContain('ERROR: No matching distribution found for nosuchpackage==1.0');
    expect(lines.at(-1)).toMatch(/^ERROR: .*exit code: 1$/);
    expect(model.failure!.message).toMatch(
      new RegExp(
        `^Step ${failing.index}/${failing.total} RUN .*pip install.* failed: .*exit code: 1`,
      ),
    );
    expect((result as Error).message).toContain(model.failure!.message);
  }, 240_000);
});
