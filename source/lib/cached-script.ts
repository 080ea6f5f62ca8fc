// A CommonJS script (scripts/build.mjs: dist/commands.cjs, dist/here.cjs) run through node:vm with a V8 code
// cache written after the run, beside Node's own compile cache. V8 compiles a function when it is
// first called; a code cache made after a run holds every function that run compiled, so the next
// run of the same command starts from them. Node's compile cache for ES modules is made as a file
// is first compiled (its top level only), and each run compiles again every function it calls:
// for a publish, about a quarter of its processor time.
//
// One cache per command (`publish`, `here` for status and repo detect...), written by the first run of that command that
// succeeds (or, until one does, by the first that fails), in a `berth` folder of Node's compile
// cache. V8 checks a cache only against the script's length and its own version and flags: the
// cache's name carries the script's place, size and modification time (a rebuilt berth never
// runs another build's code, and writing a cache removes the ones an earlier build of the same
// script left). A cache is written atomically (lib/atomic-write.ts), so a run reads a whole one
// or none (V8 refuses one cut short); like dist/ itself, it is
// trusted as written. It is used only from folders that are the user's own and nobody else can
// write to.
import {mkdirSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {createRequire, getCompileCacheDir} from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import {writeFileAtomic} from './atomic-write.js';
import {statOrNothing} from './file-errors.js';
import {fnv1a32} from './fnv.js';

export type CachedScript<T> = {
  exports: T;
  /** V8 took the code an earlier run compiled. */
  fromCache: boolean;
  /** Writes the cache for this command unless it has one from a run that ended the same way or
   *  succeeded. */
  keepCompiledCode(exitCode: number): void;
};

/**
 * Runs `file` (CommonJS) for `command`, with the code cache kept in `nodeCache`/berth (by default
 * beside Node's own, module.enableCompileCache); undefined when there is no such folder.
 */
export function loadCachedScript<T>(
  file: string,
  command: string,
  nodeCache = getCompileCacheDir?.(),
): CachedScript<T> | undefined {
  if (!nodeCache || !ownFolder(path.dirname(nodeCache)) || !ownFolder(nodeCache)) return undefined;
  const dir = path.join(nodeCache, 'berth');
  try {
    mkdirSync(dir, {mode: 0o700});
  } catch {
    // There already (checked below), or not to be made: no cache then.
  }
  if (!ownFolder(dir)) return undefined;
  const info = statSync(file);
  const place = `${fnv1a32([file]).toString(16)}-`;
  const build = `${place}${info.size}-${Math.trunc(info.mtimeMs)}-`;
  const stem = path.join(dir, `${build}${command}`);
  const succeeded = `${stem}.ok.bin`;
  const failed = `${stem}.failed.bin`;
  let used: string | undefined;
  let cachedData: Buffer | undefined;
  for (const candidate of [succeeded, failed]) {
    cachedData = readOrNothing(candidate);
    if (cachedData) {
      used = candidate;
      break;
    }
  }
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    {
      filename: file,
      ...(cachedData ? {cachedData} : {}),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const module = {exports: {} as T};
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    module.exports,
    module.exports,
    createRequire(file),
    module,
    file,
    path.dirname(file),
  );
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    fromCache: accepted,
    keepCompiledCode(exitCode) {
      const target = exitCode === 0 ? succeeded : failed;
      if (accepted && (used === succeeded || used === target)) return;
      try {
        writeFileAtomic(target, script.createCachedData(), 0o600);
        if (target === succeeded) rmSync(failed, {force: true});
        // What an earlier build of this script left is never used again.
        for (const name of readdirSync(dir))
          if (name.startsWith(place) && !name.startsWith(build))
            rmSync(path.join(dir, name), {force: true});
      } catch {
        // A cache only saves time: a full disk or a read-only folder changes nothing else.
      }
    },
  };
}

function readOrNothing(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Compiled code runs as this user: only from a folder of theirs that others cannot write to. */
function ownFolder(dir: string): boolean {
  const info = statOrNothing(dir);
  const uid = process.getuid?.();
  return (
    info !== undefined &&
    info.isDirectory() &&
    (uid === undefined || info.uid === uid) &&
    !(info.mode & 0o022)
  );
}
