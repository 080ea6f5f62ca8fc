import {UsageError} from '../lib/errors.js';
import {untilInterrupted} from '../lib/signals.js';
import {inert, inertJson} from '../lib/inert.js';
import {announce, type RegisterCommands} from './context.js';

type LogsFlags = {follow?: boolean; grep?: string; tail?: string};

export const registerLogsCommand: RegisterCommands = (program, ctx) => {
  program
    .command('logs')
    .description('Print the whole log of a publish or a run, from the profile store.')
    .argument('<subject>', 'MODULE@VERSION (a publish) or RUN_ID (a run)')
    .option('-f, --follow', 'keep printing new lines until the build or run ends')
    .option('--grep <regex>', 'only lines matching this regular expression')
    .option('--tail <n>', 'only the last N lines (of the matches, with --grep)')
    .action(async (subject: string, flags: LogsFlags) => {
      let grep: RegExp | undefined;
      if (flags.grep !== undefined) {
        try {
          grep = new RegExp(flags.grep);
        } catch (error) {
          throw new UsageError(
            `--grep "${flags.grep}" is not a regular expression: ${(error as Error).message}.`,
          );
        }
      }
      let tail: number | undefined;
      if (flags.tail !== undefined) {
        tail = Number(flags.tail);
        if (!/^\d+$/.test(flags.tail) || !Number.isSafeInteger(tail)) {
          throw new UsageError(`--tail takes a number of lines, not "${flags.tail}".`);
        }
      }
      const {openLog, readLog} = await import('../services/logs.js');
      const log = await openLog(ctx.deps, subject);
      announce(ctx, log.context);
      const interactive =
        !ctx.output.json &&
        !flags.follow &&
        grep === undefined &&
        tail === undefined &&
        Boolean(ctx.io.stdout.isTTY) &&
        Boolean((ctx.io.stdin as {isTTY?: boolean}).isTTY);
      if (interactive) {
        const {runLogViewer} = await import('../screens/log-viewer.js');
        await runLogViewer({
          title: log.title,
          reader: log.reader,
          stdout: ctx.io.stdout,
          stdin: ctx.io.stdin,
        });
        return;
      }
      const out = ctx.io.stdout;
      let buffered = '';
      const flush = () => {
        if (buffered) out.write(buffered);
        buffered = '';
      };
      // Ctrl+C ends `--follow`: what was read is printed, then exit 130 (143 on SIGTERM).
      await untilInterrupted(async (signal) => {
        await readLog(log, {
          ...(grep ? {grep} : {}),
          ...(tail !== undefined ? {tail} : {}),
          follow: Boolean(flags.follow),
          signal,
          ...(ctx.output.json || ctx.io.stdout.isTTY
            ? {}
            : {onText: (text: Buffer) => out.write(text)}),
          onLine: (line) => {
            // A terminal sees control characters shown, never obeyed; a pipe gets the log as written.
            const text = ctx.output.json
              ? inertJson(JSON.stringify(line))
              : ctx.io.stdout.isTTY
                ? inert(line)
                : line;
            buffered += `${text}\n`;
            // Followers see each line as it comes; a whole log goes out in large writes.
            if (flags.follow || buffered.length > 64 * 1024) flush();
          },
        });
        flush();
      }).finally(flush);
    });
};
