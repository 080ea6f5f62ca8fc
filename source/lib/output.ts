// Plain and JSON output for the CLI. Results go to stdout; context lines, warnings and
// progress go to stderr so that `--json` output stays machine-readable.
import type {Writable} from 'node:stream';

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

  style(style: Style, text: string): string {
    if (!this.color) return text;
    const [open, close] = codes[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** A result line (stdout). Suppressed in JSON mode, where `data` is the result. */
  line(text = ''): void {
    if (!this.json) this.out.write(`${text}\n`);
  }

  /** Context, progress and notes (stderr). */
  info(text: string): void {
    this.err.write(`${text}\n`);
  }

  warn(text: string): void {
    this.err.write(`${this.style('yellow', 'Warning:')} ${text}\n`);
  }

  success(text: string): void {
    this.line(`${this.style('green', '✓')} ${text}`);
  }

  data(value: unknown): void {
    if (this.fields || this.jq !== undefined) this.pending.push(value);
    else this.out.write(`${JSON.stringify(value, null, 2)}\n`);
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
          ? `${JSON.stringify(picked, null, 2)}\n`
          : await applyJq(picked, this.jq),
      );
    }
  }

  /** Prints `value` as JSON in JSON mode, otherwise runs `plain`. */
  result(value: unknown, plain: () => void): void {
    if (this.json) this.data(value);
    else plain();
  }

  table(headers: string[], rows: string[][]): void {
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
