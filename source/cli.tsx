#!/usr/bin/env node
// Entry point. Kept tiny: `berth --version` answers without loading anything, plain commands
// load the commander program, and only the TUI loads React and Ink.
import {fileURLToPath} from 'node:url';
import {trace, tracing} from './lib/trace.js';

const argv = process.argv.slice(2);

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${process.env.BERTH_VERSION ?? '0.0.0-dev'}\n`);
} else {
  // Compiled code for the bundle is cached on disk (Node >= 22.1): start-up halves.
  const {enableCompileCache, registerHooks} = await import('node:module');
  enableCompileCache?.();
  resolveChunksDirectly(registerHooks);
  silenceKnownWarnings();
  followNpmStart();
  stopWhenStdoutCloses();
  trace('cli: start');
  process.once('exit', () => trace('cli: exit'));
  const code = await main(argv);
  trace('cli: done');
  // What would keep the process running from here (sockets, timers, child processes).
  if (tracing) trace(`cli: open handles: ${process.getActiveResourcesInfo().join(', ') || 'none'}`);
  // The command is done: berth ends once its output has landed (at once in a terminal, whose
  // writes are synchronous; a pipe's may not be, off Linux). A handle left open (a screen's git
  // child or timer, work that ignored a signal) does not keep it running, and Node skips taking
  // its heap apart, which an exit from an empty event loop does (a few ms after every command).
  if (process.stdout.isTTY) process.exit(code);
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

async function main(args: string[]): Promise<number> {
  if (args.length === 0) {
    if (process.stdin.isTTY && process.stdout.isTTY) {
      // The TUI's failures take the commands' path: exit codes, messages, the crash log.
      try {
        const {runTui} = await import('./tui.js');
        return await runTui({});
      } catch (error) {
        const {reportUncaught} = await import('./commands/invocation.js');
        return reportUncaught(error);
      }
    }
    const program = await loadProgram(['status']);
    const code = await program.runCli({argv: ['status']});
    program.done(code);
    process.stderr.write(
      'Run `berth` in a terminal for the TUI, or `berth --help` for the commands.\n',
    );
    return code;
  }
  // A shell prompt runs this on every Enter, completion on every Tab: they skip commander and
  // the command groups, and each is one file of its own (scripts/build.mjs), as here.js below.
  if (args[0] === 'status' && args.includes('--prompt')) {
    const {runPrompt} = (await import(
      new URL('./prompt.js', import.meta.url).href
    )) as typeof import('./commands/prompt.js');
    return runPrompt(args.slice(1).filter((argument) => argument !== '--prompt'));
  }
  if (args[0] === '__complete') {
    const {runComplete} = (await import(
      new URL('./complete.js', import.meta.url).href
    )) as typeof import('./commands/complete.js');
    return runComplete(args.slice(1));
  }
  // `status` and `repo detect` are typed all day: answered without commander when the line is
  // just that (here.ts), else by the full program. They open no screen: their script, with the
  // code their last run compiled (dist/here.cjs, as commands.cjs below), serves a terminal too.
  if (args.includes('status') || args.includes('detect')) {
    const here = await cachedScript<typeof import('./commands/here.js')>('here.cjs', 'here');
    const {runHere} =
      here?.exports ??
      ((await import(
        new URL('./here.js', import.meta.url).href
      )) as typeof import('./commands/here.js'));
    const code = await runHere({argv: args});
    if (code !== undefined) {
      here?.done(code);
      return code;
    }
  }
  const program = await loadProgram(args);
  const code = await program.runCli({argv: args});
  program.done(code);
  return code;
}

type Program = {
  runCli: typeof import('./commands/program.js').runCli;
  /** The command ended with `code`. */
  done(code: number): void;
};

/**
 * The command program. For publish, run and sweep, when no screen can open (stdin or stdout is not
 * a terminal: CI, pipelines, scripts; every screen needs both), it comes from dist/commands.cjs
 * through node:vm, with the code V8 compiled in an earlier run of the same command
 * (lib/cached-script.ts): a code-change publish 22 ms sooner, with 40-60 ms less processor time.
 * Setting up that 2 MB script takes about 10 ms, which a command that runs little code (`stack
 * list`) spends better on loading its few modules: the ES modules serve the rest, and every run
 * when that script cannot load (a run from source/).
 */
async function loadProgram(args: string[]): Promise<Program> {
  // The commands that run the most code: a build, a push, containers started and followed.
  const command = args.find((word) => ['publish', 'run', 'sweep'].includes(word));
  const script =
    command && !(process.stdin.isTTY && process.stdout.isTTY)
      ? await cachedScript<typeof import('./commands/program.js')>('commands.cjs', command)
      : undefined;
  if (script) return {runCli: script.exports.runCli, done: script.done};
  const {runCli} = await import('./commands/program.js');
  return {runCli, done: () => undefined};
}

/**
 * `name`, a CommonJS script beside this file (scripts/build.mjs), with the code its last run as
 * `command` compiled (lib/cached-script.ts); undefined when there is none to use (a run from
 * source/, no folder for the cache): the ES modules then serve.
 */
async function cachedScript<T>(
  name: string,
  command: string,
): Promise<{exports: T; done(code: number): void} | undefined> {
  if (!import.meta.url.endsWith('.js')) return undefined;
  try {
    const {loadCachedScript} = await import('./lib/cached-script.js');
    const script = loadCachedScript<T>(
      fileURLToPath(new URL(`./${name}`, import.meta.url)),
      command,
    );
    if (!script) return undefined;
    trace(`cli: ${name}, ${script.fromCache ? 'code from the cache' : 'no code cache'}`);
    return {exports: script.exports, done: (code) => script.keepCompiledCode(code)};
  } catch {
    // Not built beside this file, or it did not load: the modules say the same.
    return undefined;
  }
}

/**
 * `berth publish --plain | head`: a closed stdout ends berth as SIGPIPE ends other tools, but
 * through the clean-up a SIGTERM gets (a publish is recorded cancelled, its build stopped), once.
 */
function stopWhenStdoutCloses(): void {
  let stopping = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (stopping) return;
    stopping = true;
    process.kill(process.pid, 'SIGTERM');
  });
}

/**
 * node:sqlite is stable in use but Node 22 still labels it experimental on every start; so does
 * Node 24 the main loader that dist/commands.cjs imports Node's modules through (loadProgram).
 */
function silenceKnownWarnings(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (
      /SQLite is an experimental feature|vm\.USE_MAIN_CONTEXT_DEFAULT_LOADER is an experimental feature/.test(
        text,
      )
    )
      return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * `npm start -- status` runs berth in its checkout; the user means the directory they typed it in
 * (npm's INIT_CWD). Only for this package's own `start` script: berth started by another
 * package's scripts, or by a child of any script, keeps its working directory.
 */
function followNpmStart(): void {
  const {INIT_CWD: initCwd, npm_package_json: packageJson} = process.env;
  if (process.env.npm_lifecycle_event !== 'start' || !initCwd || !packageJson) return;
  if (fileURLToPath(new URL('../package.json', import.meta.url)) !== packageJson) return;
  try {
    process.chdir(initCwd);
  } catch {
    // The directory is gone: stay where npm put us.
  }
}

/**
 * The bundle's files import each other by bare file name (`./chunk-X.js`, scripts/build.mjs):
 * the URL and the format are known without Node's resolution, which stats the file and looks up
 * the package's type for every import of every chunk (a publish resolves over 300; this takes
 * its module loading from about 117 to 93 ms). Node >= 22.15 (module.registerHooks); an older
 * Node resolves as always. Anything else (npm packages, built-ins) goes to Node's resolver.
 */
function resolveChunksDirectly(
  registerHooks: typeof import('node:module').registerHooks | undefined,
): void {
  if (!registerHooks || !import.meta.url.endsWith('.js')) return;
  const bundle = new URL('./', import.meta.url).href;
  const chunk = /^\.\/[\w-]+\.js$/;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (chunk.test(specifier) && context.parentURL?.startsWith(bundle))
        return {
          url: new URL(specifier, context.parentURL).href,
          format: 'module',
          shortCircuit: true,
        };
      return nextResolve(specifier, context);
    },
  });
}
