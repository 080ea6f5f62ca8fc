import {inert} from '../lib/inert.js';
import {announce, type RegisterCommands} from './context.js';

export const registerCodeCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;
  const code = program.command('code').description('The exact code of publishes and runs.');

  code
    .command('show')
    .description('Show the code of a publish or a run: commit, and the snapshot diff if any.')
    .argument('<subject>', 'MODULE@VERSION or RUN_ID')
    .action(async (subject: string) => {
      const {showCode} = await import('../services/snapshots/code-show.js');
      const shown = await showCode(ctx.deps, subject);
      announce(ctx, shown.context);
      const reference = shown.codeReference;
      if (output.json) {
        output.data({
          subject: shown.subject,
          codeReference: reference,
          commit: shown.commit,
          repository: shown.repository,
          snapshot: shown.snapshot,
          patch: shown.patch?.toString('utf8') ?? null,
        });
        return;
      }
      // The description goes to stderr, the diff alone to stdout: `> file.patch` gives a patch
      // that `git apply` takes.
      if (!reference) {
        output.info(
          `${shown.subject} has no code reference: it was not published from a registered repository${shown.commit ? ` (HEAD was ${shown.commit})` : ''}.`,
        );
        return;
      }
      const where = shown.repository
        ? `${shown.repository.name}${shown.repository.path ? ` (${shown.repository.path})` : ''}`
        : `repository ${reference.repositoryId} (no longer registered)`;
      output.info(`Code of ${shown.subject}: ${where} at ${reference.commit}`);
      if (reference.subdirectory) output.info(`Subdirectory ${reference.subdirectory}`);
      if (!shown.snapshot || !shown.patch) {
        output.info('No snapshot: the commit alone is the code.');
        return;
      }
      output.info(
        `Snapshot ${shown.snapshot.digest}: ${shown.snapshot.files.length} changed, ${shown.snapshot.deleted.length} deleted (from ${shown.snapshot.from})`,
      );
      // A terminal sees control characters in the changed files shown, never obeyed (a
      // snapshot can come from anyone who publishes to the registry); a pipe gets the patch.
      ctx.io.stdout.write(
        ctx.io.stdout.isTTY ? inert(shown.patch.toString('utf8'), {multiline: true}) : shown.patch,
      );
    });
};
