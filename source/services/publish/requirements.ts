// Validates a project's requirements.txt as pip reads it, before anything is built, so a typo
// fails in a second with its file and line instead of minutes into `pip install`.
//
// What is accepted: PEP 508 requirements (extras, version specifiers, `name @ URL`, markers),
// bare wheel and sdist URLs (`https://host/pkg-1.0-py3-none-any.whl; marker`, the name from the
// file name), VCS URLs (`git+https://host/o/r.git@ref#egg=name`, the name from `#egg=` or else
// found by pip), `--hash` and `--config-settings` after a requirement, comments, blank lines,
// `\` continuations, and the option lines pip reads from the file: -r/--requirement and
// -c/--constraint (paths relative to the including file, nested any depth, inside the project:
// they are copied into the image beside requirements.txt), --index-url/-i, --extra-index-url,
// --find-links/-f (a folder of the project is copied too), --no-index, --trusted-host, --pre,
// --prefer-binary, --only-binary, --no-binary, --require-hashes, --use-feature.
//
// Refused, each with what to do instead: -e and local paths (the project's source is not in the
// image when dependencies install), included files outside the project (also through a
// symbolic link), credentials in any URL and ${VARIABLES} (they would end up in an image layer;
// every message masks them). Limits bound the work on any input: file size, number of files,
// include depth, marker nesting, and how many problems are listed.
import {lstatSync, readFileSync, realpathSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../../lib/errors.js';
import {statOrNothing} from '../../lib/file-errors.js';
import {formatBytes} from '../../lib/format.js';
import {maskSecret} from '../../lib/mask.js';
import {shortenEchoes} from '../../lib/shorten.js';

export const REQUIREMENTS_LIMITS = {
  /** Characters in one requirements or constraints file (real ones are a few kilobytes). */
  maxChars: 1024 * 1024,
  /** Files reached through -r/-c, requirements.txt included. */
  maxFiles: 100,
  /** -r/-c nesting below requirements.txt. */
  maxDepth: 20,
  /** Parentheses in one environment marker. */
  maxMarkerDepth: 32,
  /** Problems listed in one error; the rest are counted. */
  maxListedProblems: 20,
  /** Reading stops after this many problems (the first ones are the ones to fix). */
  maxProblems: 100,
} as const;

export type Requirement = {
  /** The file it is in, POSIX, relative to the project. */
  file: string;
  /** First physical line of the requirement (1-based). */
  line: number;
  /** As written, from the `#egg=` fragment or the wheel/sdist file name; null when pip finds it. */
  name: string | null;
  /** PEP 503 form: lowercase, runs of `-_.` as one `-`; null with `name`. */
  normalizedName: string | null;
  extras: string[];
  /** e.g. `>=1.2,<2`; '' when any version will do. */
  specifier: string;
  url: string | null;
  marker: string | null;
  hashes: string[];
};

export type PipOptions = {
  indexUrl: string | null;
  extraIndexUrls: string[];
  findLinks: string[];
  noIndex: boolean;
  trustedHosts: string[];
  pre: boolean;
  preferBinary: boolean;
  onlyBinary: string[];
  noBinary: string[];
};

/** A file pip reads: requirements.txt, or one it includes with -r or -c. */
export type RequirementsFile = {
  /** POSIX, relative to the project. */
  path: string;
  /** As read: what is copied into the image and what the dependency checksum covers. */
  text: string;
  kind: 'requirements' | 'constraints';
};

export type Requirements = {
  file: string;
  /** False when the project has no requirements.txt (allowed: nothing to install). */
  present: boolean;
  /** requirements.txt as read. */
  text: string;
  /** requirements.txt first, then every file it includes, each once, in the order pip meets them. */
  files: RequirementsFile[];
  requirements: Requirement[];
  /** Lines of -c files: they pin versions, they install nothing. */
  constraints: Requirement[];
  options: PipOptions;
  /** Project folders named by --find-links, POSIX, relative to the project (copied before pip). */
  localFindLinks: string[];
  notes: string[];
};

export type RequirementsProblem = {file: string; line: number; message: string};

export class RequirementsError extends UserError {
  readonly problems: RequirementsProblem[];

  constructor(file: string, problems: RequirementsProblem[]) {
    const listed = problems
      .slice(0, REQUIREMENTS_LIMITS.maxListedProblems)
      .map((p) => `  ${p.file}:${p.line}: ${p.message}`);
    if (problems.length > REQUIREMENTS_LIMITS.maxListedProblems) {
      listed.push(`  ... and ${problems.length - REQUIREMENTS_LIMITS.maxListedProblems} more.`);
    }
    super(
      `${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${listed.join('\n')}`,
      {hint: `Fix ${file}, then run \`berth publish --dry-run\` to check it again.`},
    );
    this.problems = problems;
  }
}

export function emptyPipOptions(): PipOptions {
  return {
    indexUrl: null,
    extraIndexUrls: [],
    findLinks: [],
    noIndex: false,
    trustedHosts: [],
    pre: false,
    preferBinary: false,
    onlyBinary: [],
    noBinary: [],
  };
}

/**
 * Reads `requirements.txt` at the project root and every file it includes; a missing
 * requirements.txt means no dependencies. Nothing outside the project is read, also not
 * through a symbolic link.
 *
 * With synchronous reads: a few small files, where each step through libuv's thread pool
 * (realpath, lstat, stat, open, read, close) would wait for the main thread, busy parsing the
 * Python files while the publish reads them.
 */
export async function readRequirements(projectDir: string): Promise<Requirements> {
  const file = 'requirements.txt';
  const root = realpathSync(projectDir);
  const absolute = path.join(root, file);
  const info = statOrNothing(absolute, lstatSync);
  if (!info) {
    const misspelled = statOrNothing(path.join(root, 'requirement.txt'));
    if (misspelled?.isFile()) {
      throw new UserError('The project has requirement.txt but no requirements.txt.', {
        hint: 'Rename it: `git mv requirement.txt requirements.txt` (pip and berth read requirements.txt).',
      });
    }
    return {
      ...parseRequirements('', file),
      present: false,
      notes: ['No requirements.txt: the image gets no packages beyond the base image.'],
    };
  }

  const reader = new IncludeReader(root);
  const text = reader.readProjectFile(file, null);
  const result = reader.parse(text, file, 'requirements');
  reader.follow(result, 0);
  const problems = reader.problems;
  for (const folder of result.value.localFindLinks) {
    const inside = reader.insideProject(folder);
    const folderInfo = inside ? statOrNothing(path.join(root, ...folder.split('/'))) : undefined;
    if (!folderInfo?.isDirectory()) {
      problems.push({
        file,
        line: lineOfOption(text, folder),
        message: inside
          ? `--find-links ${folder} is not a folder of the project. Create it with the wheels, or link to an index URL.`
          : `--find-links ${folder} leads out of the project (a symbolic link); berth does not follow it. Put the wheels in a folder of the project.`,
      });
    }
  }
  if (problems.length > 0) throw new RequirementsError(file, problems);
  return {...result.value, files: reader.files};
}

type ParsedFile = {value: Requirements; includes: Include[]};
type Include = {
  file: string;
  line: number;
  target: string;
  kind: 'requirements' | 'constraints';
  /** How many requirements of the including file come before it (pip's order). */
  at: number;
};

/** Follows -r/-c from file to file, inside the project, each file once, within the limits. */
class IncludeReader {
  readonly problems: RequirementsProblem[] = [];
  readonly files: RequirementsFile[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly root: string) {}

  /** The text of a project file, or a thrown error naming `from` (where it was included). */
  readProjectFile(relative: string, from: Include | null): string {
    const where = from ? `${from.file}:${from.line}: ` : '';
    const absolute = path.join(this.root, ...relative.split('/'));
    if (!this.insideProject(relative)) {
      throw new UserError(
        `${where}${relative} is a symbolic link that leads out of the project; berth does not follow it.`,
        {
          hint: `Replace the link with the file itself (inside the project), then run \`berth publish --dry-run\`.`,
        },
      );
    }
    const info = statOrNothing(absolute);
    if (!info) {
      throw new UserError(`${where}${relative} does not exist in the project.`, {
        hint: 'Create it, or fix the path: -r and -c paths are relative to the file that names them.',
      });
    }
    if (!info.isFile()) {
      throw new UserError(`${where}${relative} is not a file.`, {
        hint: 'Make it a file listing one package per line.',
      });
    }
    if (info.size > REQUIREMENTS_LIMITS.maxChars * 4) {
      throw this.tooLarge(relative, info.size);
    }
    const text = readFileSync(absolute, 'utf8');
    if (text.length > REQUIREMENTS_LIMITS.maxChars) throw this.tooLarge(relative, text.length);
    return text;
  }

  private tooLarge(relative: string, size: number): UserError {
    return new UserError(
      `${relative} is ${formatBytes(size)}; berth reads requirements files up to ${formatBytes(REQUIREMENTS_LIMITS.maxChars)}.`,
      {hint: 'List the packages your module needs, one per line.'},
    );
  }

  /** Whether the project path resolves (through any symbolic links) inside the project. */
  insideProject(relative: string): boolean {
    let resolved: string | null | undefined;
    try {
      resolved = realpathSync(path.join(this.root, ...relative.split('/')));
    } catch (error) {
      resolved = (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
    }
    if (resolved === null) {
      // A missing file: whether a link on the way leads out is decided by its parent.
      const parent = path.posix.dirname(relative);
      return parent === '.' || parent === relative ? true : this.insideProject(parent);
    }
    if (resolved === undefined) return false;
    const back = path.relative(this.root, resolved);
    return back === '' || (!back.startsWith('..') && !path.isAbsolute(back));
  }

  parse(text: string, file: string, kind: 'requirements' | 'constraints'): ParsedFile {
    this.seen.add(file);
    this.files.push({path: file, text, kind});
    const includes: Include[] = [];
    const value = parseRequirementsText(text, file, kind, includes, this.problems);
    return {value, includes};
  }

  /** Reads what `parsed` includes, depth first (pip's order), and merges it into `parsed`. */
  follow(parsed: ParsedFile, depth: number, chain: string[] = []): void {
    const own = parsed.value.file;
    const into = parsed.value;
    const ownRequirements = into.requirements;
    into.requirements = [];
    let taken = 0;
    for (const include of parsed.includes) {
      into.requirements.push(...ownRequirements.slice(taken, include.at));
      taken = include.at;
      if (chain.includes(include.target) || include.target === own) {
        this.problems.push({
          file: include.file,
          line: include.line,
          message: `${include.target} includes itself (through ${[...chain, own].join(' → ')}). Remove one of the -r/-c lines.`,
        });
        continue;
      }
      if (this.seen.has(include.target)) continue;
      if (depth + 1 > REQUIREMENTS_LIMITS.maxDepth) {
        this.problems.push({
          file: include.file,
          line: include.line,
          message: `includes files more than ${REQUIREMENTS_LIMITS.maxDepth} levels deep; berth reads at most ${REQUIREMENTS_LIMITS.maxDepth}.`,
        });
        break;
      }
      if (this.files.length >= REQUIREMENTS_LIMITS.maxFiles) {
        this.problems.push({
          file: include.file,
          line: include.line,
          message: `includes more than ${REQUIREMENTS_LIMITS.maxFiles} files; berth reads at most ${REQUIREMENTS_LIMITS.maxFiles}.`,
        });
        break;
      }
      const text = this.readProjectFile(include.target, include);
      const child = this.parse(text, include.target, include.kind);
      this.follow(child, depth + 1, [...chain, own]);
      const from = child.value;
      if (include.kind === 'requirements') into.requirements.push(...from.requirements);
      else into.constraints.push(...from.requirements);
      into.constraints.push(...from.constraints);
      mergeOptions(into.options, from.options);
      for (const folder of from.localFindLinks) {
        if (!into.localFindLinks.includes(folder)) into.localFindLinks.push(folder);
      }
    }
    into.requirements.push(...ownRequirements.slice(taken));
  }
}

function mergeOptions(into: PipOptions, from: PipOptions): void {
  if (from.indexUrl !== null) into.indexUrl = from.indexUrl;
  into.extraIndexUrls.push(...from.extraIndexUrls);
  into.findLinks.push(...from.findLinks);
  into.noIndex ||= from.noIndex;
  into.trustedHosts.push(...from.trustedHosts);
  into.pre ||= from.pre;
  into.preferBinary ||= from.preferBinary;
  into.onlyBinary.push(...from.onlyBinary);
  into.noBinary.push(...from.noBinary);
}

function lineOfOption(text: string, value: string): number {
  const index = text.split(/\r?\n/).findIndex((l) => l.includes(value));
  return index + 1;
}

type LogicalLine = {line: number; text: string};

/** pip's preprocessing: join `\` continuations, then drop comments (`#` at the start or after whitespace). */
function logicalLines(text: string): LogicalLine[] {
  const physical = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lines: LogicalLine[] = [];
  let pending: LogicalLine | null = null;
  physical.forEach((raw, index) => {
    const current: LogicalLine = pending ?? {line: index + 1, text: ''};
    if (raw.endsWith('\\') && !/^\s*#/.test(raw)) {
      current.text += raw.slice(0, -1);
      pending = current;
      return;
    }
    current.text += raw;
    pending = null;
    lines.push(current);
  });
  if (pending) lines.push(pending);
  return lines
    .map((l) => ({line: l.line, text: stripComment(l.text).trim()}))
    .filter((l) => l.text !== '');
}

/** pip's `(^|\s+)#.*$`, in linear time (the regex backtracks on long runs of spaces). */
function stripComment(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 35) continue;
    if (i === 0 || /\s/.test(text[i - 1]!)) return text.slice(0, i);
  }
  return text;
}

const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?';
const NAME_PATTERN = new RegExp(`^${NAME}$`);
const VERSION_CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*$/;

/**
 * Parses one requirements file's text (no includes are read: -r/-c lines are checked and
 * listed). Throws a RequirementsError listing every problem.
 */
export function parseRequirements(text: string, file = 'requirements.txt'): Requirements {
  const problems: RequirementsProblem[] = [];
  const result = parseRequirementsText(text, file, 'requirements', [], problems);
  if (problems.length > 0) throw new RequirementsError(file, problems);
  return result;
}

function parseRequirementsText(
  text: string,
  file: string,
  kind: 'requirements' | 'constraints',
  includes: Include[],
  problems: RequirementsProblem[],
): Requirements {
  const requirements: Requirement[] = [];
  const options = emptyPipOptions();
  const localFindLinks: string[] = [];

  if (text.length > REQUIREMENTS_LIMITS.maxChars) {
    problems.push({
      file,
      line: 1,
      message: `is ${formatBytes(text.length)}; berth reads requirements files up to ${formatBytes(REQUIREMENTS_LIMITS.maxChars)}.`,
    });
    text = '';
  }
  for (const {line, text: content} of logicalLines(text)) {
    if (problems.length >= REQUIREMENTS_LIMITS.maxProblems) {
      problems.push({
        file,
        line,
        message: `berth stops reading after ${REQUIREMENTS_LIMITS.maxProblems} problems; fix these first.`,
      });
      break;
    }
    // Every message is masked: a line may hold a token even where it is not a URL's.
    const problem = (message: string) =>
      problems.push({file, line, message: shortenEchoes(maskSecrets(message))});
    const secret = findSecret(content);
    if (secret) {
      problem(secret);
      continue;
    }
    if (content.startsWith('-')) {
      readOptionLine(content, {
        file,
        line,
        requirements,
        kind,
        options,
        localFindLinks,
        includes,
        problem,
      });
      continue;
    }
    const requirement = readRequirementLine(content, file, line, problem);
    if (requirement) requirements.push(requirement);
  }
  return {
    file,
    present: true,
    text,
    files: [{path: file, text, kind}],
    requirements,
    constraints: [],
    options,
    localFindLinks,
    notes: [],
  };
}

// --- Secrets ------------------------------------------------------------------------------

// Each pattern is linear in the line's length (bounded repetitions before a fixed delimiter):
// these run on whatever a requirements file holds.
/** A query parameter, its name at most 64 characters: `?token=...`, `&private_token=...`. */
const QUERY_PARAMETER = /([?&;])([^=&#\s?;/]{1,64})=([^&#\s)]*)/g;
/** Parameter names whose values are credentials. */
const SECRET_PARAMETER_NAME = /token|key|secret|password|passwd|pwd|auth|sig|credential/i;
/** Tokens of known forges and clouds, wherever they appear. */
const KNOWN_TOKEN =
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|gl(?:pat|oas|dt|rt)-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|hf_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})\b/g;
/** `scheme://userinfo@`: anything before the last `@` of a URL's authority (spaces too). */
const URL_USERINFO = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)([^/?#]*)@/g;

function hasSecretParameter(text: string): boolean {
  for (const [, , name, value] of text.matchAll(QUERY_PARAMETER)) {
    if (value !== '' && SECRET_PARAMETER_NAME.test(name!)) return true;
  }
  return false;
}

/** Why this line must not reach an image, or undefined. The value itself is never repeated. */
function findSecret(content: string): string | undefined {
  // Most lines hold no URL and no token-like word: nothing to look for.
  if (!/[:?&;$]|gh|gl|AKIA|hf_|xox/.test(content)) return undefined;
  if (content.includes('${')) {
    return 'uses an environment variable (${...}); berth passes none to builds, so secrets never reach an image. Write the value itself, without credentials.';
  }
  // An ssh user name (`git+ssh://git@host/...`) is not a secret.
  const hasUserinfo = [...content.matchAll(URL_USERINFO)].some(
    ([, scheme, userinfo]) => !/ssh/i.test(scheme!) || userinfo!.includes(':'),
  );
  const hasParameter = hasSecretParameter(content);
  KNOWN_TOKEN.lastIndex = 0;
  const hasToken = KNOWN_TOKEN.test(content);
  if (!hasUserinfo && !hasParameter && !hasToken) return undefined;
  const what = hasToken
    ? 'a token in it'
    : hasParameter
      ? 'a credential in its query'
      : 'credentials in it';
  return `has ${what} (${maskSecrets(content)}); a requirements file is copied into the image, so it would be stored in an image layer. Remove it: berth supports only indexes and URLs that need no credentials.`;
}

/** The text with URL credentials, secret query values and known tokens masked. */
export function maskSecrets(text: string): string {
  if (!/[:?&;]|gh|gl|AKIA|hf_|xox/.test(text)) return text;
  return text
    .replace(KNOWN_TOKEN, (token) => maskSecret(token))
    .replace(URL_USERINFO, (whole, scheme: string, userinfo: string) =>
      /ssh/i.test(scheme) && !userinfo.includes(':') ? whole : `${scheme}****@`,
    )
    .replace(QUERY_PARAMETER, (whole, separator: string, name: string, value: string) =>
      value !== '' && SECRET_PARAMETER_NAME.test(name) ? `${separator}${name}=****` : whole,
    );
}

// --- Option lines -------------------------------------------------------------------------

function tokenize(content: string): string[] {
  // pip splits option lines with shlex; quotes are rare here, so quoted words are enough.
  const tokens: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of content.matchAll(pattern)) tokens.push(match[1] ?? match[2] ?? match[3]!);
  return tokens;
}

const VALUE_OPTIONS: Record<string, string> = {
  '-i': 'index-url',
  '--index-url': 'index-url',
  '--extra-index-url': 'extra-index-url',
  '-f': 'find-links',
  '--find-links': 'find-links',
  '--trusted-host': 'trusted-host',
  '--only-binary': 'only-binary',
  '--no-binary': 'no-binary',
  '-r': 'requirement',
  '--requirement': 'requirement',
  '-c': 'constraint',
  '--constraint': 'constraint',
  '-e': 'editable',
  '--editable': 'editable',
  '--use-feature': 'use-feature',
};

const FLAG_OPTIONS: Record<string, string> = {
  '--no-index': 'no-index',
  '--pre': 'pre',
  '--prefer-binary': 'prefer-binary',
  '--require-hashes': 'require-hashes',
};

type OptionContext = {
  file: string;
  line: number;
  /** The file's requirements read so far. */
  requirements: Requirement[];
  kind: 'requirements' | 'constraints';
  options: PipOptions;
  localFindLinks: string[];
  includes: Include[];
  problem: (message: string) => void;
};

function readOptionLine(content: string, context: OptionContext): void {
  const {options, localFindLinks, problem} = context;
  const tokens = tokenize(content);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    let flag = token;
    let attached: string | undefined;
    if (token.startsWith('--')) {
      const equals = token.indexOf('=');
      if (equals > 0) {
        flag = token.slice(0, equals);
        attached = token.slice(equals + 1);
      }
    } else if (/^-[a-z]./i.test(token)) {
      // optparse's short options take their value attached, too: `-rbase.txt`.
      flag = token.slice(0, 2);
      attached = token.slice(2);
    }
    const flagOption = FLAG_OPTIONS[flag];
    if (flagOption && attached === undefined) {
      if (flagOption === 'no-index') options.noIndex = true;
      else if (flagOption === 'pre') options.pre = true;
      else if (flagOption === 'prefer-binary') options.preferBinary = true;
      continue;
    }
    const valueOption = VALUE_OPTIONS[flag];
    if (!valueOption) {
      problem(
        `pip option ${flag} is not supported here. Use -r, -c, --index-url, --extra-index-url, --find-links, --no-index, --trusted-host, --pre, --prefer-binary, --only-binary, --no-binary or --require-hashes.`,
      );
      return;
    }
    const value = attached ?? tokens[++i];
    if (value === undefined || value === '') {
      problem(`${flag} needs a value, e.g. ${flag} ${VALUE_EXAMPLES[valueOption] ?? 'VALUE'}.`);
      return;
    }
    switch (valueOption) {
      case 'requirement':
      case 'constraint':
        if (!readInclude(flag, value, valueOption, context)) return;
        break;
      case 'editable':
        problem(editableAdvice(flag, value, tokens.slice(i + 1)));
        return;
      case 'index-url':
      case 'extra-index-url':
        if (!checkUrl(flag, value, problem)) return;
        if (valueOption === 'index-url') options.indexUrl = value;
        else options.extraIndexUrls.push(value);
        break;
      case 'find-links': {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
          if (value.toLowerCase().startsWith('file:')) {
            problem(
              `--find-links ${value} is a path on this machine, not in the image. Put the wheels in a folder of the project and write --find-links FOLDER.`,
            );
            return;
          }
          if (!checkUrl(flag, value, problem)) return;
          options.findLinks.push(value);
          break;
        }
        const folder = projectPath(value, null);
        if (folder === null) {
          problem(
            `--find-links ${value} is outside the project, so it is not in the image. Put the wheels in a folder of the project and write --find-links FOLDER.`,
          );
          return;
        }
        options.findLinks.push(folder);
        if (!localFindLinks.includes(folder)) localFindLinks.push(folder);
        break;
      }
      case 'trusted-host':
        options.trustedHosts.push(value);
        break;
      case 'only-binary':
        options.onlyBinary.push(value);
        break;
      case 'no-binary':
        options.noBinary.push(value);
        break;
      case 'use-feature':
        break;
    }
  }
}

const VALUE_EXAMPLES: Record<string, string> = {
  'index-url': 'https://pypi.example.org/simple',
  'extra-index-url': 'https://pypi.example.org/simple',
  'find-links': 'wheels',
  'trusted-host': 'pypi.example.org',
  'only-binary': ':all:',
  'no-binary': ':none:',
  requirement: 'requirements/base.txt',
  constraint: 'constraints.txt',
  editable: '.',
  'use-feature': 'truststore',
};

/**
 * A path of the project, POSIX and normalised, for `value` written in the file `from`
 * (relative to its folder; null: the project root). Null when it leaves the project.
 */
function projectPath(value: string, from: string | null): string | null {
  const written = value.replaceAll('\\', '/');
  if (path.posix.isAbsolute(written) || /^[A-Za-z]:\//.test(written) || written.startsWith('~')) {
    return null;
  }
  const base = from === null ? '' : path.posix.dirname(from);
  const joined = path.posix.normalize(path.posix.join(base === '.' ? '' : base, written));
  const cleaned = joined.replace(/\/+$/, '');
  if (cleaned === '..' || cleaned.startsWith('../') || cleaned === '.' || cleaned === '') {
    return cleaned === '.' || cleaned === '' ? '.' : null;
  }
  return cleaned;
}

function readInclude(
  flag: string,
  value: string,
  kind: 'requirement' | 'constraint',
  context: OptionContext,
): boolean {
  const {problem} = context;
  const noun = kind === 'constraint' ? 'constraints file' : 'requirements file';
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[A-Za-z]:[\\/]/.test(value)) {
    problem(
      `${flag} ${value} is a URL; berth copies included files into the image and fetches nothing while it checks. Save that ${noun} in the project and write ${flag} with its path.`,
    );
    return false;
  }
  const target = projectPath(value, context.file);
  if (target === null || target === '.') {
    problem(
      `${flag} ${value} is outside the project, so it cannot be copied into the image. Move or copy that ${noun} into the project (e.g. beside requirements.txt) and write ${flag} with its path there.`,
    );
    return false;
  }
  context.includes.push({
    file: context.file,
    line: context.line,
    at: context.requirements.length,
    target,
    kind: kind === 'constraint' || context.kind === 'constraints' ? 'constraints' : 'requirements',
  });
  return true;
}

/** -e is refused; what to write instead depends on what it installs. */
function editableAdvice(flag: string, value: string, rest: string[]): string {
  void rest;
  const target = value.trim();
  if (/^(git|hg|svn|bzr)\+/i.test(target) || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    const egg = /#(?:.*&)?egg=([A-Za-z0-9._-]+)/.exec(target)?.[1];
    const url = target.replace(/#.*$/, '');
    return `${flag} installs an editable checkout, which needs its source tree at run time. Install it normally instead: write ${egg ?? vcsName(url) ?? 'name'} @ ${url}`;
  }
  if (target === '.' || target === './') {
    return `${flag} . installs the project itself from its source folder, which is not in the image when dependencies install. berth copies the project's code into the image and runs the entry point there, so its own modules import without it: remove this line (list the project's dependencies here instead).`;
  }
  return `${flag} ${target} installs from a source folder, which is not in the image when dependencies install. Build a wheel of it (pip wheel ${target} -w wheels), add --find-links wheels to requirements.txt, and require the package by name.`;
}

function checkUrl(flag: string, value: string, problem: (message: string) => void): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem(`${flag} ${value} is not a URL. Write e.g. ${flag} https://pypi.example.org/simple.`);
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problem(`${flag} ${value} is not an http(s) URL.`);
    return false;
  }
  return true;
}

// --- Requirement lines --------------------------------------------------------------------

const VCS_SCHEME = /^(git|hg|svn|bzr)\+[a-z]+:\/\//i;
const URL_SCHEME = /^(https?|ftp|file):\/\//i;

function readRequirementLine(
  content: string,
  file: string,
  line: number,
  problem: (message: string) => void,
): Requirement | undefined {
  // Per-requirement options (`--hash=sha256:...`) follow the requirement, after whitespace.
  const optionsAt = content.search(/\s--?[A-Za-z]/);
  const spec = (optionsAt >= 0 ? content.slice(0, optionsAt) : content).trim();
  const hashes: string[] = [];
  if (optionsAt >= 0) {
    const tokens = tokenize(content.slice(optionsAt));
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (token.startsWith('--config-settings') || token === '-C') {
        if (!token.includes('=') || token === '--config-settings') i++;
        continue;
      }
      const value = token.startsWith('--hash=')
        ? token.slice(7)
        : token === '--hash'
          ? tokens[++i]
          : undefined;
      if (value === undefined) {
        problem(
          `option ${token} is not supported after a requirement (only --hash and --config-settings are).`,
        );
        return undefined;
      }
      if (!/^(sha256|sha384|sha512):[0-9a-f]+$/i.test(value)) {
        problem(`--hash ${value} is not a hash. Write --hash=sha256:HEX.`);
        return undefined;
      }
      hashes.push(value);
    }
  }

  if (URL_SCHEME.test(spec) || VCS_SCHEME.test(spec)) {
    return readUrlRequirement(spec, file, line, hashes, problem);
  }

  if (
    /^(\.{1,2}([\\/]|$)|\/|~|[A-Za-z]:\\)/.test(spec) ||
    (/\.(whl|tar\.gz|tgz|tar\.bz2|zip)$/i.test(spec) && !spec.includes('@'))
  ) {
    problem(
      `${spec} is a path on this machine; files of the project are not in the image when dependencies install. Put the wheel in a folder of the project, add --find-links FOLDER, and require the package by name.`,
    );
    return undefined;
  }
  const nameMatch = new RegExp(`^${NAME}`).exec(spec);
  if (!nameMatch) {
    problem(`"${spec}" does not start with a package name. Write e.g. numpy==1.26.4.`);
    return undefined;
  }
  const name = nameMatch[0];
  let rest = spec.slice(name.length).trimStart();

  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) {
      problem(`the extras of ${name} are not closed. Write e.g. ${name}[extra1,extra2].`);
      return undefined;
    }
    extras = rest
      .slice(1, close)
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    const bad = extras.find((e) => !NAME_PATTERN.test(e));
    if (bad !== undefined) {
      problem(
        `"${bad}" is not a valid extra of ${name}. Extras are names: ${name}[extra1,extra2].`,
      );
      return undefined;
    }
    rest = rest.slice(close + 1).trimStart();
  }

  let url: string | null = null;
  let specifier = '';
  if (rest.startsWith('@')) {
    const after = rest.slice(1).trimStart();
    // PEP 508: a URL ends at whitespace; a marker after it needs whitespace before `;`.
    const end = after.search(/\s/);
    url = end < 0 ? after : after.slice(0, end);
    rest = end < 0 ? '' : after.slice(end).trimStart();
    let parsed: URL | undefined;
    try {
      parsed = new URL(url.replace(/^(git|hg|svn|bzr)\+/i, ''));
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      problem(`${url} is not a URL. Write ${name} @ https://host/path/${name}.whl.`);
      return undefined;
    }
    if (parsed.protocol === 'file:') {
      problem(
        `${url} is a path on this machine, not in the image. Put the wheel in a folder of the project and use --find-links FOLDER.`,
      );
      return undefined;
    }
  } else {
    const semicolon = rest.indexOf(';');
    let versions = (semicolon < 0 ? rest : rest.slice(0, semicolon)).trim();
    rest = semicolon < 0 ? '' : rest.slice(semicolon);
    if (versions.startsWith('(') && versions.endsWith(')')) versions = versions.slice(1, -1).trim();
    if (versions !== '') {
      const normalized: string[] = [];
      for (const clause of versions.split(',')) {
        const match = VERSION_CLAUSE.exec(clause);
        if (!match) {
          problem(
            `"${clause.trim()}" is not a version specifier of ${name}. Write e.g. ${name}==1.2.3 or ${name}>=1.2,<2.`,
          );
          return undefined;
        }
        normalized.push(`${match[1]}${match[2]}`);
      }
      specifier = normalized.join(',');
    }
  }

  let marker: string | null = null;
  if (rest !== '') {
    if (!rest.startsWith(';')) {
      problem(
        `unexpected "${rest}" after ${name}. Write e.g. ${name}==1.2.3; python_version >= "3.8".`,
      );
      return undefined;
    }
    const read = readMarker(rest.slice(1), name, problem);
    if (read === undefined) return undefined;
    marker = read;
  }

  return {
    file,
    line,
    name,
    normalizedName: normalizeName(name),
    extras,
    specifier,
    url,
    marker,
    hashes,
  };
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The marker text, null for none, undefined after reporting a problem. */
function readMarker(
  text: string,
  name: string,
  problem: (message: string) => void,
): string | null | undefined {
  const marker = text.trim();
  const markerProblem = checkMarker(marker);
  if (markerProblem) {
    problem(
      `the environment marker of ${name} ${markerProblem}. Write e.g. ; python_version >= "3.8".`,
    );
    return undefined;
  }
  return marker;
}

/**
 * A bare URL, as pip reads it: a wheel names its package in its file name, an sdist usually
 * does, `#egg=` names it, and otherwise pip finds the name when it builds the package. The
 * marker follows "; " (a semicolon and a space).
 */
function readUrlRequirement(
  spec: string,
  file: string,
  line: number,
  hashes: string[],
  problem: (message: string) => void,
): Requirement | undefined {
  const separator = spec.indexOf('; ');
  const url = (separator < 0 ? spec : spec.slice(0, separator)).trim();
  let marker: string | null = null;
  if (separator >= 0) {
    const read = readMarker(spec.slice(separator + 2), lastSegment(url) ?? url, problem);
    if (read === undefined) return undefined;
    marker = read;
  }
  if (/\s/.test(url)) {
    problem(
      `"${url}" has a space in it; a URL ends at the first space. Write the marker after "; ", e.g. URL; python_version >= "3.8".`,
    );
    return undefined;
  }
  if (url.toLowerCase().startsWith('file:')) {
    problem(
      `${url} is a path on this machine, not in the image. Put the wheel in a folder of the project, add --find-links FOLDER, and require the package by name.`,
    );
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^(git|hg|svn|bzr)\+/i, ''));
  } catch {
    problem(`${url} is not a URL. Write e.g. https://host/path/name-1.0-py3-none-any.whl.`);
    return undefined;
  }
  if (parsed.hostname === '') {
    problem(`${url} has no host. Write e.g. https://host/path/name-1.0-py3-none-any.whl.`);
    return undefined;
  }
  if (/ssh/i.test(url.slice(0, url.indexOf('://')))) {
    problem(
      `${url} needs an SSH key, and images are built without yours. Write the https URL of the repository (for a public one), or publish the package to an index.`,
    );
    return undefined;
  }
  const fragment = new URLSearchParams(parsed.hash.replace(/^#/, ''));
  const egg = fragment.get('egg');
  let name: string | null;
  if (egg !== null) {
    const eggName = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(egg)?.[0];
    if (!eggName || !NAME_PATTERN.test(eggName)) {
      problem(`#egg=${egg} does not name a package. Write #egg=name, e.g. #egg=mypackage.`);
      return undefined;
    }
    name = eggName;
  } else {
    const fileName = lastSegment(url.replace(/[?#].*$/, ''));
    const wheel = fileName
      ? /^([A-Za-z0-9._]+?)-\d[^-]*(?:-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(fileName)
      : null;
    if (fileName?.toLowerCase().endsWith('.whl') && !wheel) {
      problem(
        `${fileName} is not a wheel file name (name-version-python-abi-platform.whl), so pip refuses it. Fix the URL.`,
      );
      return undefined;
    }
    const sdist = fileName
      ? /^(.+?)-(\d[A-Za-z0-9.!+_-]*)\.(?:tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$/.exec(fileName)
      : null;
    name = wheel?.[1] ?? sdist?.[1] ?? null;
  }
  return {
    file,
    line,
    name,
    normalizedName: name === null ? null : normalizeName(name),
    extras: [],
    specifier: '',
    url,
    marker,
    hashes,
  };
}

function lastSegment(url: string): string | undefined {
  const withoutRef = url.replace(/[?#].*$/, '');
  const segment = withoutRef.split('/').filter(Boolean).at(-1);
  return segment === undefined ? undefined : decodeURIComponentSafe(segment);
}

/** A VCS URL's repository name (`.../openai/CLIP.git@main` → `CLIP`), for advice only. */
function vcsName(url: string): string | undefined {
  const path = url.replace(/^[a-z+]+:\/\/[^/]*/i, '').replace(/@[^/]*$/, '');
  const name = path
    .split('/')
    .filter(Boolean)
    .at(-1)
    ?.replace(/\.git$/, '');
  return name && NAME_PATTERN.test(name) ? name : undefined;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const MARKER_VARIABLES = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  'dependency_groups',
  // Deprecated spellings pip still reads.
  'os.name',
  'sys.platform',
  'platform.version',
  'platform.machine',
  'platform.python_implementation',
  'python_implementation',
]);

/**
 * PEP 508 marker grammar (recursive descent, its depth bounded by maxMarkerDepth); a
 * description of the problem, or undefined.
 */
function checkMarker(marker: string): string | undefined {
  if (marker === '') return 'is empty';
  const tokens: string[] = [];
  const pattern =
    /\s*(\(|\)|'[^']*'|"[^"]*"|~=|===|==|!=|<=|>=|<|>|not\s+in\b|in\b|and\b|or\b|[A-Za-z_][A-Za-z0-9_.]*|\S)/gy;
  let depth = 0;
  for (let match = pattern.exec(marker); match; match = pattern.exec(marker)) {
    const token = match[1]!.replace(/\s+/g, ' ');
    if (token === '(' && ++depth > REQUIREMENTS_LIMITS.maxMarkerDepth) {
      return `nests parentheses more than ${REQUIREMENTS_LIMITS.maxMarkerDepth} deep; berth reads at most ${REQUIREMENTS_LIMITS.maxMarkerDepth}`;
    }
    if (token === ')') depth--;
    tokens.push(token);
  }
  let position = 0;
  const peek = () => tokens[position];
  const isValue = (t: string | undefined) =>
    t !== undefined && (/^['"]/.test(t) || MARKER_VARIABLES.has(t));
  const isOperator = (t: string | undefined) =>
    t !== undefined && ['~=', '===', '==', '!=', '<=', '>=', '<', '>', 'in', 'not in'].includes(t);

  function expression(): string | undefined {
    const first = term();
    if (first) return first;
    while (peek() === 'and' || peek() === 'or') {
      position++;
      const next = term();
      if (next) return next;
    }
    return undefined;
  }
  function term(): string | undefined {
    if (peek() === '(') {
      position++;
      const inner = expression();
      if (inner) return inner;
      if (peek() !== ')') return 'has an unclosed "("';
      position++;
      return undefined;
    }
    const left = tokens[position++];
    if (!isValue(left))
      return left === undefined
        ? 'ends too early'
        : `has "${left}" where a variable or a quoted string belongs`;
    const operator = tokens[position++];
    if (!isOperator(operator))
      return operator === undefined
        ? 'ends too early'
        : `has "${operator}" where a comparison belongs`;
    const right = tokens[position++];
    if (!isValue(right))
      return right === undefined
        ? 'ends too early'
        : `has "${right}" where a variable or a quoted string belongs`;
    return undefined;
  }
  const result = expression();
  if (result) return result;
  if (position < tokens.length) return `has "${tokens[position]}" where "and" or "or" belongs`;
  return undefined;
}
