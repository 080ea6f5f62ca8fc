// Finds the entry point of a code project: the one `.py` file that declares the module.
import {closeSync, fstatSync, openSync, readdirSync, readSync} from 'node:fs';
import {realpath, stat} from 'node:fs/promises';
import path from 'node:path';
import {breather} from '../../lib/breather.js';
import {ExitCode, FieldError, UserError, type FieldText} from '../../lib/errors.js';
import {AnnotationError, declaresModule} from './annotations.js';
import {PYTHON_LIMITS, tooLargeMessage} from './python-syntax.js';

/** Folders never searched: they hold installed packages or tool state, not the project's code. */
const SKIPPED_FOLDERS = new Set(['venv', '__pycache__', 'node_modules', 'site-packages']);

/** A problem with the entry point, naming the field that chooses it (`entry`). Exit 1. */
function entryError(message: string, hint: FieldText): FieldError {
  return new FieldError('entry', message, {hint, exitCode: ExitCode.failure});
}

/** POSIX path relative to the project directory; `entry` (chosen by the user) wins over discovery. */
export async function findEntryPoint(
  projectDir: string,
  options: {entry?: string} = {},
): Promise<string> {
  if (options.entry !== undefined) return checkEntry(projectDir, options.entry);

  const candidates: string[] = [];
  for (const file of await pythonFiles(projectDir)) {
    const {source} = readPythonStart(projectDir, file);
    if (declaresModule(source)) candidates.push(file);
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw entryError(
      `No Python file in ${projectDir} declares a module with @data_processor.`,
      (f) => `Add @data_processor(name=...) above the entry function, or pass ${f('entry')} FILE.`,
    );
  }
  throw entryError(
    `Several Python files declare a module: ${candidates.join(', ')}.`,
    (f) => `Choose one with ${f('entry')}, e.g. ${f('entry')} ${candidates[0]}.`,
  );
}

async function checkEntry(projectDir: string, entry: string): Promise<string> {
  const absolute = path.resolve(projectDir, entry);
  const relative = path.relative(path.resolve(projectDir), absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw entryError(
      `The entry point ${entry} is not inside ${projectDir}.`,
      (f) => `Pass ${f('entry')} a .py file inside the project, relative to it.`,
    );
  }
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) {
    throw entryError(
      `The entry point ${entry} does not exist in ${projectDir}.`,
      (f) => `Pass ${f('entry')} a .py file inside the project, relative to it.`,
    );
  }
  // A symbolic link may lead out of the project: berth never reads or sends what is outside.
  const [realProject, realEntry] = await Promise.all([realpath(projectDir), realpath(absolute)]);
  const inside = path.relative(realProject, realEntry);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new UserError(
      `The entry point ${entry} is a symbolic link that leads out of ${projectDir}; berth does not follow it.`,
      {hint: 'Replace the link with the file itself, inside the project.'},
    );
  }
  if (!absolute.endsWith('.py')) {
    throw entryError(
      `The entry point ${entry} is not a Python file.`,
      (f) => `Pass ${f('entry')} a .py file.`,
    );
  }
  return relative.split(path.sep).join('/');
}

/**
 * Bytes read of one Python file: a file past this is refused on its size alone, never read
 * whole (a 5 GB file would not even fit in a string). Any text this long is over
 * `PYTHON_LIMITS.maxChars` characters, so the parser refuses it too.
 */
const MAX_READ_BYTES = 4 * PYTHON_LIMITS.maxChars;

/**
 * The file's text, or its first `MAX_READ_BYTES` bytes, and its size in bytes. Read
 * synchronously: a source file is read in microseconds, where each of the four steps through
 * libuv's thread pool (open, stat, read, close) waits for a worker thread to be scheduled,
 * milliseconds each on a busy machine, for every candidate file and again for the entry point.
 */
function readPythonStart(projectDir: string, file: string): {source: string; size: number} {
  const fd = openSync(path.join(projectDir, ...file.split('/')), 'r');
  try {
    const {size} = fstatSync(fd);
    const buffer = Buffer.allocUnsafe(Math.min(size, MAX_READ_BYTES));
    let bytesRead = 0;
    while (bytesRead < buffer.length) {
      const read = readSync(fd, buffer, bytesRead, buffer.length - bytesRead, bytesRead);
      if (read === 0) break;
      bytesRead += read;
    }
    return {source: buffer.subarray(0, bytesRead).toString('utf8'), size};
  } finally {
    closeSync(fd);
  }
}

/** The entry point's text; a file too large to read is refused at its file:1:1. */
export async function readEntryPoint(projectDir: string, file: string): Promise<string> {
  const {source, size} = readPythonStart(projectDir, file);
  if (size > MAX_READ_BYTES) {
    throw new AnnotationError(
      file,
      [{line: 1, column: 1, message: tooLargeMessage(size)}],
      'limit',
    );
  }
  return source;
}

/** Every `.py` file of the project (POSIX paths, sorted), outside skipped folders. */
export async function pythonFiles(projectDir: string): Promise<string[]> {
  const found: string[] = [];
  const breathe = breather();
  async function walk(relative: string): Promise<void> {
    const absolute = path.join(projectDir, ...relative.split('/').filter(Boolean));
    const entries = readdirSync(absolute, {withFileTypes: true});
    await breathe();
    // A virtual environment may have any name; `pyvenv.cfg` marks it (PEP 405).
    if (relative !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && e.isFile())) return;
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      // Symbolic links are not followed: they can loop or lead out of the project.
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) await walk(child);
      } else if (entry.isFile() && entry.name.endsWith('.py')) {
        found.push(child);
      }
    }
  }
  await walk('');
  return found.sort(comparePaths);
}

/** Byte order, so results do not depend on the locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
