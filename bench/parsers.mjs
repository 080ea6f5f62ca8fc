// Parsers on hostile input: how long berth takes to refuse (or read) what issue 11 fed it, in
// process, against a baseline measured in the same run (one pass over the same characters:
// encoding them as UTF-8). Target: every refusal well under a second.
import {mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {build} from 'esbuild';
import {median, ms, printTable, ratio} from './lib.mjs';

const outdir = 'node_modules/.cache/berth-bench';
mkdirSync(outdir, {recursive: true});
const entry = path.join(outdir, 'parsers-entry.ts');
const {writeFileSync} = await import('node:fs');
writeFileSync(
  entry,
  "export {readModuleAnnotations} from '../../../source/services/publish/annotations.js';\n" +
    "export {parseRequirements} from '../../../source/services/publish/requirements.js';\n",
);
const bundle = path.resolve(outdir, 'parsers.mjs');
await build({
  entryPoints: [entry],
  outfile: bundle,
  bundle: true,
  format: 'esm',
  platform: 'node',
  logLevel: 'warning',
});
const {readModuleAnnotations, parseRequirements} = await import(bundle);

function outcome(run) {
  try {
    run();
    return 'read';
  } catch (error) {
    return `refused (${error.message.length} chars)`;
  }
}

function time(run, runs = 5) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const started = performance.now();
    run();
    if (i > 0) samples.push(performance.now() - started);
  }
  return median(samples);
}

const header = '@data_processor(name="x")\n';
const module = `${header}def f():\n    pass\n`;
const cases = [
  ['annotations', '1,000,000 nested parentheses', `x = ${'('.repeat(1_000_000)}`],
  ['annotations', '5,000,000 nested parentheses', '('.repeat(5_000_000)],
  [
    'annotations',
    '100,000 decorators (2.2 MiB)',
    `${header}${'@parameter("a", "int")\n'.repeat(100_000)}def f():\n    pass\n`,
  ],
  [
    'annotations',
    '40,000 decorators (0.9 MiB)',
    `${header}${'@parameter("a", "int")\n'.repeat(40_000)}def f():\n    pass\n`,
  ],
  ['annotations', '100,000 lines of `x x x x`', `${module}${'x x x x\n'.repeat(100_000)}`],
  ['annotations', '200,000 `not` in a row', `${module}x = ${'not '.repeat(200_000)}y\n`],
  [
    'annotations',
    "MLReef's Add Noise entry point (read)",
    readFileSync('test/fixtures/projects/add-noise/add_noise.py', 'utf8'),
  ],
  [
    'requirements',
    'a marker nested 6,000 deep',
    `pkg; ${'('.repeat(6000)}os_name == "nt"${')'.repeat(6000)}\n`,
  ],
  ['requirements', '100,000 bad lines', 'scipy=1\n'.repeat(100_000)],
  ['requirements', 'a 1 MB line of spaces', `numpy${' '.repeat(1_000_000)}x\n`],
];

const rows = [];
for (const [parser, name, input] of cases) {
  const parse =
    parser === 'annotations'
      ? () => readModuleAnnotations(input, 'bench.py')
      : () => parseRequirements(input);
  const run = () => outcome(parse);
  const result = run();
  const encoder = new TextEncoder();
  const baseline = time(() => encoder.encode(input).length);
  const elapsed = time(run);
  rows.push([parser, name, result, ms(elapsed), ms(baseline), ratio(elapsed, baseline)]);
}
printTable(
  'Parsers on hostile input (median of 5, in process)',
  ['parser', 'input', 'outcome', 'time', 'one pass over the input (baseline)', 'ratio'],
  rows,
);
