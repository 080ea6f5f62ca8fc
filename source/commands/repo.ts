import type {Command} from 'commander';
import path from 'node:path';
import {UsageError} from '../lib/errors.js';
import {untilInterrupted} from '../lib/signals.js';
import {confirm} from '../lib/prompt.js';
import {count} from '../lib/plural.js';
import {maskSecretOptions} from '../lib/secret.js';
import type {CodeRepositoryRecord} from '../models/code-repository.js';
import type {DownloadProgress} from '../services/code-repositories/download.js';
import {
  deleteRepository,
  describeRepository,
  listRepositories,
  parseRepositoryType,
  registerRepository,
  renameNote,
  updateRepository,
  type RegisterRepositoryInput,
} from '../services/code-repositories/register.js';
import {describeAccount, type ForgeAccount} from '../services/accounts.js';
import {parseOptions} from '../services/components.js';
import {detectCheckout, printDetection} from './checkout.js';
import {announce, collect, type CommandContext, type RegisterCommands} from './context.js';
import {formatBytes} from '../lib/format.js';

type RegisterFlags = Omit<RegisterRepositoryInput, 'name' | 'type' | 'options'> & {
  type: string;
  option?: string[];
};

export const registerRepoCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;
  // Every call to a forge says first which account it uses (stderr).
  const onAccount = (account: ForgeAccount) => output.info(describeAccount(account));
  const repo = program
    .command('repo')
    .description(
      'Register code repositories (GitHub, GitLab, custom), detect checkouts, download commits.',
    );

  repo
    .command('register')
    .description('Register a code repository; it is checked with its provider first.')
    .argument('<name>')
    .requiredOption('--type <type>', 'github, gitlab or custom')
    .option('--owner <owner>', 'GitHub: the owner (user or organisation)')
    .option('--repository <repository>', 'GitHub: the repository')
    .option('--group <group>', 'GitLab: the group, subgroups as a/b/c')
    .option('--project <project>', 'GitLab: the project')
    .option('--host <host>', 'where clones point (default github.com / gitlab.com)')
    .option(
      '--api-url <url>',
      'GitHub API URL (default https://api.github.com; GHE: https://HOST/api/v3)',
    )
    .option('--instance-url <url>', 'GitLab instance URL (default https://gitlab.com)')
    .option(
      '--token <name>',
      'the NAME of a stored token (`berth token list`), never the token itself',
    )
    .option('--source <module#export>', 'custom: ./module.js#ExportName')
    .option('--option <key=value>', 'custom: constructor option (repeatable)', collect)
    .action(async (name: string, flags: RegisterFlags) => {
      const result = await registerRepository(
        ctx.deps,
        {
          name,
          type: parseRepositoryType(flags.type),
          owner: flags.owner,
          repository: flags.repository,
          group: flags.group,
          project: flags.project,
          host: flags.host,
          apiUrl: flags.apiUrl,
          instanceUrl: flags.instanceUrl,
          token: flags.token,
          source: flags.source,
          options: flags.option?.length ? parseOptions(flags.option) : undefined,
        },
        {onAccount},
      );
      announce(ctx, result.context);
      if (result.renamedFrom) output.info(renameNote(result.renamedFrom, result.repository));
      output.success(`Registered code repository '${name}' (${describeWhere(result.repository)}).`);
      printRecord(ctx, result.repository);
    });

  repo
    .command('list')
    .description('List the code repositories of the active profile.')
    .action(async () => {
      const {repositories, context} = await listRepositories(ctx.deps);
      announce(ctx, context);
      const shown = repositories.map((r) =>
        r.options ? {...r, options: maskSecretOptions(r.options)} : r,
      );
      output.result(shown, () => {
        if (repositories.length === 0) {
          output.line(
            'No code repositories. Register one with `berth repo register NAME --type github ...`.',
          );
          return;
        }
        output.table(
          ['NAME', 'TYPE', 'LOCATION', 'VISIBILITY', 'TOKEN'],
          repositories.map((r) => [
            r.name,
            r.type,
            describeWhere(r),
            r.visibility ?? '-',
            r.token ?? '-',
          ]),
        );
      });
    });

  repo
    .command('describe')
    .description("Show a code repository and this directory's checkout of it, if any.")
    .argument('<name>')
    .option(
      '--ignore-untracked',
      'untracked files do not make the checkout dirty (also BERTH_IGNORE_UNTRACKED=1)',
    )
    .action(async (name: string, flags: {ignoreUntracked?: boolean}) => {
      const result = await describeRepository(ctx.deps, name, {
        ignoreUntracked: flags.ignoreUntracked || undefined,
      });
      announce(ctx, result.context);
      output.result({...result.repository, checkout: result.checkout}, () => {
        printRecord(ctx, result.repository, true);
        if (result.checkout) {
          output.line('This directory:');
          printDetection(ctx, result.checkout, '  ');
        } else output.line(`This directory: not a checkout of '${name}'`);
      });
    });

  repo
    .command('update')
    .description('Change a code repository (token, API URL, host, options); it is checked again.')
    .argument('<name>')
    .option('--token <name>', 'the NAME of a stored token')
    .option('--no-token', 'use no token (public repositories)')
    .option('--host <host>', 'where clones point')
    .option('--api-url <url>', 'GitHub API URL')
    .option('--instance-url <url>', 'GitLab instance URL')
    .option('--option <key=value>', 'custom: constructor option (repeatable; merged)', collect)
    .action(
      async (
        name: string,
        flags: {
          token?: string | false;
          host?: string;
          apiUrl?: string;
          instanceUrl?: string;
          option?: string[];
        },
        command: Command,
      ) => {
        // commander sets `token: true` by default for a --no-token pair; only an explicit flag counts.
        const tokenSource = command.getOptionValueSource('token');
        const token =
          tokenSource === 'cli'
            ? flags.token === false
              ? null
              : (flags.token as string)
            : undefined;
        const result = await updateRepository(
          ctx.deps,
          {
            name,
            token,
            host: flags.host,
            apiUrl: flags.apiUrl,
            instanceUrl: flags.instanceUrl,
            options: flags.option?.length ? parseOptions(flags.option) : undefined,
          },
          {onAccount},
        );
        announce(ctx, result.context);
        if (result.renamedFrom) output.info(renameNote(result.renamedFrom, result.repository));
        output.success(`Updated code repository '${name}'.`);
        printRecord(ctx, result.repository);
      },
    );

  repo
    .command('delete')
    .description('Delete a code repository (runs and modules keep their code references).')
    .argument('<name>')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (name: string, flags: {yes?: boolean}) => {
      const result = await deleteRepository(ctx.deps, {
        name,
        confirm: async () =>
          flags.yes === true ||
          confirm(ctx.io, `Delete code repository '${name}'?`, 'Pass -y to delete without asking.'),
      });
      announce(ctx, result.context);
      output.success(`Deleted code repository '${name}'.`);
    });

  repo
    .command('detect')
    .description(
      'Which registered repository PATH is a checkout of, and its state. Local only: no network.',
    )
    .argument('[path]', 'a directory (default: the current one)')
    .option(
      '--ignore-untracked',
      'untracked files do not make the checkout dirty (also BERTH_IGNORE_UNTRACKED=1)',
    )
    .action((dir: string | undefined, flags: {ignoreUntracked?: boolean}) =>
      detectCheckout(ctx, dir, flags),
    );

  repo
    .command('download')
    .description("Download a commit's files into a new or empty directory (one archive request).")
    .argument('<name>')
    .requiredOption('--commit <sha>', 'the commit (full or abbreviated SHA)')
    .requiredOption('--dir <dir>', 'target directory (new or empty)')
    .option('--subdirectory <path>', 'only this folder of the repository, re-rooted at --dir')
    .option(
      '--snapshot <digest>',
      'apply this code snapshot (sha256:…, from `berth runs describe`) on top of the commit',
    )
    .action(
      async (
        name: string,
        flags: {commit: string; dir: string; subdirectory?: string; snapshot?: string},
      ) => {
        if (flags.dir.trim() === '') throw new UsageError('--dir is empty.');
        const progress = progressPrinter(ctx);
        const target = path.resolve(ctx.deps.cwd, flags.dir);
        try {
          const {downloadWithSnapshot} = await import('../services/snapshots/download.js');
          // SIGINT/SIGTERM abort the download; the partial directory is removed before exit.
          const result = await untilInterrupted(
            (signal) =>
              downloadWithSnapshot(ctx.deps, {
                name,
                commit: flags.commit,
                dir: flags.dir,
                subdirectory: flags.subdirectory,
                signal,
                onProgress: output.json ? undefined : progress.update,
                onAccount,
                ...(flags.snapshot ? {snapshot: flags.snapshot} : {}),
              }),
            (signal) =>
              `${signal === 'SIGINT' ? 'Cancelled' : 'Stopped (SIGTERM)'}; nothing was written to ${target}.`,
          );
          progress.done(true);
          announce(ctx, result.context);
          const {context: _context, ...summary} = result;
          output.result(summary, () => {
            output.success(
              `Downloaded ${count(result.files, 'file')}${result.symlinks ? ` and ${count(result.symlinks, 'symlink')}` : ''} (${formatBytes(result.bytes)}${result.compressed ? ' compressed' : ''}) of ${name} at ${result.commit} into ${result.directory}${result.snapshot ? `, with snapshot ${result.snapshot.digest.slice(0, 19)}… applied (${count(result.snapshot.written, 'file')} written, ${result.snapshot.deleted} deleted)` : ''}.`,
            );
          });
        } finally {
          progress.done(false);
        }
      },
    );
};

function describeWhere(record: CodeRepositoryRecord): string {
  if (record.type === 'custom') return record.source ?? '';
  return `${record.host}/${record.path}`;
}

function printRecord(ctx: CommandContext, stored: CodeRepositoryRecord, full = false): void {
  const {output} = ctx;
  // A secret kept in an option by an older berth is shown masked.
  const record = stored.options ? {...stored, options: maskSecretOptions(stored.options)} : stored;
  if (output.json) {
    output.data(record);
    return;
  }
  const rows: Array<[string, string | null | undefined]> = [
    ['Name', record.name],
    ['Type', record.type],
    ...(record.type === 'custom'
      ? ([
          ['Source', record.source],
          [
            'Options',
            Object.entries(record.options ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || '-',
          ],
          ['Token', record.token ?? '(none)'],
        ] as Array<[string, string]>)
      : ([
          ['Location', `${record.host}/${record.path}`],
          [record.type === 'github' ? 'API' : 'Instance', record.apiUrl],
          ['Token', record.token ?? '(none)'],
          ['Visibility', record.visibility],
          ['Default branch', record.defaultBranch],
        ] as Array<[string, string | null]>)),
  ];
  if (full) rows.push(['Id', record.id], ['Registered', record.createdAt]);
  for (const [label, value] of rows) output.line(`  ${`${label}:`.padEnd(16)}${value ?? '-'}`);
}

/** One progress line on stderr, rewritten in place on a terminal, printed once otherwise. */
function progressPrinter(ctx: CommandContext) {
  const tty = Boolean(ctx.io.stderr.isTTY);
  let shown = false;
  let last: DownloadProgress | undefined;
  return {
    update: (progress: DownloadProgress) => {
      last = progress;
      if (!tty) return;
      const total = progress.totalBytes ? ` of ${formatBytes(progress.totalBytes)}` : '';
      ctx.io.stderr.write(`\r\u001b[2KDownloading: ${formatBytes(progress.bytes)}${total}`);
      shown = true;
    },
    /** Clears the progress line; after a success without a terminal, says what was fetched. */
    done: (succeeded: boolean) => {
      if (shown) ctx.io.stderr.write('\r\u001b[2K');
      else if (succeeded && last && !tty)
        ctx.output.info(`Downloaded ${formatBytes(last.bytes)}; extracted safely.`);
      shown = false;
      last = undefined;
    },
  };
}
