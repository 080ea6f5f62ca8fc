// Plain commands must not load React, Ink or the network clients: they live in chunks that
// only dynamic import() reaches. Checked on the real bundle's import graph.
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {EventEmitter} from 'node:events';
import {createRequire, isBuiltin} from 'node:module';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, nodeBinary, repoRoot, tempDir} from './support/cli.js';

type Meta = {
  outputs: Record<
    string,
    {
      imports: Array<{path: string; kind: string; external?: boolean}>;
      inputs: Record<string, unknown>;
    }
  >;
};

function staticClosure(meta: Meta, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of meta.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && meta.outputs[imported.path]) visit(imported.path);
    }
  };
  visit(entry);
  return seen;
}

describe('the bundle', () => {
  const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist/meta.json'), 'utf8')) as Meta;
  const outputs = Object.keys(meta.outputs).filter((file) => file.endsWith('.js'));
  const programChunk = outputs.find((file) =>
    Object.keys(meta.outputs[file]!.inputs).includes('source/commands/program.ts'),
  );

  it('keeps React, Ink and the HTTP/Docker clients out of the plain command path', () => {
    expect(programChunk).toBeDefined();
    const loaded = new Set([
      ...staticClosure(meta, 'dist/cli.js'),
      ...staticClosure(meta, programChunk!),
    ]);
    const inputs = [...loaded].flatMap((file) => Object.keys(meta.outputs[file]!.inputs));
    expect(inputs.length).toBeGreaterThan(10);
    for (const heavy of [
      'node_modules/react/',
      'node_modules/ink/',
      'node_modules/@octokit/',
      'node_modules/@gitbeaker/',
      'node_modules/zod/',
    ]) {
      expect(inputs.filter((input) => input.includes(heavy))).toEqual([]);
    }
  });

  it('keeps zod, protobufjs and dockerode out of a publish (a code change waits on their load)', () => {
    const publishChunk = outputs.find((file) =>
      Object.keys(meta.outputs[file]!.inputs).includes('source/services/publish/publish.ts'),
    );
    expect(publishChunk).toBeDefined();
    const inputs = [...staticClosure(meta, publishChunk!)].flatMap((file) =>
      Object.keys(meta.outputs[file]!.inputs),
    );
    expect(inputs).toContain('source/clients/buildkit-status.ts');
    for (const heavy of [
      'node_modules/zod/',
      'node_modules/protobufjs/',
      'node_modules/dockerode/',
    ])
      expect(inputs.filter((input) => input.includes(heavy))).toEqual([]);
  });

  it('answers `__complete`, `status --prompt` and `status`/`repo detect` from one file each, without commander', () => {
    // Built on their own (scripts/build.mjs): one module to load, npm packages only on demand.
    const fast = JSON.parse(
      readFileSync(path.join(repoRoot, 'dist/meta-fast.json'), 'utf8'),
    ) as Meta;
    for (const [file, source] of [
      ['dist/complete.js', 'source/commands/complete.ts'],
      ['dist/prompt.js', 'source/commands/prompt.ts'],
      ['dist/here.js', 'source/commands/here.ts'],
    ] as const) {
      const output = fast.outputs[file];
      expect(output, file).toBeDefined();
      const inputs = Object.keys(output!.inputs);
      expect(inputs, file).toContain(source);
      expect(inputs, file).not.toContain('source/commands/program.ts');
      expect(
        inputs.filter((input) => input.includes('node_modules/')),
        file,
      ).toEqual([]);
      const eager = output!.imports.filter(
        (imported) => imported.kind === 'import-statement' && !imported.path.startsWith('node:'),
      );
      expect(eager, file).toEqual([]);
    }
  });

  it('builds the program once more as one script for runs without a terminal, without screens', () => {
    // dist/commands.cjs (cli.tsx's loadProgram): every screen needs a terminal on stdin and
    // stdout, so React, Ink and the screens stay out; the commands are all there.
    const scripted = JSON.parse(
      readFileSync(path.join(repoRoot, 'dist/meta-commands.json'), 'utf8'),
    ) as Meta;
    const inputs = Object.keys(scripted.outputs['dist/commands.cjs']!.inputs);
    expect(inputs).toContain('source/commands/program.ts');
    expect(inputs).toContain('source/services/publish/publish.ts');
    for (const screenOnly of [
      'node_modules/react/',
      'node_modules/ink/',
      'source/screens/',
      'source/tui',
    ])
      expect(inputs.filter((input) => input.includes(screenOnly))).toEqual([]);
  });

  it('loads jq (WebAssembly, 1.3 MB) only through a dynamic import, for --jq', () => {
    const loaded = new Set([
      ...staticClosure(meta, 'dist/cli.js'),
      ...staticClosure(meta, programChunk!),
    ]);
    const inputs = [...loaded].flatMap((file) => Object.keys(meta.outputs[file]!.inputs));
    expect(inputs).not.toContain('source/lib/json-filter.ts');
    const jqImports = Object.values(meta.outputs).flatMap((output) =>
      output.imports.filter((imported) => imported.path === 'jq-wasm'),
    );
    expect(jqImports.length).toBeGreaterThan(0);
    for (const imported of jqImports) expect(imported.kind).toBe('dynamic-import');
  });

  it('makes a `require` only in the chunks that call it, and keeps every column in place', () => {
    const banner =
      /^import \{createRequire as __berthCreateRequire\} from 'node:module'; const require = __berthCreateRequire\(import\.meta\.url\);/;
    const uses = /(?<![\w$.])require\b/;
    let kept = 0;
    for (const file of outputs) {
      const code = readFileSync(path.join(repoRoot, file), 'utf8').replace(/^#!.*\n/, '');
      const head = banner.exec(code)?.[0];
      if (head) {
        kept++;
        expect(code.slice(head.length), file).toMatch(uses);
      } else {
        // Blanks where the banner was: the source maps' columns on the first line still hold.
        const blank = /^ +/.exec(code)?.[0] ?? '';
        expect(blank.length, file).toBe(121);
        expect(code.slice(blank.length), file).not.toMatch(uses);
      }
    }
    // The bundled CommonJS packages' `require` (esbuild's __require) still has one.
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(outputs.length / 4);
  });

  it('imports no built-in module statically as ESM (each is required where first used)', () => {
    // An ESM import of a built-in reads all its exports at load (node:http2 loads tls and
    // crypto): every static import goes through scripts/build.mjs's require stubs instead.
    const fast = JSON.parse(
      readFileSync(path.join(repoRoot, 'dist/meta-fast.json'), 'utf8'),
    ) as Meta;
    const esmBuiltins = [meta, fast].flatMap((graph) =>
      Object.entries(graph.outputs).flatMap(([file, output]) =>
        output.imports
          .filter((imported) => imported.kind === 'import-statement' && isBuiltin(imported.path))
          .map((imported) => `${file}: ${imported.path}`),
      ),
    );
    expect(esmBuiltins).toEqual([]);
  });

  it('loads on first use only built-ins whose methods do not need the module as `this`', () => {
    // A lazily loaded built-in is reached through a stand-in object: process.on() called on it
    // would register the listener with the stand-in's bookkeeping, not the real process's.
    const fast = JSON.parse(
      readFileSync(path.join(repoRoot, 'dist/meta-fast.json'), 'utf8'),
    ) as Meta;
    const lazy = new Set(
      [meta, fast].flatMap((graph) =>
        Object.values(graph.outputs).flatMap((output) =>
          Object.keys(output.inputs).filter((input) => input.startsWith('node-builtin-lazy:')),
        ),
      ),
    );
    expect([...lazy]).toContain('node-builtin-lazy:node:fs');
    const require = createRequire(import.meta.url);
    for (const input of lazy) {
      const exported: unknown = require(input.slice('node-builtin-lazy:'.length));
      expect(typeof exported, input).toBe('object');
      expect(exported instanceof EventEmitter, input).toBe(false);
    }
    expect(lazy).not.toContain('node-builtin-lazy:node:process');
  });

  it('loads a built-in module where it is first used, not where it is imported', () => {
    // `status` outside any checkout (after the first run, which writes the config) starts no
    // process and reads no file asynchronously: Node's child-process and promise-fs modules
    // (and what they load) stay unloaded, though the bundle imports them. What it does use
    // (fs, path, sqlite) still works.
    const report = `process.on('exit', () => process.stderr.write('\\nLOADED ' + process.moduleLoadList.join(',')))`;
    const run = () =>
      spawnSync(
        nodeBinary,
        ['--import', `data:text/javascript,${encodeURIComponent(report)}`, cliPath, 'status'],
        {cwd: outside, env: cleanEnv({BERTH_CONFIG_DIR: config}), encoding: 'utf8'},
      );
    const [outside, config] = [tempDir(), tempDir()];
    expect(run().status).toBe(0);
    const result = run();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Code:       not a git checkout');
    const modules = result.stderr.split('\nLOADED ')[1]!.split(',');
    expect(modules).toContain('NativeModule path');
    for (const unused of ['child_process', 'fs/promises', 'internal/fs/promises'])
      expect(modules).not.toContain(`NativeModule ${unused}`);
  });
});
