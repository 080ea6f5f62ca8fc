// Reads a module's MLReef-style annotations from Python source without running it: a real
// parser (@lezer/python) finds the decorators, and only literal arguments are accepted, so what
// berth publishes is exactly what the file says. Every problem is reported at once, each with
// file:line:column and what to write instead (MLReef silently dropped malformed annotations).
//
// Decisions, so they are written down once:
// - Module decorators: `@data_processor`, `@model`, `@data_visualization` (also the British
//   `@data_visualisation`), all with the same keywords; exactly one per file.
// - `@parameter(name, type, required, defaultValue, description)`, positional or keyword, on the
//   same function as the module decorator. A `@parameter` anywhere else is an error: it would
//   otherwise be silently ignored.
// - Types, case-insensitive: str/string, int/integer, float, bool/boolean, list; also the bare
//   builtins `type=int`. `dict` and others are refused: the CLI contract has five types.
// - `required` left out means "required unless there is a default". `required=True` with a
//   default is kept as written (MLReef scripts do this everywhere): a run that passes no value
//   gets the default.
// - Names are argparse flags: `[A-Za-z_][A-Za-z0-9_-]*`; `input-path` and `input_path` are the
//   same argparse destination, so they count as duplicates.
import {parser} from '@lezer/python';
import {UserError} from '../../lib/errors.js';
import {shortenEchoes} from '../../lib/shorten.js';
import type {
  ModuleKind,
  ModuleParameter,
  ModuleSchema,
  ParameterType,
  ParameterValue,
} from '../../models/module.js';
import {PARAMETER_NAME_PATTERN, moduleSlug} from '../../models/module-names.js';
import {checkPythonSyntax} from './python-syntax.js';

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

export type AnnotationProblem = {line: number; column: number; message: string};

/** At most this many problems are listed; the rest are counted (fixing the first often fixes more). */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * An entry point berth cannot publish: malformed annotations (`problems` lists each one, the
 * message the first MAX_LISTED_PROBLEMS), a Python syntax error, or a file past berth's limits.
 */
export class AnnotationError extends UserError {
  readonly file: string;
  readonly problems: AnnotationProblem[];
  readonly kind: 'annotations' | 'syntax' | 'limit';

  constructor(
    file: string,
    problems: AnnotationProblem[],
    kind: 'annotations' | 'syntax' | 'limit' = 'annotations',
  ) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${formatProblem(file, p)}`);
    if (problems.length > MAX_LISTED_PROBLEMS) {
      listed.push(`  ... and ${problems.length - MAX_LISTED_PROBLEMS} more.`);
    }
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    const headline =
      kind === 'syntax'
        ? `${file} is not valid Python 3, so the image would fail when it starts:`
        : kind === 'limit'
          ? `berth does not read ${file}:`
          : `The module annotations in ${file} have ${count}:`;
    super(`${headline}\n${listed.join('\n')}`, {
      hint: (_f, act) =>
        kind === 'annotations'
          ? `Fix the annotations, then check them again: ${act({kind: 'publish', dryRun: true})}.`
          : kind === 'syntax'
            ? `Fix that line, then check again (berth reads the file without running it): ${act({kind: 'publish', dryRun: true})}.`
            : 'Keep the entry point small: move code into modules it imports.',
    });
    this.file = file;
    this.problems = problems;
    this.kind = kind;
  }
}

export function formatProblem(file: string, problem: AnnotationProblem): string {
  return `${file}:${problem.line}:${problem.column}: ${problem.message}`;
}

export type ModuleAnnotations = {schema: ModuleSchema; notes: string[]};

/** The module schema declared in `source`; `file` names it in errors and becomes `entryPoint`. */
export function extractModuleSchema(source: string, file: string): ModuleSchema {
  return readModuleAnnotations(source, file).schema;
}

/** As `extractModuleSchema`, plus notes worth showing that are not errors. */
export function readModuleAnnotations(source: string, file: string): ModuleAnnotations {
  const reader = new AnnotationReader(source, file);
  return reader.read();
}

/**
 * Whether `source` declares a module (a module decorator that is code, not a comment or a string).
 * Cheap text check first: most files of a project never mention one. A file past berth's limits
 * that mentions one counts, so that reading it says what is wrong instead of "no module".
 */
export function declaresModule(source: string): boolean {
  if (!MODULE_DECORATOR_TEXT.test(source)) return false;
  const {tree} = checkPythonSyntax(source);
  if (!tree) return true;
  return findDecorators(tree.topNode, source).some((d) => d.role === 'module');
}

// A pre-filter only; the parser decides.
const MODULE_DECORATOR_TEXT = /@[\s\w.]*(?:data_processor|data_visuali[sz]ation|model)\b/;

const MODULE_DECORATORS: Record<string, ModuleKind> = {
  data_processor: 'data-processor',
  model: 'model',
  data_visualization: 'data-visualization',
  data_visualisation: 'data-visualization',
};

const PARAMETER_FIELDS = ['name', 'type', 'required', 'defaultValue', 'description'] as const;
type ParameterField = (typeof PARAMETER_FIELDS)[number];

/** MLReef's whole `@data_processor` argument set (and the camelCase spellings of its docs). */
const MODULE_FIELDS = [
  'name',
  'slug',
  'description',
  'author',
  'command',
  'type',
  'visibility',
  'input_type',
  'output_type',
  'inputType',
  'outputType',
] as const;
const MODULE_FIELD_LIST = MODULE_FIELDS.slice(0, 9).join(', ');

const TYPE_SPELLINGS: Record<string, ParameterType> = {
  str: 'str',
  string: 'str',
  int: 'int',
  integer: 'int',
  float: 'float',
  bool: 'bool',
  boolean: 'bool',
  list: 'list',
};

const TYPE_CHOICES = 'str, int, float, bool or list';

type DecoratorInfo = {
  node: SyntaxNode;
  role: 'module' | 'parameter';
  kind?: ModuleKind;
  /** As written, e.g. `data_processor` or `mlreef.parameter`. */
  name: string;
  args: SyntaxNode | null;
  /** The DecoratedStatement it belongs to. */
  owner: SyntaxNode | null;
};

function findDecorators(top: SyntaxNode, source: string): DecoratorInfo[] {
  const found: DecoratorInfo[] = [];
  top.cursor().iterate((ref) => {
    if (ref.name !== 'Decorator') return true;
    const node = ref.node;
    const names: SyntaxNode[] = [];
    let args: SyntaxNode | null = null;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'VariableName') names.push(child);
      else if (child.name === 'ArgList') args = child;
    }
    const last = names.at(-1);
    if (!last) return false;
    const lastName = source.slice(last.from, last.to);
    const name = names.map((n) => source.slice(n.from, n.to)).join('.');
    const owner = node.parent?.name === 'DecoratedStatement' ? node.parent : null;
    const moduleKind = MODULE_DECORATORS[lastName];
    // `model` is a common word: only the bare decorator counts, not `@api.model`.
    if (moduleKind && (lastName !== 'model' || names.length === 1)) {
      found.push({node, role: 'module', kind: moduleKind, name, args, owner});
    } else if (lastName === 'parameter') {
      found.push({node, role: 'parameter', name, args, owner});
    }
    return false;
  });
  return found;
}

/** A literal argument value, or why it is not one. */
type Literal =
  | {kind: 'str'; value: string}
  | {kind: 'int'; value: number}
  | {kind: 'float'; value: number}
  | {kind: 'bool'; value: boolean}
  | {kind: 'none'}
  | {kind: 'list'; items: Literal[]}
  | {kind: 'name'; name: string}
  | {kind: 'invalid'; reason: string; node: SyntaxNode};

type BrokenArgument = {offset: number; reason: 'syntax' | 'expression'; text: string};

/** A parameter as read: `parameter` only when it has no problem; the name even when it has. */
type DeclaredParameter = {parameter?: ModuleParameter; name?: string; nameOffset: number};

type Argument = {
  keyword: string | null;
  keywordNode: SyntaxNode | null;
  value: SyntaxNode;
  start: SyntaxNode;
};

class AnnotationReader {
  private readonly problems: AnnotationProblem[] = [];
  private readonly notes: string[] = [];
  private lineStartsCache: number[] | undefined;
  private readonly literals: LiteralReader;

  constructor(
    private readonly source: string,
    private readonly file: string,
  ) {
    this.literals = new LiteralReader(source);
  }

  /** Offsets of line starts, computed on the first position asked for. */
  private get lineStarts(): number[] {
    if (!this.lineStartsCache) {
      this.lineStartsCache = [0];
      for (let i = 0; i < this.source.length; i++) {
        if (this.source.charCodeAt(i) === 10) this.lineStartsCache.push(i + 1);
      }
    }
    return this.lineStartsCache;
  }

  read(): ModuleAnnotations {
    const {problem, tree} = checkPythonSyntax(this.source);
    if (problem) {
      this.problem(problem.offset, problem.message);
      throw this.error(problem.limit ? 'limit' : 'syntax');
    }
    const decorators = findDecorators(tree!.topNode, this.source);
    const modules = decorators.filter((d) => d.role === 'module');

    if (modules.length === 0) {
      this.problem(
        0,
        'declares no module. Add `@data_processor(name="My module", description="...")` above the function to publish.',
      );
      throw this.error();
    }
    const [module] = modules as [DecoratorInfo, ...DecoratorInfo[]];
    for (const extra of modules.slice(1)) {
      const first = this.position(module.node.from);
      this.problem(
        extra.node.from,
        `a second @${extra.name} (the first is at line ${first.line}). Publish one module per entry point: keep one and move the other to its own file.`,
      );
    }

    const target = this.decoratedFunction(module);
    const header = this.readModuleDecorator(module);
    const declared = decorators
      .filter((d) => d.role === 'parameter')
      .filter((d) => {
        if (d.owner !== null && d.owner === module.owner) return true;
        this.problem(
          d.node.from,
          `@${d.name} is not on the @${module.name} function${target ? ` "${target}"` : ''}, so it would be ignored. Move it directly above that function, next to @${module.name}.`,
        );
        return false;
      })
      .map((d, index) => this.readParameter(d, index));
    this.checkDuplicates(declared);

    if (this.problems.length > 0) throw this.error();

    if (header.metadata['visibility'] !== undefined) {
      this.notes.push(
        `@${module.name}(visibility=...) is not used: a module's visibility is its code repository's.`,
      );
    }
    const schema: ModuleSchema = {
      name: header.name,
      slug: header.slug,
      description: header.description,
      kind: module.kind ?? 'data-processor',
      entryPoint: this.file,
      function: target ?? '',
      parameters: declared.flatMap((d) => (d.parameter ? [d.parameter] : [])),
      metadata: header.metadata,
    };
    return {schema, notes: this.notes};
  }

  private decoratedFunction(module: DecoratorInfo): string | null {
    const definition = module.owner?.lastChild;
    if (definition?.name === 'FunctionDefinition') {
      const name = definition.getChild('VariableName');
      if (name) return this.text(name);
    }
    const what =
      definition?.name === 'ClassDefinition' ? 'a class' : 'something that is not a function';
    this.problem(
      module.node.from,
      `@${module.name} decorates ${what}. Put it on the function that runs the module (def main(...):).`,
    );
    return null;
  }

  private readModuleDecorator(module: DecoratorInfo): {
    name: string;
    slug: string;
    description: string;
    metadata: Record<string, string>;
  } {
    const result = {name: '', slug: '', description: '', metadata: {} as Record<string, string>};
    const label = `@${module.name}`;
    if (!module.args) {
      this.problem(
        module.node.from,
        `${label} has no arguments. Write ${label}(name="My module", description="What it does").`,
      );
      return result;
    }
    const {args, broken} = this.splitArguments(module.args);
    this.reportBroken(broken, label);
    const seen = new Map<string, Argument>();
    args.forEach((arg, index) => {
      let field: string;
      if (arg.keyword === null) {
        if (index > 0) {
          this.problem(
            arg.value.from,
            `${label} takes one positional argument, the name. Write the others as keywords, e.g. description="...".`,
          );
          return;
        }
        field = 'name';
      } else {
        field = arg.keyword;
        if (!(MODULE_FIELDS as readonly string[]).includes(field)) {
          // MLReef ignored what it did not know; berth says so, and publishes.
          this.warning(
            arg.start.from,
            `${label} has no argument "${field}"; berth ignores it (it reads ${MODULE_FIELD_LIST}).`,
          );
          return;
        }
      }
      if (seen.has(field)) {
        this.problem(arg.start.from, `${label} gives "${field}" twice. Keep one.`);
        return;
      }
      seen.set(field, arg);
    });

    for (const [field, arg] of seen) {
      const literal = this.literal(arg.value);
      if (literal.kind === 'invalid') {
        this.notLiteral(label, field, literal, `${field}="..."`);
        continue;
      }
      if (literal.kind === 'none' && field !== 'name') continue;
      if (literal.kind !== 'str') {
        this.problem(
          arg.value.from,
          `${label}: ${field} must be a string. Write ${field}="${this.text(arg.value)}".`,
        );
        continue;
      }
      if (field === 'name') result.name = literal.value.trim();
      else if (field === 'description') result.description = literal.value;
      else result.metadata[snakeCase(field)] = literal.value;
    }

    const nameArg = seen.get('name');
    const slugArg = seen.get('slug');
    const declaredSlug = result.metadata['slug'];
    if (!nameArg) {
      this.problem(
        module.node.from,
        `${label} has no name. Add name="My module" (it names the module and its image).`,
      );
    } else if (slugArg && declaredSlug !== undefined) {
      // As MLReef: a declared slug names the module, in its lowercase [a-z0-9-] form.
      result.slug = moduleSlug(declaredSlug);
      if (result.slug === '') {
        this.problem(
          slugArg.value.from,
          `${label}: the slug ${JSON.stringify(declaredSlug)} has no letter or digit to name the module by. Write e.g. slug="image-rotation", or leave it out to use the name.`,
        );
      } else if (result.slug !== declaredSlug) {
        this.warning(
          slugArg.value.from,
          `${label}: slug ${JSON.stringify(declaredSlug)} is used as "${result.slug}" (module names are lowercase a-z, 0-9 and -).`,
        );
      }
    } else if (result.name !== '' || this.literal(nameArg.value).kind === 'str') {
      result.slug = moduleSlug(result.name);
      if (result.slug === '') {
        this.problem(
          nameArg.value.from,
          `${label}: the name ${JSON.stringify(result.name)} has no letter or digit to name the module by. Write a name such as name="Image rotation".`,
        );
      }
    }
    if (result.slug !== '') delete result.metadata['slug'];
    return result;
  }

  private readParameter(decorator: DecoratorInfo, index: number): DeclaredParameter {
    const problemsBefore = this.problems.length;
    let label = `@parameter #${index + 1}`;
    if (!decorator.args) {
      this.problem(
        decorator.node.from,
        `${label} has no arguments. Write @parameter(name="epochs", type="int", required=False, defaultValue=10).`,
      );
      return {nameOffset: decorator.node.from};
    }
    const {args, broken} = this.splitArguments(decorator.args);
    // Name the parameter in every message, also those about arguments before the name is checked.
    const early =
      (args[0]?.keyword === null ? args[0] : undefined) ?? args.find((a) => a.keyword === 'name');
    const earlyName = early ? this.literal(early.value) : undefined;
    if (earlyName?.kind === 'str') label = `@parameter "${earlyName.value}"`;
    this.reportBroken(broken, label);
    const given = new Map<ParameterField, Argument>();
    let sawKeyword = false;
    args.forEach((arg, position) => {
      let field: ParameterField;
      if (arg.keyword === null) {
        if (sawKeyword) {
          this.problem(
            arg.value.from,
            `${label}: a positional argument after a keyword one. Write it as a keyword.`,
          );
          return;
        }
        const positional = PARAMETER_FIELDS[position];
        if (!positional) {
          this.problem(
            arg.value.from,
            `${label} takes at most ${PARAMETER_FIELDS.length} arguments (${PARAMETER_FIELDS.join(', ')}). Remove the extra one.`,
          );
          return;
        }
        field = positional;
      } else {
        sawKeyword = true;
        const keyword = arg.keyword;
        if (!(PARAMETER_FIELDS as readonly string[]).includes(keyword)) {
          const suggestion = PARAMETER_KEYWORD_FIXES[keyword.toLowerCase()];
          this.problem(
            arg.start.from,
            `${label} has no argument "${keyword}".${suggestion ? ` Write ${suggestion}=... instead.` : ` Use ${PARAMETER_FIELDS.join(', ')}.`}`,
          );
          return;
        }
        field = keyword as ParameterField;
      }
      if (given.has(field)) {
        this.problem(arg.start.from, `${label} gives "${field}" twice. Keep one.`);
        return;
      }
      given.set(field, arg);
    });

    // The name first, so the other messages can say which parameter they are about.
    let name: string | undefined;
    const nameArg = given.get('name');
    if (!nameArg) {
      this.problem(
        decorator.node.from,
        `${label} has no name. Add name="epochs" (it becomes the --epochs flag).`,
      );
    } else {
      const literal = this.literal(nameArg.value);
      if (literal.kind === 'str') {
        name = literal.value;
        label = `@parameter "${name}"`;
        if (!PARAMETER_NAME_PATTERN.test(name)) {
          const fixed = suggestParameterName(name);
          this.problem(
            nameArg.value.from,
            `${label}: the name is not valid: it becomes the --flag of the entry point, so use letters, digits, _ and - (not first).${fixed ? ` Write name="${fixed}".` : ''}`,
          );
        }
      } else if (literal.kind === 'invalid') {
        this.notLiteral(label, 'name', literal, 'name="epochs"');
      } else {
        this.problem(
          nameArg.value.from,
          `${label}: the name must be a string. Write name="${this.text(nameArg.value)}".`,
        );
      }
    }

    let type: ParameterType | undefined;
    const typeArg = given.get('type');
    if (!typeArg) {
      this.problem(
        decorator.node.from,
        `${label} has no type. Add type="str" (one of ${TYPE_CHOICES}).`,
      );
    } else {
      type = this.parameterType(label, typeArg.value);
    }

    let required: boolean | undefined;
    const requiredArg = given.get('required');
    if (requiredArg) {
      const literal = this.literal(requiredArg.value);
      const value = literal.kind === 'invalid' ? undefined : toBool(literal);
      if (literal.kind === 'invalid') this.notLiteral(label, 'required', literal, 'required=True');
      else if (value === undefined) {
        this.problem(
          requiredArg.value.from,
          `${label}: required is ${this.text(requiredArg.value)}, not True or False. Write required=True or required=False.`,
        );
      } else required = value;
    }

    let defaultValue: ParameterValue = null;
    const defaultArg = given.get('defaultValue');
    if (defaultArg && type) {
      const literal = this.literal(defaultArg.value);
      if (literal.kind === 'invalid') {
        this.notLiteral(label, 'defaultValue', literal, DEFAULT_EXAMPLES[type]);
      } else {
        const converted = convertDefault(type, literal, this.text(defaultArg.value));
        if ('value' in converted) defaultValue = converted.value;
        else {
          this.problem(
            defaultArg.value.from,
            `${label}: default ${describe(literal, this.text(defaultArg.value))} ${converted.problem}. ${DEFAULT_HINTS[type]}`,
          );
        }
      }
    }

    let description = '';
    const descriptionArg = given.get('description');
    if (descriptionArg) {
      const literal = this.literal(descriptionArg.value);
      if (literal.kind === 'str') description = literal.value;
      else if (literal.kind === 'invalid')
        this.notLiteral(label, 'description', literal, 'description="..."');
      else if (literal.kind !== 'none') {
        this.problem(
          descriptionArg.value.from,
          `${label}: description must be a string. Write description="${this.text(descriptionArg.value)}".`,
        );
      }
    }

    const nameOffset = nameArg?.value.from ?? decorator.node.from;
    if (this.problems.length > problemsBefore || name === undefined || type === undefined) {
      return name !== undefined && PARAMETER_NAME_PATTERN.test(name)
        ? {name, nameOffset}
        : {nameOffset};
    }
    return {
      name,
      parameter: {
        name,
        type,
        required: required ?? defaultValue === null,
        defaultValue,
        description,
      },
      nameOffset,
    };
  }

  private parameterType(label: string, node: SyntaxNode): ParameterType | undefined {
    const literal = this.literal(node, true);
    let spelled: string;
    if (literal.kind === 'str') spelled = literal.value.trim();
    else if (literal.kind === 'name') spelled = literal.name;
    else if (literal.kind === 'invalid') {
      this.notLiteral(label, 'type', literal, 'type="str"');
      return undefined;
    } else {
      this.problem(
        node.from,
        `${label}: type must be a string. Write type="str" (one of ${TYPE_CHOICES}).`,
      );
      return undefined;
    }
    const type = TYPE_SPELLINGS[spelled.toLowerCase()];
    if (type) return type;
    const lower = spelled.toLowerCase();
    const hint =
      lower === 'dict' || lower === 'dictionary'
        ? 'Dictionaries are not a parameter type: write type="str" and parse the JSON in your script.'
        : lower === 'double' || lower === 'number'
          ? 'Write type="float".'
          : lower === 'tuple' || lower === 'array'
            ? 'Write type="list".'
            : `Write one of ${TYPE_CHOICES}.`;
    this.problem(node.from, `${label}: unknown type ${JSON.stringify(spelled)}. ${hint}`);
    return undefined;
  }

  private checkDuplicates(declared: DeclaredParameter[]): void {
    const byDestination = new Map<string, string>();
    for (const {name, nameOffset} of declared) {
      if (name === undefined) continue;
      const destination = name.replaceAll('-', '_');
      const earlier = byDestination.get(destination);
      if (earlier === undefined) {
        byDestination.set(destination, name);
      } else if (earlier === name) {
        this.problem(
          nameOffset,
          `@parameter "${name}" is declared twice. Keep one, or rename one of them.`,
        );
      } else {
        this.problem(
          nameOffset,
          `@parameter "${name}" is the same flag as "${earlier}" (argparse reads - as _). Rename one of them.`,
        );
      }
    }
  }

  /** The literal-shaped arguments; the others are reported by `reportBroken` once the label is known. */
  private splitArguments(argList: SyntaxNode): {args: Argument[]; broken: BrokenArgument[]} {
    const groups: SyntaxNode[][] = [[]];
    for (let child = argList.firstChild; child; child = child.nextSibling) {
      if (child.name === '(' || child.name === ')' || child.name === 'Comment') continue;
      if (child.name === ',') groups.push([]);
      else groups.at(-1)!.push(child);
    }
    const args: Argument[] = [];
    const broken: BrokenArgument[] = [];
    for (const group of groups) {
      const [first, second, third] = group;
      if (!first) continue;
      const error = group.find((n) => n.type.isError || hasError(n));
      if (error) {
        broken.push({offset: error.from, reason: 'syntax', text: ''});
      } else if (
        group.length === 3 &&
        first.name === 'VariableName' &&
        second?.name === 'AssignOp' &&
        third
      ) {
        args.push({keyword: this.text(first), keywordNode: first, value: third, start: first});
      } else if (group.length === 1) {
        args.push({keyword: null, keywordNode: null, value: first, start: first});
      } else {
        broken.push({
          offset: first.from,
          reason: 'expression',
          text: `${this.text(first)}${second ? this.text(second) : ''}`,
        });
      }
    }
    return {args, broken};
  }

  private reportBroken(broken: BrokenArgument[], label: string): void {
    for (const argument of broken) {
      this.problem(
        argument.offset,
        argument.reason === 'syntax'
          ? `${label}: this argument is not valid Python. Check the commas, quotes and brackets.`
          : `${label}: ${argument.text}... is not a literal value. berth reads annotations without running your code: write the values themselves.`,
      );
    }
  }

  /** A literal; a bare name (a variable) only where `allowNames` (for `type=int`). */
  private literal(node: SyntaxNode, allowNames = false): Literal {
    const literal = this.literals.read(node);
    if (literal.kind === 'name' && !allowNames) {
      return {kind: 'invalid', node, reason: `${literal.name} is a variable, not a literal`};
    }
    return literal;
  }

  private notLiteral(
    label: string,
    field: string,
    literal: Literal & {kind: 'invalid'},
    example: string,
  ): void {
    this.problem(
      literal.node.from,
      `${label}: ${field} ${literal.reason}. berth reads annotations without running your code: write the value itself, e.g. ${example}.`,
    );
  }

  private problem(offset: number, message: string): void {
    this.problems.push({...this.position(offset), message: shortenEchoes(message)});
  }

  /** Not an error: shown with the dry run and the publish, at its file:line:column. */
  private warning(offset: number, message: string): void {
    if (this.notes.length < MAX_LISTED_PROBLEMS) {
      this.notes.push(formatProblem(this.file, {...this.position(offset), message}));
    } else if (this.notes.length === MAX_LISTED_PROBLEMS) {
      this.notes.push(`${this.file}: more warnings like these are not listed.`);
    }
  }

  private error(kind: AnnotationError['kind'] = 'annotations'): AnnotationError {
    const sorted = [...this.problems].sort((a, b) => a.line - b.line || a.column - b.column);
    return new AnnotationError(this.file, sorted, kind);
  }

  private position(offset: number): {line: number; column: number} {
    if (offset === 0) return {line: 1, column: 1};
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    const lineStart = this.lineStarts[low]!;
    // Columns count characters as an editor does, not UTF-16 units.
    return {line: low + 1, column: [...this.source.slice(lineStart, offset)].length + 1};
  }

  private text(node: SyntaxNode): string {
    return this.source.slice(node.from, node.to);
  }
}

/** Evaluates literal expressions (strings, numbers, booleans, None, lists) without running code. */
class LiteralReader {
  constructor(private readonly source: string) {}

  read(node: SyntaxNode): Literal {
    switch (node.name) {
      case 'String':
      case 'FormatString':
        return this.stringLiteral(node);
      case 'ContinuedString': {
        let value = '';
        for (let child = node.firstChild; child; child = child.nextSibling) {
          if (child.name === 'Comment') continue;
          const part = this.stringLiteral(child);
          if (part.kind !== 'str') return part;
          value += part.value;
        }
        return {kind: 'str', value};
      }
      case 'Number':
        return this.numberLiteral(node, 1);
      case 'UnaryExpression': {
        const operator = node.firstChild;
        const operand = operator?.nextSibling;
        const sign = operator ? this.text(operator) : '';
        if (operand?.name === 'Number' && (sign === '-' || sign === '+')) {
          return this.numberLiteral(operand, sign === '-' ? -1 : 1);
        }
        return this.invalid(node);
      }
      case 'Boolean':
        return {kind: 'bool', value: this.text(node) === 'True'};
      case 'None':
        return {kind: 'none'};
      case 'ParenthesizedExpression': {
        const inner = node.firstChild?.nextSibling;
        return inner && inner.name !== ')' ? this.read(inner) : this.invalid(node);
      }
      case 'ArrayExpression':
      case 'TupleExpression': {
        const items: Literal[] = [];
        for (let child = node.firstChild; child; child = child.nextSibling) {
          if (['[', ']', '(', ')', ',', 'Comment'].includes(child.name)) continue;
          const item = this.read(child);
          if (item.kind === 'invalid' || item.kind === 'name') return this.invalid(child);
          items.push(item);
        }
        return {kind: 'list', items};
      }
      case 'VariableName':
        return {kind: 'name', name: this.text(node)};
      default:
        return this.invalid(node);
    }
  }

  private invalid(node: SyntaxNode, reason?: string): Literal {
    return {kind: 'invalid', node, reason: reason ?? `${this.excerpt(node)} is not a literal`};
  }

  private stringLiteral(node: SyntaxNode): Literal {
    if (node.name !== 'String' && node.name !== 'FormatString') return this.invalid(node);
    const text = this.text(node);
    const prefix = /^[A-Za-z]*/.exec(text)![0].toLowerCase();
    if (prefix.includes('b'))
      return this.invalid(node, `${this.excerpt(node)} is bytes, not a string`);
    if (node.getChild('FormatReplacement')) {
      return this.invalid(node, `${this.excerpt(node)} is an f-string with a {placeholder}`);
    }
    const rest = text.slice(prefix.length);
    const quote =
      rest.startsWith('"""') || rest.startsWith("'''") ? rest.slice(0, 3) : rest.slice(0, 1);
    const body = rest.slice(quote.length, rest.length - quote.length);
    return {kind: 'str', value: prefix.includes('r') ? body : unescapePython(body)};
  }

  private numberLiteral(node: SyntaxNode, sign: 1 | -1): Literal {
    const text = this.text(node).replaceAll('_', '');
    if (/[jJ]$/.test(text)) return this.invalid(node, `${this.text(node)} is a complex number`);
    const based = /^0([xob])([0-9a-f]+)$/i.exec(text);
    if (based) {
      const radix = {x: 16, o: 8, b: 2}[based[1]!.toLowerCase() as 'x' | 'o' | 'b'];
      const value = Number.parseInt(based[2]!, radix);
      return Number.isSafeInteger(value)
        ? {kind: 'int', value: sign * value}
        : this.invalid(node, `${this.text(node)} is too large`);
    }
    const value = sign * Number(text);
    if (/^\d+$/.test(text)) {
      return Number.isSafeInteger(value)
        ? {kind: 'int', value}
        : this.invalid(node, `${this.text(node)} is too large`);
    }
    return Number.isFinite(value)
      ? {kind: 'float', value}
      : this.invalid(node, `${this.text(node)} is not a finite number`);
  }

  private text(node: SyntaxNode): string {
    return this.source.slice(node.from, node.to);
  }

  private excerpt(node: SyntaxNode): string {
    const text = this.text(node).replace(/\s+/g, ' ');
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  }
}

function hasError(node: SyntaxNode): boolean {
  let found = false;
  node.cursor().iterate((ref) => {
    if (ref.type.isError) found = true;
    return !found;
  });
  return found;
}

const PARAMETER_KEYWORD_FIXES: Record<string, string> = {
  default: 'defaultValue',
  default_value: 'defaultValue',
  defaultvalue: 'defaultValue',
  desc: 'description',
  help: 'description',
  optional: 'required',
  nullable: 'required',
  dtype: 'type',
};

const DEFAULT_EXAMPLES: Record<ParameterType, string> = {
  str: 'defaultValue="text"',
  int: 'defaultValue=10',
  float: 'defaultValue=0.5',
  bool: 'defaultValue=False',
  list: 'defaultValue=[]',
};

const DEFAULT_HINTS: Record<ParameterType, string> = {
  str: 'Write a string in quotes, e.g. defaultValue="text".',
  int: 'Write an integer, e.g. defaultValue=10.',
  float: 'Write a number, e.g. defaultValue=0.5.',
  bool: 'Write True or False, e.g. defaultValue=False.',
  list: 'Write a list, e.g. defaultValue=[] or defaultValue=["a", "b"].',
};

type Conversion = {value: ParameterValue} | {problem: string};

function convertDefault(type: ParameterType, literal: Literal, text: string): Conversion {
  if (literal.kind === 'none') return {value: null};
  switch (type) {
    case 'str':
      if (literal.kind === 'str') return {value: literal.value};
      if (literal.kind === 'int') return {value: String(literal.value)};
      if (literal.kind === 'float') return {value: text.trim()};
      if (literal.kind === 'bool') return {value: literal.value ? 'True' : 'False'};
      return {problem: 'is not a str'};
    case 'int': {
      if (literal.kind === 'int') return {value: literal.value};
      if (literal.kind === 'str') {
        const parsed = parseNumberText(literal.value);
        if (parsed?.kind === 'int') return {value: parsed.value};
      }
      return {problem: 'is not an int'};
    }
    case 'float': {
      if (literal.kind === 'int' || literal.kind === 'float') return {value: literal.value};
      if (literal.kind === 'str') {
        const parsed = parseNumberText(literal.value);
        if (parsed) return {value: parsed.value};
      }
      return {problem: 'is not a float'};
    }
    case 'bool': {
      const value = toBool(literal);
      return value === undefined ? {problem: 'is not a bool'} : {value};
    }
    case 'list': {
      if (literal.kind === 'list') return {value: literal.items.map(plainValue)};
      if (literal.kind === 'str') {
        const parsed = parseListText(literal.value);
        if (parsed) return {value: parsed};
      }
      return {problem: 'is not a list'};
    }
  }
}

function plainValue(literal: Literal): ParameterValue {
  switch (literal.kind) {
    case 'str':
    case 'int':
    case 'float':
    case 'bool':
      return literal.value;
    case 'list':
      return literal.items.map(plainValue);
    default:
      return null;
  }
}

/** Python's int()/float() on a string, within what JSON can hold. */
function parseNumberText(text: string): {kind: 'int' | 'float'; value: number} | undefined {
  const trimmed = text.trim();
  if (/^[+-]?\d(?:_?\d)*$/.test(trimmed)) {
    const value = Number(trimmed.replaceAll('_', ''));
    return Number.isSafeInteger(value) ? {kind: 'int', value} : undefined;
  }
  if (
    /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d+)?$/.test(trimmed)
  ) {
    const value = Number(trimmed.replaceAll('_', ''));
    return Number.isFinite(value) ? {kind: 'float', value} : undefined;
  }
  return undefined;
}

/** `"[]"`, `"['a', 2]"`: the string holds a Python list literal; read it with the same parser. */
function parseListText(text: string): ParameterValue[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  // The same checks and limits as the entry point itself (nesting, size).
  const {problem, tree} = checkPythonSyntax(`x = ${trimmed}\n`);
  if (problem || !tree) return undefined;
  let list: SyntaxNode | null = null;
  let broken = false;
  tree.topNode.cursor().iterate((ref) => {
    if (ref.type.isError) broken = true;
    if (!list && ref.name === 'ArrayExpression') {
      list = ref.node;
      return false;
    }
    return true;
  });
  const node = list as SyntaxNode | null;
  if (broken || !node || node.from !== 4 || node.to !== 4 + trimmed.length) return undefined;
  const literal = new LiteralReader(`x = ${trimmed}\n`).read(node);
  return literal.kind === 'list' ? literal.items.map(plainValue) : undefined;
}

function toBool(literal: Literal): boolean | undefined {
  if (literal.kind === 'bool') return literal.value;
  if (literal.kind === 'int' && (literal.value === 0 || literal.value === 1))
    return literal.value === 1;
  if (literal.kind === 'str') {
    const lower = literal.value.trim().toLowerCase();
    if (['true', 'yes', '1'].includes(lower)) return true;
    if (['false', 'no', '0'].includes(lower)) return false;
  }
  return undefined;
}

function describe(literal: Literal, text: string): string {
  return literal.kind === 'str' ? JSON.stringify(literal.value) : text.replace(/\s+/g, ' ');
}

/** `--cropfactor` → `cropfactor`, `image Files` → `image_Files`; undefined when nothing is left. */
function suggestParameterName(name: string): string | undefined {
  const fixed = name
    .trim()
    .replace(/^[-\d]+/, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_');
  return /[A-Za-z0-9]/.test(fixed) && PARAMETER_NAME_PATTERN.test(fixed) ? fixed : undefined;
}

function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

function unescapePython(body: string): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\r\n|[\s\S])/g,
    (whole, escape: string) => {
      if (escape === '\r\n') return '';
      const simple = SIMPLE_ESCAPES[escape];
      if (simple !== undefined) return simple;
      const first = escape[0]!;
      if (first === 'x' || first === 'u' || first === 'U') {
        return String.fromCodePoint(Number.parseInt(escape.slice(1), 16));
      }
      if (/^[0-7]+$/.test(escape)) return String.fromCodePoint(Number.parseInt(escape, 8));
      // Python keeps unknown escapes as written.
      return whole;
    },
  );
}
