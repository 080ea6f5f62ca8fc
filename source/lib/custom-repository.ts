// Loads a custom code repository from `--source ./module.js#Export`: an ES module on disk whose
// export is a class or factory implementing CodeRepository. Every way this can go wrong (no
// file, a syntax error, no such export, a missing method, a throwing constructor) is a
// UserError that names the module and what to fix.
import {stat} from 'node:fs/promises';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import type {CodeRepository} from '../models/code-repository.js';
import {UsageError, UserError, errorMessage} from './errors.js';
import {maskSecret} from './mask.js';

export const requiredMethods = ['login', 'downloadFiles', 'getLocalContext'] as const;

export type ParsedSource = {file: string; exportName: string};

/** `./m.js#Export` relative to `cwd` → absolute file and export (`default` when no `#`). */
export function parseSource(source: string, cwd: string): ParsedSource {
  const hash = source.lastIndexOf('#');
  const file = hash === -1 ? source : source.slice(0, hash);
  const exportName = hash === -1 ? 'default' : source.slice(hash + 1);
  if (file.trim() === '') {
    throw new UsageError((f) => `${f('source')} "${source}" names no file.`, {
      hint: (f) => `Write ${f('source')} ./module.js#ExportName.`,
    });
  }
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new UsageError(`"${exportName}" is not an export name.`, {
      hint: (f) => `Write ${f('source')} ./module.js#ExportName.`,
    });
  }
  return {file: path.resolve(cwd, file), exportName};
}

export function formatSource(source: ParsedSource): string {
  return `${source.file}#${source.exportName}`;
}

/** Imports the module and constructs the repository with `options`; does not call login(). */
export async function loadCustomRepository(
  source: ParsedSource,
  options: Record<string, string>,
): Promise<CodeRepository> {
  const where = formatSource(source);
  const info = await stat(source.file).catch(() => undefined);
  if (!info?.isFile()) {
    throw new UserError(`The custom repository module ${source.file} does not exist.`, {
      hint: (f) => `Check ${f('source')}: the path is relative to the current directory.`,
    });
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(source.file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`Can't load ${source.file}: ${firstLine(error)}`, {
      hint: 'It must be an ES module (.mjs, or .js in a "type": "module" package) that runs under Node.',
      cause: error,
    });
  }
  const exported = module[source.exportName];
  if (typeof exported !== 'function') {
    const names = Object.keys(module).filter((key) => typeof module[key] === 'function');
    throw new UserError(`${source.file} has no class or function export "${source.exportName}".`, {
      hint: names.length
        ? `Its function exports: ${names.join(', ')}.`
        : 'It exports no class or function.',
    });
  }

  let instance: unknown;
  try {
    instance = isClass(exported)
      ? new (exported as new (o: Record<string, string>) => unknown)({...options})
      : await (exported as (o: Record<string, string>) => unknown)({...options});
  } catch (error) {
    throw new UserError(`${where} failed to start: ${firstLine(error)}`, {
      hint: (f) => `Check the ${f('options')} values it needs.`,
      cause: error,
    });
  }
  const missing = requiredMethods.filter(
    (method) => typeof (instance as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing.length > 0) {
    throw new UserError(`${where} does not implement ${missing.map((m) => `${m}()`).join(', ')}.`, {
      hint: 'A custom repository implements login(), downloadFiles(commit, directory, subdirectory) and getLocalContext(path); see docs/custom-repositories.md.',
    });
  }
  return instance as CodeRepository;
}

/**
 * Runs one of the repository's own methods, turning what it throws into a UserError. The
 * module's message is its own: `secret` (the token it was given) is masked wherever it shows.
 */
export async function callCustom<T>(
  name: string,
  method: string,
  work: () => Promise<T> | T,
  secret?: string,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserError) throw error;
    const message = firstLine(error);
    if (secret && message.includes(secret)) {
      // Not even as the cause: the module's error (and its stack) hold the secret.
      throw new UserError(
        `Custom repository ${name}: ${method}() failed: ${message.replaceAll(secret, maskSecret(secret))}`,
        {hint: 'The message comes from the repository module.'},
      );
    }
    throw new UserError(`Custom repository ${name}: ${method}() failed: ${message}`, {
      hint: 'The message comes from the repository module.',
      cause: error,
    });
  }
}

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function firstLine(error: unknown): string {
  return errorMessage(error).split('\n')[0] ?? '';
}
