// Validates a project's requirements.txt before anything is built, so a typo fails in a second
// with its line number instead of minutes into `pip install`.
//
// What is accepted: PEP 508 requirements (extras, version specifiers, `name @ URL`, markers),
// `--hash` after a requirement, comments, blank lines, `\` continuations, and the option lines
// pip reads from the file: --index-url/-i, --extra-index-url, --find-links/-f, --no-index,
// --trusted-host, --pre, --prefer-binary, --only-binary, --no-binary. `--find-links` may name a
// folder of the project (a local wheel directory): it is copied into the image before pip runs.
//
// Refused, each with what to do instead: -r/-c (only requirements.txt is in the image when
// dependencies install), -e and local paths (the same reason), bare URLs (write `name @ URL`),
// credentials or ${VARIABLES} in URLs (they would end up in an image layer; berth passes no
// secrets to builds).
import {readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import {UserError} from '../../lib/errors.js';

export type Requirement = {
  /** First physical line of the requirement (1-based). */
  line: number;
  name: string;
  /** PEP 503 form: lowercase, runs of `-_.` as one `-`. */
  normalizedName: string;
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

export type Requirements = {
  file: string;
  /** False when the project has no requirements.txt (allowed: nothing to install). */
  present: boolean;
  /** The file as read: what is copied into the image and what the dependency checksum covers. */
  text: string;
  requirements: Requirement[];
  options: PipOptions;
  /** Project folders named by --find-links, POSIX, relative to the project (copied before pip). */
  localFindLinks: string[];
  notes: string[];
};

export class RequirementsError extends UserError {
  readonly problems: {line: number; message: string}[];

  constructor(file: string, problems: {line: number; message: string}[]) {
    super(
      `${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems
        .map((p) => `  ${file}:${p.line}: ${p.message}`)
        .join('\n')}`,
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

/** Reads `requirements.txt` at the project root; a missing file means no dependencies. */
export async function readRequirements(projectDir: string): Promise<Requirements> {
  const file = 'requirements.txt';
  const absolute = path.join(projectDir, file);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) {
    const misspelled = await stat(path.join(projectDir, 'requirement.txt')).catch(() => undefined);
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
  if (!info.isFile()) {
    throw new UserError(`${file} in ${projectDir} is not a file.`, {
      hint: 'Make requirements.txt a file listing one package per line.',
    });
  }
  const text = await readFile(absolute, 'utf8');
  const requirements = parseRequirements(text, file);
  for (const folder of requirements.localFindLinks) {
    const folderInfo = await stat(path.join(projectDir, ...folder.split('/'))).catch(
      () => undefined,
    );
    if (!folderInfo?.isDirectory()) {
      throw new RequirementsError(file, [
        {
          line: lineOfOption(text, folder),
          message: `--find-links ${folder} is not a folder of the project. Create it with the wheels, or link to an index URL.`,
        },
      ]);
    }
  }
  return requirements;
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
    .map((l) => ({line: l.line, text: l.text.replace(/(^|\s+)#.*$/, '').trim()}))
    .filter((l) => l.text !== '');
}

const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?';
const NAME_PATTERN = new RegExp(`^${NAME}$`);
const VERSION_CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*$/;

export function parseRequirements(text: string, file = 'requirements.txt'): Requirements {
  const problems: {line: number; message: string}[] = [];
  const requirements: Requirement[] = [];
  const options = emptyPipOptions();
  const localFindLinks: string[] = [];

  for (const {line, text: content} of logicalLines(text)) {
    const problem = (message: string) => problems.push({line, message});
    if (content.includes('${')) {
      problem(
        'uses an environment variable (${...}); berth passes none to builds, so secrets never reach an image. Write the value itself, without credentials.',
      );
      continue;
    }
    if (content.startsWith('-')) {
      readOptionLine(content, options, localFindLinks, problem);
      continue;
    }
    const requirement = readRequirementLine(content, line, problem);
    if (requirement) requirements.push(requirement);
  }

  if (problems.length > 0) throw new RequirementsError(file, problems);
  return {file, present: true, text, requirements, options, localFindLinks, notes: []};
}

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
};

const FLAG_OPTIONS: Record<string, string> = {
  '--no-index': 'no-index',
  '--pre': 'pre',
  '--prefer-binary': 'prefer-binary',
};

function readOptionLine(
  content: string,
  options: PipOptions,
  localFindLinks: string[],
  problem: (message: string) => void,
): void {
  const tokens = tokenize(content);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const equals = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = equals > 0 ? token.slice(0, equals) : token;
    if (['-r', '--requirement', '-c', '--constraint'].includes(flag)) {
      problem(
        `${flag} includes another file, but only requirements.txt is in the image when dependencies install. Copy that file's lines into requirements.txt.`,
      );
      return;
    }
    if (['-e', '--editable'].includes(flag)) {
      problem(
        `${flag} installs from a source tree, which is not in the image when dependencies install. Publish the package and require it by name, or put its wheel in a folder named by --find-links.`,
      );
      return;
    }
    const flagOption = FLAG_OPTIONS[flag];
    if (flagOption) {
      if (flagOption === 'no-index') options.noIndex = true;
      else if (flagOption === 'pre') options.pre = true;
      else options.preferBinary = true;
      continue;
    }
    const valueOption = VALUE_OPTIONS[flag];
    if (!valueOption) {
      problem(
        `pip option ${flag} is not supported here. Use --index-url, --extra-index-url, --find-links, --no-index, --trusted-host, --pre, --prefer-binary, --only-binary or --no-binary.`,
      );
      return;
    }
    const value = equals > 0 ? token.slice(equals + 1) : tokens[++i];
    if (value === undefined || value === '') {
      problem(`${flag} needs a value, e.g. ${flag} https://pypi.example.org/simple.`);
      return;
    }
    switch (valueOption) {
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
        const folder = path.posix.normalize(value.replaceAll('\\', '/')).replace(/\/+$/, '');
        if (path.posix.isAbsolute(folder) || folder === '..' || folder.startsWith('../')) {
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
    }
  }
}

function checkUrl(flag: string, value: string, problem: (message: string) => void): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem(`${flag} ${value} is not a URL. Write e.g. ${flag} https://pypi.example.org/simple.`);
    return false;
  }
  if (url.username !== '' || url.password !== '') {
    problem(
      `${flag} has credentials in its URL; they would be stored in the image. Remove them (private-index credentials are not supported yet).`,
    );
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problem(`${flag} ${value} is not an http(s) URL.`);
    return false;
  }
  return true;
}

function readRequirementLine(
  content: string,
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
      const value = token.startsWith('--hash=')
        ? token.slice(7)
        : token === '--hash'
          ? tokens[++i]
          : undefined;
      if (value === undefined) {
        problem(`option ${token} is not supported after a requirement (only --hash is).`);
        return undefined;
      }
      if (!/^(sha256|sha384|sha512):[0-9a-f]+$/i.test(value)) {
        problem(`--hash ${value} is not a hash. Write --hash=sha256:HEX.`);
        return undefined;
      }
      hashes.push(value);
    }
  }

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || /^(git|hg|svn|bzr)\+/i.test(spec)) {
    const egg = /#egg=([A-Za-z0-9._-]+)/.exec(spec)?.[1];
    problem(
      `${spec} is a URL without a package name. Write ${egg ?? 'name'} @ ${spec.replace(/#egg=[^&]*/, '')}.`,
    );
    return undefined;
  }

  if (
    /^(\.{1,2}[\\/]|\/|~|[A-Za-z]:\\|file:)/.test(spec) ||
    (/\.(whl|tar\.gz|zip)$/i.test(spec) && !spec.includes('@'))
  ) {
    problem(
      `${spec} is a file path; files of the project are not in the image when dependencies install. Put the wheel in a folder, add --find-links FOLDER, and require it by name.`,
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
  let marker: string | null = null;
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
    if (parsed.username !== '' || parsed.password !== '') {
      problem(
        `the URL of ${name} has credentials in it; they would be stored in the image. Remove them (private-index credentials are not supported yet).`,
      );
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
      const clauses = versions.split(',');
      const normalized: string[] = [];
      for (const clause of clauses) {
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

  if (rest !== '') {
    if (!rest.startsWith(';')) {
      problem(
        `unexpected "${rest}" after ${name}. Write e.g. ${name}==1.2.3; python_version >= "3.8".`,
      );
      return undefined;
    }
    marker = rest.slice(1).trim();
    const markerProblem = checkMarker(marker);
    if (markerProblem) {
      problem(
        `the environment marker of ${name} ${markerProblem}. Write e.g. ; python_version >= "3.8".`,
      );
      return undefined;
    }
  }

  return {
    line,
    name,
    normalizedName: name.toLowerCase().replace(/[-_.]+/g, '-'),
    extras,
    specifier,
    url,
    marker,
    hashes,
  };
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
  // Deprecated spellings pip still reads.
  'os.name',
  'sys.platform',
  'platform.version',
  'platform.machine',
  'platform.python_implementation',
  'python_implementation',
]);

/** PEP 508 marker grammar (recursive descent); a description of the problem, or undefined. */
function checkMarker(marker: string): string | undefined {
  const tokens: string[] = [];
  const pattern =
    /\s*(\(|\)|'[^']*'|"[^"]*"|~=|===|==|!=|<=|>=|<|>|not\s+in\b|in\b|and\b|or\b|[A-Za-z_][A-Za-z0-9_.]*|\S)/gy;
  for (let match = pattern.exec(marker); match; match = pattern.exec(marker)) {
    tokens.push(match[1]!.replace(/\s+/g, ' '));
  }
  if (marker.trim() === '') return 'is empty';
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
