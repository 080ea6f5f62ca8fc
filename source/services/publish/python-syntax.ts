// Checks that an entry point is valid Python 3 without running Python: the image would crash at
// start on a syntax error anywhere in the file, so `publish --dry-run` catches it first.
//
// Two passes. A tokenizer that follows CPython's (indentation with its tab rules, strings and
// f-strings, brackets, numbers, line continuations) finds what @lezer/python forgives: a file
// whose every line is indented, an unterminated string, a dedent to no outer level. It also
// bounds the work before the parser runs: the file's size, bracket nesting (200, as CPython) and
// indentation depth (100, as CPython), and the number of decorators. Then the Lezer tree is
// checked for grammar errors and for what Lezer accepts for Python 2's sake (`print x`,
// `except E, e:`, `raise E, "m"`) or what CPython's compiler refuses (`return` outside a
// function, `break` outside a loop).
//
// Only the first problem is reported, as Python does: later ones are often its echoes.
import {parser} from '@lezer/python';
import {formatBytes} from '../../lib/format.js';

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

/** Limits on what berth reads; each is refused with a message before any parsing. */
export const PYTHON_LIMITS = {
  /** Characters in an entry point. Real ones are a few kilobytes; this is 1 MiB. */
  maxChars: 1024 * 1024,
  /** CPython's tokenizer refuses deeper bracket nesting ("too many nested parentheses"). */
  maxBracketDepth: 200,
  /** CPython's tokenizer refuses deeper indentation ("too many levels of indentation"). */
  maxIndentDepth: 100,
  /** Decorators in one file; a module has a few dozen @parameter at most. */
  maxDecorators: 2000,
  /** Tokens in one statement (a 20,000-element list literal has 40,000). */
  maxStatementTokens: 100_000,
  /** Prefix operators in a row (`not not ... x`, `- - ... 1`): each nests the parse a level. */
  maxPrefixChain: 1000,
} as const;

export type PythonProblem = {
  /** Character offset (UTF-16) in the source. */
  offset: number;
  message: string;
  /** A limit of berth's, not a Python error. */
  limit?: boolean;
};

export type PythonCheck = {
  problem: PythonProblem | null;
  /**
   * The parse tree when the limits allowed parsing (offsets are the source's). Read node text
   * from the source itself: the parser saw `1.` as `10`.
   */
  tree: Tree | null;
};

/** The last text checked, and what was found: a publish checks the entry point when it finds it,
 *  then again when it reads its annotations (lezer's trees are immutable, so one is shared). */
let lastCheck: {source: string; check: PythonCheck} | undefined;

/** The first syntax problem of `source` (null when Python 3 would compile it), and its tree. */
export function checkPythonSyntax(source: string): PythonCheck {
  if (lastCheck?.source === source) return lastCheck.check;
  const check = checkOnce(source);
  lastCheck = {source, check};
  return check;
}

function checkOnce(source: string): PythonCheck {
  const scanned = scanPython(source);
  if (scanned.problem?.limit) return {problem: scanned.problem, tree: null};
  const tree = parseForLezer(source, scanned.rewrites);
  return {problem: scanned.problem ?? checkTree(tree.topNode, source), tree};
}

/** The tokenizer pass alone: its first problem, and what it learned on the way. */
export function scanPython(source: string): {
  problem: PythonProblem | null;
  decorators: number;
  rewrites: Rewrite[];
} {
  if (source.length > PYTHON_LIMITS.maxChars) {
    return {
      problem: {
        offset: 0,
        limit: true,
        message: tooLargeMessage(source.length),
      },
      decorators: 0,
      rewrites: [],
    };
  }
  const scanner = new Scanner(source);
  const problem = scanner.run();
  return {problem, decorators: scanner.decorators, rewrites: scanner.rewrites};
}

type Rewrite = {offset: number; text: string};

/**
 * Parses with Lezer after same-length rewrites of valid Python it misreads, so offsets stay the
 * source's: `1.` → `10`; `with a as (x, y):` → `with a == (x, y):`; a line continuation that
 * joins a blank line → a space.
 *
 * Lezer recovers from every error, and recovery is slow (a megabyte of `x x x` lines took a
 * minute), while Python stops at the first. So parsing stops early once Lezer has recovered
 * from many errors, or spent long recovering: the tree up to there holds the first error. If it
 * turns out to hold only Lezer's gaps (valid Python), the file is parsed whole after all.
 */
function parseForLezer(source: string, rewrites: Rewrite[]): Tree {
  let text = source;
  if (rewrites.length > 0) {
    const parts: string[] = [];
    let from = 0;
    for (const rewrite of [...rewrites].sort((a, b) => a.offset - b.offset)) {
      parts.push(source.slice(from, rewrite.offset), rewrite.text);
      from = rewrite.offset + rewrite.text.length;
    }
    parts.push(source.slice(from));
    text = parts.join('');
  }
  const parse = parser.startParse(text);
  // Lezer's own state (@lezer/lr's Parse): > 0 while it recovers from an error.
  const state = parse as unknown as {recovering?: number; parsedPos: number};
  let episodes = 0;
  let recoveringSteps = 0;
  let wasRecovering = false;
  let stoppedEarly = false;
  let stoppedAt = 0;
  let tree: Tree | null = null;
  while (!tree) {
    tree = parse.advance();
    const recovering = (state.recovering ?? 0) > 0;
    if (recovering && !wasRecovering) episodes++;
    if (recovering) recoveringSteps++;
    wasRecovering = recovering;
    if (!stoppedEarly && (episodes >= 200 || recoveringSteps >= 20_000)) {
      stoppedEarly = true;
      stoppedAt = state.parsedPos;
      parse.stopAt(stoppedAt);
    }
  }
  if (stoppedEarly) {
    // Trust only a problem well before where parsing stopped (the cut itself breaks the tree).
    const problem = checkTree(tree.topNode, source);
    const boundary = source.lastIndexOf('\n', source.lastIndexOf('\n', stoppedAt - 1) - 1);
    if (problem === null || problem.offset >= boundary) return parser.parse(text);
  }
  return tree;
}

/** Why a Python file of `size` characters (or bytes) is not read. */
export function tooLargeMessage(size: number): string {
  return `is ${formatBytes(size)}; berth reads entry points up to ${formatBytes(PYTHON_LIMITS.maxChars)}. Move code into modules the entry point imports.`;
}

/** Unwinds the scanner at its first problem (caught in `run`). */
class Stop extends Error {
  constructor(readonly problem: PythonProblem) {
    super(problem.message);
  }
}

const OPEN_TO_CLOSE: Record<string, string> = {'(': ')', '[': ']', '{': '}'};
const CLOSE_TO_OPEN: Record<string, string> = {')': '(', ']': '[', '}': '{'};
const STRING_PREFIXES = new Set([
  '',
  'r',
  'u',
  'b',
  'br',
  'rb',
  'f',
  'fr',
  'rf',
  // Python 3.14 template strings.
  't',
  'tr',
  'rt',
]);
const BLOCK_HEADERS: Record<string, string> = {
  if: "'if' statement",
  elif: "'elif' statement",
  else: "'else' statement",
  for: "'for' statement",
  while: "'while' statement",
  try: "'try' statement",
  except: "'except' statement",
  finally: "'finally' statement",
  with: "'with' statement",
  def: 'function definition',
  class: 'class definition',
  match: "'match' statement",
  case: "'case' statement",
};
/** Prefix operators: a long run of them nests the parse deeper with each. */
const PREFIX_OPERATORS = new Set(['not', '-', '+', '~', 'await', 'lambda', ':', '**', '*']);
/** Words that may follow a number without a space (`1if x else 2` is valid, if deprecated). */
const NUMBER =
  /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?/y;
const WORDS_AFTER_NUMBER = new Set(['and', 'else', 'for', 'if', 'in', 'is', 'not', 'or']);

const IDENTIFIER_START = /[\p{L}\p{Nl}_\u2118\u212e\u309b\u309c]|\u1885|\u1886/u;
const IDENTIFIER_PART = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_\u00b7\u0387\u1369-\u1371\u19da]/u;

/** A tokenizer that keeps only what the checks need. */
class Scanner {
  decorators = 0;
  /** Same-length replacements that let Lezer read valid Python it does not know (see `parseForLezer`). */
  readonly rewrites: Rewrite[] = [];
  private prefixChain = 0;
  /** The current logical line is a `with` statement whose header has not ended. */
  private withHeader = false;
  /**
   * Characters scanned by the f-string rules of Python 3.12, which may look past the string's
   * end before falling back to the older rules: capped at a few times the file, so that work
   * stays linear whatever the file holds.
   */
  private formatWork = 0;
  private readonly formatBudget: number;
  private pos = 0;
  private readonly brackets: {char: string; offset: number}[] = [];
  /** Indentation columns with tabs to multiples of 8 (`cols`) and as one column (`alt`). */
  private readonly cols = [0];
  private readonly alts = [0];
  /** Tokens seen on the current logical line. */
  private lineTokens = 0;
  private firstWord = '';
  private firstWordLine = 1;
  private lastToken = '';
  /** The previous logical line opened a block (ended with `:`). */
  private pendingBlock: {header: string; line: number} | null = null;
  private lineNumber = 1;

  constructor(private readonly source: string) {
    this.formatBudget = 4 * source.length + 4096;
  }

  run(): PythonProblem | null {
    try {
      this.scan();
      return null;
    } catch (error) {
      if (error instanceof Stop) return error.problem;
      throw error;
    }
  }

  private fail(offset: number, message: string, limit = false): never {
    throw new Stop(limit ? {offset, message, limit} : {offset, message});
  }

  private scan(): void {
    const s = this.source;
    if (s.charCodeAt(0) === 0xfeff) this.pos = 1;
    let atLineStart = true;
    let continued = false;
    while (this.pos < s.length) {
      if (atLineStart && !continued && this.brackets.length === 0) {
        if (!this.indentation()) {
          // A blank or comment-only line: skip it whole.
          this.skipToLineEnd();
          this.newline();
          continue;
        }
      }
      atLineStart = false;
      continued = false;
      const ch = s[this.pos]!;
      const code = ch.charCodeAt(0);
      if (ch === ' ' || ch === '\t' || ch === '\f') {
        this.pos++;
      } else if (ch === '#') {
        this.skipToLineEnd();
      } else if (ch === '\n' || ch === '\r') {
        this.newline();
        if (this.brackets.length === 0 && this.lineTokens > 0) this.endLogicalLine();
        atLineStart = true;
      } else if (ch === '\\') {
        const next = s[this.pos + 1];
        if (next === '\n' || next === '\r') {
          const backslash = this.pos;
          this.pos++;
          this.newline();
          atLineStart = true;
          continued = true;
          if (/^[ \t\f]*(?:\r?\n|\r|$)/.test(s.slice(this.pos, this.pos + 200))) {
            this.rewrites.push({offset: backslash, text: ' '});
          }
        } else if (next === undefined) {
          this.fail(this.pos, 'unexpected end of file after the line continuation character');
        } else {
          this.fail(this.pos + 1, 'unexpected character after line continuation character');
        }
      } else if (code === 0) {
        this.fail(this.pos, 'source code cannot contain null bytes');
      } else if (isIdentifierStart(s, this.pos)) {
        this.word();
      } else if (
        (code >= 48 && code <= 57) ||
        (ch === '.' && isDigit(s.charCodeAt(this.pos + 1)))
      ) {
        this.number();
      } else if (ch === '"' || ch === "'") {
        this.string('', this.pos);
      } else if (OPEN_TO_CLOSE[ch]) {
        this.brackets.push({char: ch, offset: this.pos});
        if (this.brackets.length > PYTHON_LIMITS.maxBracketDepth) {
          this.fail(
            this.pos,
            `too many nested parentheses (Python allows ${PYTHON_LIMITS.maxBracketDepth})`,
            true,
          );
        }
        this.token(ch);
        this.pos++;
      } else if (CLOSE_TO_OPEN[ch]) {
        const open = this.brackets.pop();
        if (!open) this.fail(this.pos, `unmatched '${ch}'`);
        if (open.char !== CLOSE_TO_OPEN[ch]) {
          const where = this.lineOf(open.offset);
          this.fail(
            this.pos,
            `closing parenthesis '${ch}' does not match opening parenthesis '${open.char}'${where === this.lineNumber ? '' : ` on line ${where}`}`,
          );
        }
        this.token(ch);
        this.pos++;
      } else {
        this.operator();
      }
    }
    this.endOfFile();
  }

  /** At the start of a line: true when it holds a token (its indentation was checked). */
  private indentation(): boolean {
    const s = this.source;
    let col = 0;
    let alt = 0;
    let i = this.pos;
    for (; i < s.length; i++) {
      const ch = s[i];
      if (ch === ' ') {
        col++;
        alt++;
      } else if (ch === '\t') {
        col = (Math.floor(col / 8) + 1) * 8;
        alt++;
      } else if (ch === '\f') {
        col = 0;
        alt = 0;
      } else break;
    }
    const next = s[i];
    if (next === undefined || next === '#' || next === '\n' || next === '\r') return false;
    if (next === '\\' && (s[i + 1] === '\n' || s[i + 1] === '\r')) return false;
    this.pos = i;
    const top = this.cols.at(-1)!;
    const altTop = this.alts.at(-1)!;
    if (col === top) {
      if (alt !== altTop) this.tabError(i);
      if (this.pendingBlock) this.expectedBlock(i);
    } else if (col > top) {
      if (alt <= altTop) this.tabError(i);
      if (!this.pendingBlock) this.fail(i, 'unexpected indent');
      this.cols.push(col);
      this.alts.push(alt);
      if (this.cols.length > PYTHON_LIMITS.maxIndentDepth) {
        this.fail(
          i,
          `too many levels of indentation (Python allows ${PYTHON_LIMITS.maxIndentDepth})`,
          true,
        );
      }
    } else {
      while (this.cols.length > 1 && col < this.cols.at(-1)!) {
        this.cols.pop();
        this.alts.pop();
      }
      if (col !== this.cols.at(-1)) {
        this.fail(i, 'unindent does not match any outer indentation level');
      }
      if (alt !== this.alts.at(-1)) this.tabError(i);
      if (this.pendingBlock) this.expectedBlock(i);
    }
    this.pendingBlock = null;
    return true;
  }

  private tabError(offset: number): never {
    this.fail(offset, 'inconsistent use of tabs and spaces in indentation');
  }

  private expectedBlock(offset: number): never {
    const block = this.pendingBlock!;
    this.fail(offset, `expected an indented block after ${block.header} on line ${block.line}`);
  }

  private skipToLineEnd(): void {
    const s = this.source;
    while (this.pos < s.length && s[this.pos] !== '\n' && s[this.pos] !== '\r') this.pos++;
  }

  /** Consumes one line break at `pos`. */
  private newline(): void {
    const s = this.source;
    if (s[this.pos] === '\r' && s[this.pos + 1] === '\n') this.pos += 2;
    else if (this.pos < s.length) this.pos++;
    this.lineNumber++;
  }

  private token(text: string, offset = this.pos): void {
    if (this.lineTokens >= PYTHON_LIMITS.maxStatementTokens) {
      this.fail(
        offset,
        `has a statement of more than ${PYTHON_LIMITS.maxStatementTokens} tokens; berth reads at most ${PYTHON_LIMITS.maxStatementTokens}`,
        true,
      );
    }
    this.prefixChain = PREFIX_OPERATORS.has(text) ? this.prefixChain + 1 : 0;
    if (this.prefixChain > PYTHON_LIMITS.maxPrefixChain) {
      this.fail(
        offset,
        `has more than ${PYTHON_LIMITS.maxPrefixChain} operators in a row; berth reads at most ${PYTHON_LIMITS.maxPrefixChain}`,
        true,
      );
    }
    if (this.lineTokens === 0) {
      this.firstWord = text;
      this.firstWordLine = this.lineNumber;
      if (text === '@') this.decorators++;
      if (this.decorators > PYTHON_LIMITS.maxDecorators) {
        this.fail(
          offset,
          `has more than ${PYTHON_LIMITS.maxDecorators} decorators; berth reads at most ${PYTHON_LIMITS.maxDecorators}`,
          true,
        );
      }
    } else if (this.lineTokens === 1 && this.firstWord === 'async') {
      this.firstWord = text;
    }
    if (this.lineTokens === 0 || (this.lineTokens === 1 && this.firstWord === text)) {
      this.withHeader = text === 'with';
    } else if (this.withHeader && text === ':' && this.brackets.length === 0) {
      this.withHeader = false;
    }
    this.lineTokens++;
    this.lastToken = text;
  }

  private endLogicalLine(): void {
    if (this.lastToken === ':') {
      this.pendingBlock = {
        header: BLOCK_HEADERS[this.firstWord] ?? 'the statement',
        line: this.firstWordLine,
      };
    }
    this.lineTokens = 0;
    this.lastToken = '';
    this.firstWord = '';
  }

  private endOfFile(): void {
    const open = this.brackets[0];
    if (open) this.fail(open.offset, `'${open.char}' was never closed`);
    if (this.lineTokens > 0) this.endLogicalLine();
    if (this.pendingBlock) this.expectedBlock(this.source.length);
  }

  private word(): void {
    const s = this.source;
    const start = this.pos;
    let end = start + (s.codePointAt(start)! > 0xffff ? 2 : 1);
    while (end < s.length && isIdentifierPart(s, end)) {
      end += s.codePointAt(end)! > 0xffff ? 2 : 1;
    }
    const text = s.slice(start, end);
    const next = s[end];
    if ((next === '"' || next === "'") && text.length <= 2 && /^[a-z]+$/i.test(text)) {
      const prefix = text.toLowerCase();
      if (!STRING_PREFIXES.has(prefix)) {
        this.fail(
          start,
          `${text}${next}...${next} has a string prefix Python 3 does not know${prefix.includes('u') ? ' (write the string without u, or r"..." for a raw one)' : ''}`,
        );
      }
      this.pos = end;
      this.string(prefix, start);
      return;
    }
    this.pos = end;
    if (text === 'as' && this.withHeader) this.rewrites.push({offset: start, text: '=='});
    this.token(text, start);
  }

  private number(): void {
    const s = this.source;
    const start = this.pos;
    NUMBER.lastIndex = start;
    const text = NUMBER.exec(s)![0];
    if (/^0\d/.test(text) && /^[\d_]+$/.test(text) && /[1-9]/.test(text)) {
      this.fail(
        start,
        'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
      );
    }
    const end = start + text.length;
    if (end < s.length && isIdentifierPart(s, end)) {
      const after = /^[\p{L}\p{N}_]+/u.exec(s.slice(end, end + 40))?.[0] ?? '';
      const allowed = [...WORDS_AFTER_NUMBER].some((w) => after.startsWith(w));
      if (!allowed) {
        this.fail(
          start,
          /^[lL]/.test(after) && /^\d+$/.test(text)
            ? `invalid decimal literal: ${text}${after[0]} is a Python 2 long; write ${text}`
            : 'invalid decimal literal',
        );
      }
    }
    // `1.` is a float Lezer does not read: the parser gets `10` (same length, same grammar).
    const dot = text.indexOf('.');
    if (dot > 0 && !isDigit(text.charCodeAt(dot + 1))) {
      this.rewrites.push({offset: start + dot, text: '0'});
    }
    this.pos = end;
    this.token('0', start);
  }

  /** A string starting at the quote at `pos`; `start` is where its prefix begins. */
  private string(prefix: string, start: number): void {
    const s = this.source;
    const quote = s[this.pos]!;
    const triple = s[this.pos + 1] === quote && s[this.pos + 2] === quote;
    const raw = prefix.includes('r');
    const format = prefix.includes('f') || prefix.includes('t');
    const bodyStart = this.pos + (triple ? 3 : 1);
    let end = -1;
    if (format && this.formatWork < this.formatBudget) {
      end = this.formatStringEnd(bodyStart, quote, triple, raw);
      this.formatWork += (end < 0 ? s.length : end) - bodyStart;
    }
    if (end < 0) end = this.plainStringEnd(bodyStart, quote, triple);
    if (end < 0) {
      const detected = this.lineOf(s.length);
      this.fail(
        start,
        triple
          ? `unterminated triple-quoted string literal (detected at line ${detected})`
          : `unterminated string literal (detected at line ${this.lineOf(start)})`,
      );
    }
    // Line breaks inside the string still count as lines.
    for (let i = this.pos; i < end; i++) {
      const c = s[i];
      if (c === '\n' || (c === '\r' && s[i + 1] !== '\n')) this.lineNumber++;
    }
    this.pos = end;
    this.token('"', start);
  }

  /** The offset just after the closing quote, or -1. */
  private plainStringEnd(from: number, quote: string, triple: boolean): number {
    const end = this.plainStringScan(from, quote, triple);
    this.formatWork += (end < 0 ? this.source.length : end) - from;
    return end;
  }

  private plainStringScan(from: number, quote: string, triple: boolean): number {
    const s = this.source;
    for (let i = from; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') {
        i++;
        if (s[i] === '\r' && s[i + 1] === '\n') i++;
        continue;
      }
      if (!triple && (c === '\n' || c === '\r')) return -1;
      if (c === quote) {
        if (!triple) return i + 1;
        if (s[i + 1] === quote && s[i + 2] === quote) return i + 3;
      }
    }
    return -1;
  }

  /**
   * Python 3.12's f-strings: quotes inside a {replacement} start nested strings. Returns -1 when
   * the string does not end that way (the caller then tries the older rules).
   */
  private formatStringEnd(from: number, quote: string, triple: boolean, raw: boolean): number {
    const s = this.source;
    let i = from;
    let guard = 0;
    const literal = (closers: string): number => {
      // Literal text until the closing quote (returns its end) or, for a format spec, '}'.
      for (; i < s.length; i++) {
        const c = s[i];
        if (c === '\\' && !raw) {
          i++;
          continue;
        }
        if (c === '\\' && raw) {
          if (s[i + 1] === quote || s[i + 1] === '\\') i++;
          continue;
        }
        if (!triple && (c === '\n' || c === '\r')) return -1;
        if (c === '{') {
          if (s[i + 1] === '{' && closers === '') {
            i++;
            continue;
          }
          i++;
          if (!field()) return -1;
          i--;
          continue;
        }
        if (c === '}' && closers !== '') return i;
        if (c === '}' && s[i + 1] === '}') {
          i++;
          continue;
        }
        if (c === quote && closers === '') {
          if (!triple) return i + 1;
          if (s[i + 1] === quote && s[i + 2] === quote) return i + 3;
        }
      }
      return -1;
    };
    const field = (): boolean => {
      if (++guard > PYTHON_LIMITS.maxBracketDepth) return false;
      let depth = 0;
      for (; i < s.length; i++) {
        const c = s[i]!;
        if (c === '(' || c === '[' || c === '{') depth++;
        else if (c === ')' || c === ']') depth--;
        else if (c === '}') {
          if (depth === 0) {
            i++;
            guard--;
            return true;
          }
          depth--;
        } else if (c === '"' || c === "'") {
          // A string inside a replacement field (Python 3.12 also allows the outer quote).
          const nestedTriple = s[i + 1] === c && s[i + 2] === c;
          const end = this.plainStringEnd(i + (nestedTriple ? 3 : 1), c, nestedTriple);
          if (end < 0) return false;
          i = end - 1;
        } else if (c === ':' && depth === 0 && s[i + 1] !== '=') {
          i++;
          const specEnd = literal('}');
          if (specEnd < 0) return false;
          i = specEnd + 1;
          guard--;
          return true;
        } else if (c === '\n' || c === '\r') {
          if (!triple && depth === 0) return false;
        }
      }
      return false;
    };
    return literal('');
  }

  private operator(): void {
    const s = this.source;
    const start = this.pos;
    const two = s.slice(start, start + 2);
    const ch = s[start]!;
    if (two === '<>') {
      this.fail(start, '<> is Python 2; write !=');
    }
    if (ch === '`') {
      this.fail(start, 'backticks are Python 2; write repr(...)');
    }
    if (ch === '$' || ch === '?') {
      this.fail(start, `invalid syntax: '${ch}' is not Python`);
    }
    if (ch === '!' && s[start + 1] !== '=') {
      this.fail(start, "invalid syntax: '!' is not Python (write 'not' or '!=')");
    }
    if ('+-*/%@&|^~<>=.,:;!'.includes(ch)) {
      const three = s.slice(start, start + 3);
      const length = ['**=', '//=', '>>=', '<<=', '...'].includes(three)
        ? 3
        : [
              '**',
              '//',
              '>>',
              '<<',
              '<=',
              '>=',
              '==',
              '!=',
              '->',
              '+=',
              '-=',
              '*=',
              '/=',
              '%=',
              '&=',
              '|=',
              '^=',
              '@=',
              ':=',
            ].includes(two)
          ? 2
          : 1;
      this.token(s.slice(start, start + length), start);
      this.pos = start + length;
      return;
    }
    const codePoint = s.codePointAt(start)!;
    const shown = String.fromCodePoint(codePoint);
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    if (/[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/u.test(shown)) {
      this.fail(start, `invalid non-printable character U+${hex}`);
    }
    this.fail(start, `invalid character '${shown}' (U+${hex})`);
  }

  private lineOf(offset: number): number {
    let line = 1;
    const s = this.source;
    for (let i = 0; i < offset && i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) line++;
    }
    return line;
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isIdentifierStart(s: string, at: number): boolean {
  const code = s.charCodeAt(at);
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95) return true;
  if (code < 128) return false;
  return IDENTIFIER_START.test(String.fromCodePoint(s.codePointAt(at)!));
}

function isIdentifierPart(s: string, at: number): boolean {
  const code = s.charCodeAt(at);
  if (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95
  ) {
    return true;
  }
  if (code < 128) return false;
  return IDENTIFIER_PART.test(String.fromCodePoint(s.codePointAt(at)!));
}

/** Grammar errors and what Lezer forgives but Python 3 refuses: the first in source order. */
function checkTree(top: SyntaxNode, source: string): PythonProblem | null {
  let found: PythonProblem | null = null;
  const report = (offset: number, message: string) => {
    if (!found || offset < found.offset) found = {offset, message};
  };

  // Iterative walk with the context CPython's compiler checks: inside a function, inside a loop.
  type Frame = {node: SyntaxNode; inFunction: boolean; inLoop: boolean};
  const stack: Frame[] = [{node: top, inFunction: false, inLoop: false}];
  // After a gap of Lezer's, its error recovery may leave more errors in the same statement.
  let ignoreUntil = -1;
  while (stack.length > 0) {
    const {node, inFunction, inLoop} = stack.pop()!;
    if (found !== null && node.from > (found as PythonProblem).offset) continue;
    if (node.type.isError) {
      if (node.from < ignoreUntil) continue;
      if (isLezerGap(node, source)) ignoreUntil = Math.max(ignoreUntil, statementEnd(node, source));
      else report(node.from, grammarMessage(node, source));
      continue;
    }
    switch (node.name) {
      case 'PrintStatement':
        // Lezer reads `print >>f, x` as Python 2's print; for Python 3 it is an expression.
        if (isPython2Print(node, source)) {
          report(node.from, "Missing parentheses in call to 'print'. Did you mean print(...)?");
        } else ignoreUntil = Math.max(ignoreUntil, lineEnd(source, node.to));
        continue;
      case 'TryStatement':
      case 'RaiseStatement': {
        // Lezer accepts Python 2's `except E, e:` and `raise E, V`; a comma there is Python 2.
        const comma = node.getChild(',');
        if (comma) {
          report(
            comma.from,
            node.name === 'TryStatement'
              ? 'multiple exception types must be parenthesized (Python 2\'s "except E, e:" is "except E as e:" in Python 3)'
              : 'invalid syntax: Python 2\'s "raise E, V" is "raise E(V)" in Python 3',
          );
        }
        break;
      }
      case 'ReturnStatement':
        if (!inFunction) report(node.from, "'return' outside function");
        break;
      case 'YieldStatement':
      case 'YieldExpression':
        if (!inFunction) report(node.from, "'yield' outside function");
        break;
      case 'BreakStatement':
        if (!inLoop) report(node.from, "'break' outside loop");
        break;
      case 'ContinueStatement':
        if (!inLoop) report(node.from, "'continue' not properly in loop");
        break;
    }
    const isFunction = node.name === 'FunctionDefinition' || node.name === 'LambdaExpression';
    const isClass = node.name === 'ClassDefinition';
    const isLoop = node.name === 'ForStatement' || node.name === 'WhileStatement';
    const children: Frame[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) {
      let childLoop = isFunction || isClass ? false : inLoop;
      // Only a loop's body is in the loop; its `else` is not.
      if (isLoop && child.name === 'Body')
        childLoop = child.prevSibling?.name === 'else' ? inLoop : true;
      children.push({
        node: child,
        inFunction: isFunction ? true : isClass ? false : inFunction,
        inLoop: childLoop,
      });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return found;
}

const PATTERN_NODES = new Set([
  'PatternArgList',
  'MappingPattern',
  'SequencePattern',
  'ClassPattern',
  'LiteralPattern',
  'CapturePattern',
  'AsPattern',
  'OrPattern',
  'StarPattern',
  'KeywordPattern',
]);

/**
 * Valid Python that @lezer/python 1.1 marks as an error. Each case was found by comparing with
 * CPython's compile() over the standard library and popular packages (see the tests).
 */
function isLezerGap(node: SyntaxNode, source: string): boolean {
  const at = source.slice(node.from, node.from + 1) || nextToken(source, node.to).slice(0, 1);
  // A bare `yield` (statement or expression).
  if (node.prevSibling?.name === 'yield') return true;
  // Starred items: `for a, *b in`, `C[*Ts]`, `f(*a for ...)`.
  if (at === '*') return true;
  // `lambda a, /, b:` (positional-only parameters in a lambda).
  if (at === '/' && node.parent?.name === 'ParamList') return true;
  let inArguments = false;
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.name === 'ArgList') inArguments = true;
    // Any expression as a decorator (PEP 614): `@lambda f: f`, `@a or b`.
    if (parent.name === 'Decorator') return !inArguments;
    // Inside strings the tokenizer pass has already checked what matters.
    if (parent.name === 'String' || parent.name === 'FormatString') return true;
    if (parent.name === 'FormatReplacement') return true;
    // Match patterns: `case A():`, `case {}:`.
    if (PATTERN_NODES.has(parent.name)) return true;
    // `with a() as (x, y):`, `with a as self.x:`, parenthesized context managers.
    if (parent.name === 'WithStatement') {
      const body = parent.getChild('Body');
      return !body || node.from < body.from;
    }
    if (parent.name === 'Body' || parent.name === 'Script') break;
  }
  return false;
}

/** Where errors stop being suspect after a gap at `node`: its statement's end, or its body's start. */
function statementEnd(node: SyntaxNode, source: string): number {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type.is('Statement') || parent.name === 'Decorator') {
      const body = parent.getChild('Body');
      return body && node.from < body.from ? body.from : parent.to;
    }
  }
  return lineEnd(source, node.to);
}

function lineEnd(source: string, from: number): number {
  const end = source.indexOf('\n', from);
  return end < 0 ? source.length : end;
}

/** `print x` and `print "x"` are errors in Python 3; `print >>f, x` and `print -1` are not. */
function isPython2Print(node: SyntaxNode, source: string): boolean {
  const rest = source.slice(node.from + 5, node.to).trimStart();
  const word = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(rest)?.[0];
  if (word !== undefined) return !['in', 'is', 'and', 'or', 'if', 'not'].includes(word);
  return /^[\d"'{~.`]/.test(rest) || /^[rbfuRBFU]{1,2}["']/.test(rest);
}

function grammarMessage(node: SyntaxNode, source: string): string {
  // The line's first word says what Python would: `exec code`.
  const lineStart = source.lastIndexOf('\n', node.from - 1) + 1;
  const legacy = /^[ \t]*(print|exec)[ \t]+[\p{L}\d"'_]/u.exec(
    source.slice(lineStart, node.from + 1),
  );
  if (legacy) {
    return `Missing parentheses in call to '${legacy[1]}'. Did you mean ${legacy[1]}(...)?`;
  }
  const unexpected = source.slice(node.from, node.to).trim() || nextToken(source, node.to);
  if (unexpected === '') return 'invalid syntax: the statement is not finished';
  return `invalid syntax at ${JSON.stringify(unexpected.length > 20 ? `${unexpected.slice(0, 17)}...` : unexpected)}`;
}

function nextToken(source: string, from: number): string {
  const match = /^[ \t]*(\S+)/.exec(source.slice(from, from + 80));
  return match?.[1] ?? '';
}
