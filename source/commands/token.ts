// `berth token ...`: add (masked prompt or --stdin), list, verify, remove. Without a
// subcommand in a terminal it opens the token screen.
import {CancelledError, renderText, UsageError, UserError, type FieldText} from '../lib/errors.js';
import type {Verification} from '../models/token.js';
import {addToken, listTokens, parseProvider, removeToken, verifyToken} from '../services/tokens.js';
import {announce, cliVocabulary, type CommandContext, type RegisterCommands} from './context.js';

const noTokens = 'No tokens. Add one with `berth token add github` or `berth token add gitlab`.';

export const registerTokenCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;
  // Services name fields; here they read as this command's flags.
  const warn = (text: FieldText) => output.warn(renderText(text, cliVocabulary));
  const token = program
    .command('token')
    .description(
      'GitHub, GitLab and registry tokens: verified with the provider, kept in the OS keychain.',
    )
    .action(async () => {
      if (!ctx.io.stdin.isTTY || !ctx.io.stdout.isTTY) {
        token.outputHelp();
        return;
      }
      const {runTokensScreen} = await import('../screens/run-tokens-screen.js');
      await runTokensScreen(ctx.deps);
    });

  token
    .command('add')
    .description(
      'Verify a token with its provider, then store it (read from a masked prompt or --stdin, never an argument).',
    )
    .argument('<provider>', 'github, gitlab or registry')
    .option(
      '--name <name>',
      'token name (default: github / gitlab, or github-HOST for other hosts)',
    )
    .option(
      '--api-url <url>',
      'GitHub API URL (Enterprise: https://HOST/api/v3), GitLab instance URL, or registry HOST[:PORT]',
    )
    .option('--username <user>', 'registry user name (registry tokens)')
    .option('--stdin', 'read the token from stdin')
    .option(
      '--insecure-storage',
      'store the token in a 0600 file in the config dir instead of the OS keychain',
    )
    .option('--replace', 'replace the secret of an existing token of this name (rotation)')
    .action(
      async (
        providerName: string,
        options: {
          name?: string;
          apiUrl?: string;
          username?: string;
          stdin?: boolean;
          insecureStorage?: boolean;
          replace?: boolean;
        },
      ) => {
        const provider = parseProvider(providerName);
        if (!options.stdin && !ctx.io.stdin.isTTY) {
          throw new UsageError(
            'The token is read from a masked prompt, and stdin is not a terminal.',
            {
              hint: 'Pipe the token in with --stdin: `printenv MY_TOKEN | berth token add github --stdin`.',
            },
          );
        }
        const result = await addToken(
          ctx.deps,
          {
            provider,
            name: options.name,
            apiUrl: options.apiUrl,
            username: options.username,
            insecureStorage: options.insecureStorage,
            replace: options.replace,
            readSecret: () =>
              options.stdin
                ? readStdin(ctx.io.stdin)
                : readMasked(
                    ctx,
                    `Paste your ${provider === 'registry' ? 'registry password' : `${provider} token`}: `,
                  ),
          },
          {
            onWarning: warn,
            onVerified: (verification) => printVerification(ctx, verification),
          },
        );
        const where =
          result.token.storage === 'file'
            ? `the file ${result.backend}`
            : `the OS keychain (${result.backend})`;
        output.success(
          `${result.replaced ? 'Replaced' : 'Stored'} token '${result.token.name}' in ${where}.`,
        );
      },
    );

  token
    .command('list')
    .description(
      'List tokens: provider, API URL, login, scopes, storage (keychain, file, env) and the masked secret.',
    )
    .action(async () => {
      const tokens = await listTokens(ctx.deps, {onWarning: warn});
      output.result(tokens, () => {
        if (tokens.length === 0) {
          output.line(noTokens);
          return;
        }
        output.table(
          ['NAME', 'PROVIDER', 'API URL', 'LOGIN', 'SCOPES', 'STORAGE', 'TOKEN', 'VERIFIED'],
          tokens.map((t) => [
            t.name,
            t.provider,
            t.apiUrl,
            t.login ?? '-',
            t.fineGrained ? '(fine-grained)' : t.scopes.join(',') || '-',
            t.envVar
              ? `env (${t.envVar}${t.storedIn ? `, overrides ${t.storedIn}` : ''})`
              : t.storage,
            t.masked ?? '?',
            t.lastVerifiedAt ? t.lastVerifiedAt.slice(0, 16).replace('T', ' ') : '-',
          ]),
        );
      });
    });

  token
    .command('status')
    .description(
      'Check every token with its provider now: login, scopes, expiry, storage, and which profiles, directories and repositories use it. Exit 1 if one does not work.',
    )
    .action(async () => {
      const {tokenStatus} = await import('../services/token-status.js');
      const {tokens} = await tokenStatus(ctx.deps, {onWarning: warn});
      output.result(tokens, () => {
        if (tokens.length === 0) {
          output.line(noTokens);
          return;
        }
        for (const host of [...new Set(tokens.map((t) => t.host))]) {
          output.line(output.style('bold', host));
          for (const t of tokens.filter((candidate) => candidate.host === host)) {
            const mark =
              t.state === 'valid'
                ? output.style('green', '✓')
                : output.style(t.state === 'invalid' ? 'red' : 'yellow', '✗');
            const storage = t.envVar ? `env ${t.envVar}` : t.storage;
            output.line(
              `  ${mark} ${t.name}: ${t.state === 'valid' ? `${t.login ? `logged in as ${t.login}` : 'works'}` : t.state === 'invalid' ? 'invalid' : 'not checked'} (${t.provider}, ${storage}) ${t.masked ?? ''}`.trimEnd(),
            );
            if (t.error) output.line(`      ${t.error}`);
            if (t.provider !== 'registry')
              output.line(
                `      Scopes: ${t.fineGrained ? '(fine-grained)' : t.scopes.join(', ') || '-'}   Expires: ${t.expiresAt?.slice(0, 10) ?? 'never'}`,
              );
            const used = [
              ...t.usedBy.directories.map((d) => `directory ${d}`),
              ...t.usedBy.profiles.map((p) => `profile ${p}`),
              ...t.usedBy.repositories.map((r) => `repository ${r}`),
            ];
            output.line(`      Used by: ${used.length > 0 ? used.join(', ') : '-'}`);
            for (const warning of t.warnings) output.warn(`${t.name}: ${warning}.`);
          }
        }
      });
      const failed = tokens.filter((t) => t.state !== 'valid');
      if (failed.length > 0) {
        throw new UserError(
          `${failed.length === 1 ? `Token '${failed[0]!.name}' does not work` : `${failed.length} tokens do not work: ${failed.map((t) => t.name).join(', ')}`}${failed.every((t) => t.state === 'unverified') ? ' (could not be checked)' : ''}.`,
          {
            hint: 'Rotate a refused token with `berth token add PROVIDER --name NAME --replace`, or remove it.',
          },
        );
      }
    });

  token
    .command('use')
    .description(
      "Use this token for its host here (this repository's .berth/config.yaml), or in the profile with --global. Local first, like stacks.",
    )
    .argument('<name>')
    .option('--global', 'set it in the active profile, not in this repository')
    .action(async (name: string, options: {global?: boolean}) => {
      const {useToken} = await import('../services/accounts.js');
      const result = await useToken(ctx.deps, {name, global: options.global});
      announce(ctx, result.context, {repository: !options.global});
      output.success(
        `Using token '${result.token}' for ${result.host} (${result.scope}: ${result.where}).`,
      );
    });

  token
    .command('unuse')
    .description('Forget the token chosen for a host here (or in the profile with --global).')
    .argument('<host>', 'the forge host, e.g. github.com')
    .option('--global', 'forget the choice of the active profile')
    .action(async (host: string, options: {global?: boolean}) => {
      const {unuseToken} = await import('../services/accounts.js');
      const result = await unuseToken(ctx.deps, {host, global: options.global});
      announce(ctx, result.context, {repository: !options.global});
      output.success(
        `No token chosen for ${result.host} any more (${result.scope}: ${result.where}); it was '${result.previous}'.`,
      );
    });

  token
    .command('verify')
    .description('Verify a token again with its provider and record its login and scopes.')
    .argument('<name>')
    .action(async (name: string) => {
      const result = await verifyToken(ctx.deps, name);
      if (result.storage === 'env')
        output.info(`Token '${name}' comes from the environment (${result.storage}).`);
      printVerification(ctx, result.verification);
      output.success(`Token '${name}' works.`);
    });

  token
    .command('remove')
    .description(
      'Delete a token from the keychain (or file) and forget it. Refuses while code repositories use it.',
    )
    .argument('<name>')
    .option('--force', 'remove it even if code repositories use it')
    .action(async (name: string, options: {force?: boolean}) => {
      const result = await removeToken(ctx.deps, {name, force: options.force}, {onWarning: warn});
      if (result.usedBy.length > 0)
        output.warn(
          `These code repositories used it and now have no working token: ${result.usedBy.join(', ')}.`,
        );
      output.success(`Removed token '${name}'.`);
    });
};

function printVerification(ctx: CommandContext, verification: Verification): void {
  const {output} = ctx;
  output.line(
    `Verified with ${verification.host}${verification.login ? `: logged in as ${verification.login}` : ''}.`,
  );
  if (verification.provider !== 'registry') {
    output.line(
      `  Scopes:  ${verification.fineGrained ? '(fine-grained token)' : verification.scopes.join(', ') || '(none)'}`,
    );
  }
  if (verification.expiresAt) output.line(`  Expires: ${verification.expiresAt.slice(0, 10)}`);
  if (verification.missingScopes.length > 0) {
    output.warn(
      `The token lacks the scope${verification.missingScopes.length > 1 ? 's' : ''} berth needs to read repository contents: ${verification.missingScopes.join(', ')}.`,
    );
  }
  for (const note of verification.notes) output.warn(note);
}

async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk as string;
  return text;
}

/** A prompt that echoes one `*` per character, on the terminal (stderr), in raw mode. */
function readMasked(ctx: CommandContext, question: string): Promise<string> {
  const {stdin, stderr} = ctx.io;
  return new Promise((resolve, reject) => {
    let secret = '';
    stderr.write(question);
    const done = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: string) => {
      // Escape sequences (arrows, bracketed-paste markers) are not part of a token.
      // eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
      const text = chunk.replace(/\u001b\[[0-9;]*[~A-Za-z]|\u001b./g, '');
      for (const char of text) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new CancelledError());
        // Ctrl+D ends the input; on an empty one there is nothing to store.
        if (char === '\u0004') return done(secret === '' ? new CancelledError() : undefined);
        if (char === '\u007f' || char === '\b') {
          if (secret.length > 0) {
            secret = secret.slice(0, -1);
            stderr.write('\b \b');
          }
        } else if (char === '\u0015') {
          stderr.write('\b \b'.repeat(secret.length));
          secret = '';
        } else if (char >= ' ') {
          secret += char;
          stderr.write('*');
        }
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
