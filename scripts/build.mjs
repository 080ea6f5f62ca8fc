// Bundles source/cli.tsx into dist/ with esbuild. Heavy modules (ink, react, dockerode,
// octokit...) are reached only through dynamic import(), so esbuild splits them into chunks
// that `berth --version` and the plain commands never load.
import {build} from 'esbuild';
import {readFile} from 'node:fs/promises';

import {execFileSync} from 'node:child_process';
import {EventEmitter} from 'node:events';
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {builtinModules, createRequire} from 'node:module';
import {inkPatches} from './ink-patches.mjs';
import {lezerTables} from './lezer-tables.mjs';
rmSync('dist', {recursive: true, force: true});

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

/** commander's eager `require('node:child_process')` becomes a lazy one (scripts/shims). */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(builder) {
    builder.onResolve({filter: /^(node:)?child_process$/}, (args) =>
      args.importer.includes('node_modules/commander/')
        ? {path: new URL('./shims/lazy-child-process.cjs', import.meta.url).pathname}
        : undefined,
    );
  },
};

/** `ink` is components/inert-ink.tsx for every importer (our screens and Ink components from
 *  npm alike) but that file itself: every string Ink draws is made inert first. */
const inertInkPath = new URL('../source/components/inert-ink.tsx', import.meta.url).pathname;
const inertInk = {
  name: 'inert-ink',
  setup(builder) {
    builder.onResolve({filter: /^ink$/}, (args) =>
      args.importer === inertInkPath ? undefined : {path: inertInkPath},
    );
  },
};

/** Node's own modules through `require` (the banner's), not `import`: an ESM import of a built-in
 *  reads every export, and lazy ones load more (node:http's web exports load all of fetch,
 *  node:crypto's load its ciphers): about 4x the cost of requiring them, on every command.
 *
 *  An `import` of one whose exports are an object of functions (fs, path, child_process...) gets
 *  a module that requires it when a name is first read: the bundle reads imported names at each
 *  use (`import_fs.readFile(...)`), so a built-in only some paths use (child_process,
 *  fs/promises, crypto) is not loaded by the others. Its names live on the prototype (a Proxy) of
 *  an object with none of its own: the bundle's interop (__toESM) copies every own name of an
 *  imported CommonJS module once per importing file, which for the real ones (node:fs has over a
 *  hundred) cost `status` about 6 ms. A method called on that object gets it as `this`, which
 *  module functions never use (they are made to be destructured), but an event emitter's methods
 *  do: process and cluster stay the real object, as do events and stream (they export a class).
 *  `require()` calls (bundled CommonJS packages) keep the module itself. */
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const requireBuiltin = createRequire(import.meta.url);
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(builder) {
    builder.onResolve({filter: /^[a-z0-9_:/]+$/}, (args) => {
      // Static imports only: a dynamic import() of a CommonJS chunk would give only `default`.
      if (!builtins.has(args.path) || args.kind === 'dynamic-import') return undefined;
      // The stub's own require is Node's.
      if (args.namespace.startsWith('node-builtin')) return {path: args.path, external: true};
      const exported = requireBuiltin(args.path);
      const lazy =
        args.kind === 'import-statement' &&
        typeof exported === 'object' &&
        !(exported instanceof EventEmitter);
      return {path: args.path, namespace: lazy ? 'node-builtin-lazy' : 'node-builtin'};
    });
    builder.onLoad({filter: /.*/, namespace: 'node-builtin'}, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    builder.onLoad({filter: /.*/, namespace: 'node-builtin-lazy'}, (args) => ({
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = Object.create(
  new Proxy({}, {get: (_target, key) => load()[key], has: (_target, key) => key in load()}),
);`,
      loader: 'js',
    }));
  },
};

/** A `require` for the bundled CommonJS packages and Node's modules (kept off a chunk that has no use for it, below). */
const requireBanner =
  "import {createRequire as __berthCreateRequire} from 'node:module'; const require = __berthCreateRequire(import.meta.url);";

const common = {
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  // No comments or indentation, shorter syntax (names kept): a publish reads, decodes and checks
  // 29% fewer bytes of JavaScript (545 KB instead of 765 KB), and every chunk is plain ASCII
  // (a comment's dash made a chunk's text two bytes a character); 20-35 ms less CPU a publish,
  // measured in turns. A stack trace's line and column map back to source/ through the .map files.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  jsx: 'automatic',
  define: {
    'process.env.BERTH_VERSION': JSON.stringify(pkg.version),
    // Production React: development mode leaks memory in Ink.
    'process.env.NODE_ENV': '"production"',
  },
  alias: {'react-devtools-core': './source/lib/stubs/react-devtools-core.js'},
  plugins: [
    lazyChildProcessForCommander,
    inertInk,
    builtinsThroughRequire,
    inkPatches,
    lezerTables,
  ],
  // Native or runtime-resolved packages stay in node_modules.
  external: [
    '@napi-rs/keyring',
    'dockerode',
    'ssh2',
    'cpu-features',
    'pg-native',
    '@homebridge/node-pty-prebuilt-multiarch',
    // jq compiled to WebAssembly (1.3 MB, Emscripten's loader): loaded only by --jq.
    'jq-wasm',
  ],
  banner: {js: requireBanner},
};

const result = await build({...common, entryPoints: ['source/cli.tsx'], splitting: true});

// What a shell runs on every prompt and every Tab, and `status`/`repo detect`, each as one file: Node's ESM loader pays per
// module, and split chunks would make these load a dozen (cli.tsx imports them by URL).
const fast = await build({
  ...common,
  entryPoints: {
    prompt: 'source/commands/prompt.ts',
    complete: 'source/commands/complete.ts',
    here: 'source/commands/here.ts',
  },
  splitting: false,
  // Only our own code is inlined: what these paths rarely need from npm (the YAML library for
  // a hand-written config, conf on a first run, pg for a team store) loads from node_modules
  // (all of it in `dependencies`) when it is needed.
  packages: 'external',
});
writeFileSync('dist/meta-fast.json', JSON.stringify(fast.metafile));

// The command program once more, as one CommonJS script (dist/commands.cjs) that cli.tsx runs
// through node:vm for the commands that run the most code (publish, run, sweep) when no screen
// can open (stdin or stdout is not a terminal: CI, pipelines, scripts). V8's code cache for such a script can be written after it ran, so it holds every
// function the command compiled; Node's compile cache for the chunks above holds each file as
// first compiled, and each run compiles again the functions it calls (lib/cached-script.ts).
// The screens and the TUI need a terminal on both: here they are a stub, and React and Ink
// stay out of the script.
const noScreens = {
  name: 'no-screens',
  setup(builder) {
    builder.onResolve({filter: /\/(screens\/[\w-]+|tui)\.js$/}, (args) => ({
      path: args.path,
      namespace: 'no-screen',
    }));
    builder.onLoad({filter: /.*/, namespace: 'no-screen'}, (args) => ({
      contents: `throw new Error(${JSON.stringify(`berth: ${args.path} needs a terminal on stdin and stdout, and this run has none (dist/commands.cjs).`)});`,
      loader: 'js',
    }));
  },
};
const scriptBanner = {
  js: `"use strict";var __berthScriptUrl=require("node:url").pathToFileURL(__filename).href;`,
};
const scriptDefine = {...common.define, 'import.meta.url': '__berthScriptUrl'};
const scripted = await build({
  ...common,
  entryPoints: {commands: 'source/commands/program.ts'},
  outExtension: {'.js': '.cjs'},
  format: 'cjs',
  splitting: false,
  // The script's own file as the URL `import.meta.url` stands for (Node's require for CommonJS).
  define: scriptDefine,
  banner: scriptBanner,
  plugins: [noScreens, ...common.plugins],
});
writeFileSync('dist/meta-commands.json', JSON.stringify(scripted.metafile));
// `status` and `repo detect` (here.js above) the same way: they open no screen, so their script
// serves a terminal too, its npm packages left external as here.js's.
await build({
  ...common,
  entryPoints: {here: 'source/commands/here.ts'},
  outExtension: {'.js': '.cjs'},
  format: 'cjs',
  splitting: false,
  packages: 'external',
  define: scriptDefine,
  banner: scriptBanner,
  plugins: common.plugins,
});

// Most chunks never call `require` (8 of 168): their banner only cost a createRequire and an
// import.meta each, 60 of them on a publish (3 ms). It becomes blanks of its length, so every
// column the source maps name stays where it was.
const requireUse = /(?<![\w$.])require\b/;
for (const file of readdirSync('dist').filter((name) => name.endsWith('.js'))) {
  const code = readFileSync(path.join('dist', file), 'utf8');
  // cli.js starts with its #! line, the banner after it.
  const shebang = /^#!.*\n/.exec(code)?.[0] ?? '';
  const rest = code.slice(shebang.length);
  if (!rest.startsWith(requireBanner) || requireUse.test(rest.slice(requireBanner.length)))
    continue;
  const blanked = ' '.repeat(requireBanner.length) + rest.slice(requireBanner.length);
  writeFileSync(path.join('dist', file), shebang + blanked);
}

// The import graph, for the test that keeps React and Ink off the plain commands' path.
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));

// Commands and flags for shell completion, described by the program itself, so `berth
// __complete` answers without loading commander or the command groups.
const spec = execFileSync(process.execPath, ['dist/cli.js', '__completion-spec'], {
  encoding: 'utf8',
  env: {...process.env, NO_COLOR: '1'},
});
writeFileSync('dist/completion-spec.json', spec);
