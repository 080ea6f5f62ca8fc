// Services, clients, the store, lib and models speak in fields and actions, never in berth's
// command lines: a string literal there that spells `berth <command>` or one of berth's flags
// is a hint the TUI would show as CLI text. The commands and flags are read from source/commands
// (what commander declares), the literals with TypeScript's own scanner, so comments (doc
// comments too) do not count and a template literal's text does.
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The layers that must not spell CLI text: they name fields (FieldText) and actions (remedies). */
export const fieldLayers = ['services', 'clients', 'store', 'lib', 'models'];

/**
 * Literals that are other programs' vocabulary, or text that is not a hint: each with why.
 * A file alone allows the whole file; with `text`, only literals containing that text.
 */
export const allowed: Array<{file: string; text?: string; why: string}> = [
  {file: 'clients/git.ts', why: 'git command lines (and git config in a git hint)'},
  {file: 'clients/git-snapshot.ts', why: 'git command lines'},
  {file: 'services/publish/dockerfile.ts', why: "pip's flags in the Dockerfile it writes"},
  {
    file: 'services/publish/requirements.ts',
    why: "pip's flags, as the user's requirements file has them",
  },
  {file: 'services/publish/bootstrap.ts', why: 'the Python bootstrap program baked into images'},
  {
    file: 'store/repository-config.ts',
    text: '# Written by',
    why: 'a comment in the .gitignore it writes',
  },
];

export type CliWords = {commands: string[]; flags: string[]};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** berth's top-level commands and long flags, as source/commands declares them. */
export function cliWordsOf(root: string): CliWords {
  const commands = new Set<string>();
  const flags = new Set<string>(['--help', '--version']);
  for (const file of sourceFiles(path.join(root, 'commands'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bprogram\s*\.command\(\s*['"`]([a-z][\w-]*)/g))
      commands.add(match[1]!);
    for (const match of text.matchAll(/\b(?:option|requiredOption|Option)\(\s*['"`]([^'"`]*)/g))
      for (const long of match[1]!.matchAll(/--[a-z][\w-]*/g)) flags.add(long[0]);
  }
  return {commands: [...commands].sort(), flags: [...flags].sort()};
}

/** The text of every string and template literal of a file (template parts joined by `…`). */
export function literalsOf(file: string): Array<{line: number; text: string}> {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: Array<{line: number; text: string}> = [];
  const at = (node: ts.Node) =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
      found.push({line: at(node), text: node.text});
    else if (ts.isTemplateExpression(node))
      found.push({
        line: at(node),
        text: [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('…'),
      });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export type CliText = {file: string; line: number; words: string; text: string};

/** Every literal in the field layers under `root` that spells a berth command or flag. */
export function findCliText(root: string): CliText[] {
  const {commands, flags} = cliWordsOf(root);
  const escape = (word: string) => word.replace(/[-]/g, '\\-');
  const command = new RegExp(`\\bberth (?:${commands.map(escape).join('|')})\\b`);
  const flag = new RegExp(`(?<![\\w-])(?:${flags.map(escape).join('|')})(?![\\w-])`);
  const found: CliText[] = [];
  for (const layer of fieldLayers) {
    const dir = path.join(root, layer);
    for (const file of sourceFiles(dir)) {
      const relative = path.relative(root, file).split(path.sep).join('/');
      const rules = allowed.filter((rule) => rule.file === relative);
      if (rules.some((rule) => rule.text === undefined)) continue;
      for (const {line, text} of literalsOf(file)) {
        if (rules.some((rule) => rule.text !== undefined && text.includes(rule.text))) continue;
        const words = command.exec(text)?.[0] ?? flag.exec(text)?.[0];
        if (words) found.push({file: relative, line, words, text});
      }
    }
  }
  return found;
}

export function describeCliText(found: CliText): string {
  const excerpt = found.text.length > 90 ? `${found.text.slice(0, 87)}...` : found.text;
  return `${found.file}:${found.line} spells "${found.words}": ${JSON.stringify(excerpt)}`;
}
