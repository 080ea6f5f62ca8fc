// `.berth/config.yaml`: a berth repository's own active profile and stack.
import {existsSync, mkdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../lib/atomic-write.js';
import {parseFlatYaml} from '../lib/flat-yaml.js';
import {UserError} from '../lib/errors.js';
import {fileError} from '../lib/file-errors.js';
import {withLock} from '../lib/lock.js';
import {parseRepositoryConfig, type RepositoryConfig} from '../models/profile.js';

export const repositoryDirName = '.berth';

export function repositoryConfigFile(root: string): string {
  return path.join(root, repositoryDirName, 'config.yaml');
}

/** `$BERTH_REPOSITORY_PATH` if set, else the nearest ancestor of `cwd` holding `.berth/`. */
export function findRepositoryRoot(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  return searchRepositoryRoot(cwd, env).root;
}

/**
 * The repository root and every `.berth` path looked at to find it, nearest first, the root's
 * last: another `.berth/` appearing among them would change the answer (the shell prompt's
 * cache watches them, services/context-inputs.ts).
 */
export function searchRepositoryRoot(
  cwd: string,
  env: NodeJS.ProcessEnv,
): {root: string | undefined; looked: string[]} {
  const fromEnv = env.BERTH_REPOSITORY_PATH;
  if (fromEnv) {
    const root = path.resolve(cwd, fromEnv);
    if (!isDirectory(path.join(root, repositoryDirName))) {
      throw new UserError(
        `BERTH_REPOSITORY_PATH points to ${root}, which is not a berth repository.`,
        {
          hint: (_f, act) =>
            `Make it one (${act({kind: 'init', path: root})}), or unset BERTH_REPOSITORY_PATH.`,
        },
      );
    }
    return {root, looked: [path.join(root, repositoryDirName)]};
  }
  const looked: string[] = [];
  let directory = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(directory, repositoryDirName);
    looked.push(candidate);
    if (isDirectory(candidate)) return {root: directory, looked};
    const parent = path.dirname(directory);
    if (parent === directory) return {root: undefined, looked};
    directory = parent;
  }
}

/** Far more than two names need: a larger file is not a berth config (or is an attack). */
const maxConfigBytes = 64 * 1024;

const configHint =
  'It holds `active_profile: NAME`, `active_stack: NAME` and a `tokens:` map, without YAML aliases; berth left the file unchanged.';

/** Far deeper than the config's one level of nesting (`tokens:`), far below a stack overflow. */
const maxNesting = 16;

export async function readRepositoryConfig(root: string): Promise<RepositoryConfig> {
  const file = repositoryConfigFile(root);
  if (!existsSync(file)) return {};
  const text = readConfigText(file);
  // The flat YAML berth writes is read without the YAML library (start-up time of every
  // command in a repository, `status --prompt` above all); anything richer goes to the library.
  const parsed = parseRepositoryConfig(parseFlatYaml(text) ?? (await parseYaml(file, text)));
  if (!parsed.ok) {
    throw new UserError(`${file}: ${parsed.path}: ${parsed.message}.`, {
      hint: configHint,
    });
  }
  return parsed.value;
}

async function parseYaml(file: string, text: string): Promise<unknown> {
  // yaml is loaded only for a file the flat reader does not take.
  const depth = nestingDepth(text);
  if (depth > maxNesting) {
    throw new UserError(
      `${file} nests collections ${depth} levels deep; a berth repository config is ${maxNesting} at most.`,
      {hint: configHint},
    );
  }
  const {parseDocument} = await loadYaml();
  const document = parseDocument(text, {prettyErrors: true, uniqueKeys: true});
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0];
    const where = line ? `${file}:${line.line}:${line.col}` : file;
    throw new UserError(`${where}: ${first.message.split('\n')[0]}`, {
      hint: 'Fix the YAML by hand; berth left the file unchanged.',
    });
  }
  try {
    // Two names need no aliases; refusing them outright also stops an alias bomb.
    return document.toJS({maxAliasCount: 0});
  } catch (error) {
    throw new UserError(`${file} uses a YAML alias (*name); a berth repository config has none.`, {
      hint: configHint,
      cause: error,
    });
  }
}

/**
 * The deepest nesting of flow collections (`[`, `{`) and of indented blocks, outside quotes and
 * comments: a file of 60,000 `[` would otherwise overflow the YAML parser's stack.
 */
function nestingDepth(text: string): number {
  let deepest = 0;
  for (const line of text.split('\n')) {
    const indent = /^[ -]*/.exec(line)![0].length;
    deepest = Math.max(deepest, Math.ceil(indent / 2));
  }
  let depth = 0;
  let quote: string | undefined;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') comment = false;
    if (comment) continue;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return deepest;
}

export async function updateRepositoryConfig(
  root: string,
  change: (config: RepositoryConfig) => void,
): Promise<RepositoryConfig> {
  const file = repositoryConfigFile(root);
  const directory = path.dirname(file);
  if (existsSync(directory) && !isDirectory(directory)) {
    throw new UserError(
      `${directory} is a file, not a directory; berth keeps a repository's config in it.`,
      {
        hint: 'Move the file away, or make another directory the berth repository.',
      },
    );
  }
  try {
    mkdirSync(directory, {recursive: true});
  } catch (error) {
    throw fileError(error, directory, 'create');
  }
  const {stringify} = await loadYaml();
  return withLock(file, async () => {
    const config = {...(await readRepositoryConfig(root))};
    change(config);
    keepOutOfGit(root);
    const ordered: RepositoryConfig = {
      active_profile: config.active_profile,
      active_stack: config.active_stack,
      previous_stack: config.previous_stack,
      tokens: config.tokens && Object.keys(config.tokens).length > 0 ? config.tokens : undefined,
    };
    try {
      writeFileAtomic(file, stringify(JSON.parse(JSON.stringify(ordered))));
    } catch (error) {
      throw fileError(error, file);
    }
    return ordered;
  });
}

/**
 * A new `.berth/` gets a `.gitignore` of `*` before its config.yaml exists, so `berth init` never
 * makes a clean checkout dirty (which would also turn off dependencies-only publishing). It sits
 * in the tree, where a team that wants to share the config sees it and edits it; an existing
 * config.yaml (perhaps committed on purpose) is never given one.
 */
function keepOutOfGit(root: string): void {
  const directory = path.join(root, repositoryDirName);
  if (existsSync(path.join(directory, 'config.yaml'))) return;
  const ignore = path.join(directory, '.gitignore');
  if (existsSync(ignore)) return;
  writeFileAtomic(
    ignore,
    [
      '# Written by `berth init`: this folder stays out of git, so the checkout stays clean.',
      '# To share .berth/config.yaml with your team, replace `*` with these three lines:',
      '#   *',
      '#   !.gitignore',
      '#   !config.yaml',
      '# and commit both files.',
      '*',
      '',
    ].join('\n'),
  );
}

/** The file's text, or an error that names it: a directory, unreadable, or far too large. */
function readConfigText(file: string): string {
  try {
    const info = statSync(file);
    if (info.isDirectory()) {
      throw new UserError(`${file} is a directory, not a file.`, {
        hint: (_f, act) => `Remove it; init writes the file again (${act({kind: 'init'})}).`,
      });
    }
    if (!info.isFile()) {
      // A device (a symlink to /dev/zero or /dev/stdin) or a FIFO would be read forever.
      throw new UserError(`${file} is not a regular file (a device, FIFO or socket).`, {
        hint: (_f, act) => `Remove it; init writes the file again (${act({kind: 'init'})}).`,
      });
    }
    if (info.size > maxConfigBytes) {
      throw new UserError(
        `${file} is ${info.size} bytes; a berth repository config is a few lines (limit ${maxConfigBytes} bytes).`,
        {hint: configHint},
      );
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw fileError(error, file, 'read');
  }
}

/** yaml is CommonJS for Node: a bundled dynamic import gives its exports under `default`. */
async function loadYaml(): Promise<typeof import('yaml')> {
  const module = (await import('yaml')) as typeof import('yaml') & {
    default?: typeof import('yaml');
  };
  return module.default ?? module;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
