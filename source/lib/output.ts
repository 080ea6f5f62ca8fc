// Plain and JSON output for the CLI. Results go to stdout; context lines, warnings and
// progress go to stderr so that `--json` output stays machine-readable.
//
// Every string written here is made inert (lib/inert.ts): a name, a login or an error from
// outside can't reach the terminal as a control sequence. The only escapes that do are
// Output's own colors: `style()` marks them with a per-process nonce that no outside string
// can contain, and `render()` turns exactly those marks into escapes after sanitising.
import type {Writable} from 'node:stream';
import {inert, inertJson} from './inert.js';

export type OutputOptions = {
  json: boolean;
  color: boolean;
  /** `--json FIELDS`: keep these top-level fields. */
  fields?: readonly string[];
  /** `--jq EXPR`: filter the JSON through jq. */
  jq?: string;
  stdout?: Writable;
  stderr?: Writable;
};

const codes = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof codes;

const nonce = `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const mark = `\u0000${nonce}:`;
const markEnd = '\u0000';

export class Output {
  readonly json: boolean;
  readonly color: boolean;
  private readonly out: Writable;
  private readonly err: Writable;
  private fields: readonly string[] | undefined;
  private jq: string | undefined;
  /** JSON results waiting for --json FIELDS / --jq (applied in `finish`, jq being async). */
  private readonly pending: unknown[] = [];

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.color = options.color;
    this.fields = options.fields;
    this.jq = options.jq;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
  }

  /** `text` in a color. Only for text given to this Output: the marks become escapes in
   *  `render()` and mean nothing anywhere else. */
  style(style: Style, text: string): string {
    if (!this.color) return text;
    const [open, close] = codes[style];
    return `${mark}${open}${markEnd}${text}${mark}${close}${markEnd}`;
  }

  /** What the terminal receives for `text`: every outside character inert, our own colors
   *  applied. Lines keep their `\n` and `\t`. */
  render(text: string): string {
    const [head = '', ...rest] = text.split(mark);
    let rendered = inert(head, {multiline: true});
    for (const part of rest) {
      const end = part.indexOf(markEnd);
      const code = part.slice(0, end);
      rendered +=
        end > 0 && /^\d+$/.test(code)
          ? `\u001b[${code}m${inert(part.slice(end + 1), {multiline: true})}`
          : inert(part, {multiline: true});
    }
    return rendered;
  }

  /** A result line (stdout). Suppressed in JSON mode, where `data` is the result. */
  line(text = ''): void {
    if (!this.json) this.out.write(`${this.render(text)}\n`);
  }

  /** Context, progress and notes (stderr). */
  info(text: string): void {
    this.err.write(`${this.render(text)}\n`);
  }

  warn(text: string): void {
    this.info(`${this.style('yellow', 'Warning:')} ${text}`);
  }

  success(text: string): void {
    this.line(`${this.style('green', '✓')} ${text}`);
  }

  data(value: unknown): void {
    if (this.fields || this.jq !== undefined) this.pending.push(value);
    else this.out.write(`${inertJson(JSON.stringify(value, null, 2))}\n`);
  }

  /** Sets --json FIELDS / --jq once they are known (after the command line is parsed). */
  filter(options: Pick<OutputOptions, 'fields' | 'jq'>): void {
    this.fields = options.fields;
    this.jq = options.jq;
  }

  /** Writes the results held for --json FIELDS and --jq. Called once, after the command. */
  async finish(): Promise<void> {
    const values = this.pending.splice(0);
    if (values.length === 0) return;
    const {applyJq, pickFields} = await import('./json-filter.js');
    for (const value of values) {
      const picked = this.fields ? pickFields(value, this.fields) : value;
      this.out.write(
        this.jq === undefined
          ? `${inertJson(JSON.stringify(picked, null, 2))}\n`
          : // jq writes strings raw (-r): from here on they are text for a terminal.
            inert(await applyJq(picked, this.jq), {multiline: true}),
      );
    }
  }

  /** Prints `value` as JSON in JSON mode, otherwise runs `plain`. */
  result(value: unknown, plain: () => void): void {
    if (this.json) this.data(value);
    else plain();
  }

  table(headers: string[], rawRows: string[][]): void {
    // Widths are measured on what will be shown.
    const rows = rawRows.map((row) => row.map((cell) => inert(cell)));
    const widths = headers.map((header, column) =>
      Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
    );
    const format = (cells: string[]) =>
      cells
        .map((cell, column) =>
          column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd();
    this.line(this.style('bold', format(headers)));
    for (const row of rows) this.line(format(row));
  }
}

export function shouldUseColor(
  env: NodeJS.ProcessEnv,
  flag: boolean | undefined,
  isTTY: boolean,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}
