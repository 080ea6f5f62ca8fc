// Line prompts for the plain CLI. Without a TTY on stdin there are no prompts: the caller
// names the flag to pass instead.
import {CancelledError, UsageError} from './errors.js';
import {inert} from './inert.js';

export type PromptIo = {stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream};

export function canPrompt(io: PromptIo): boolean {
  return Boolean(io.stdin.isTTY);
}

/** Asks for a line of text (the caller checks canPrompt first). Ctrl+C, and Ctrl+D on an
 *  empty line, cancel: a CancelledError (exit 130), never an unanswered promise. */
export async function ask(io: PromptIo, question: string): Promise<string> {
  const {createInterface} = await import('node:readline');
  const rl = createInterface({input: io.stdin, output: io.stderr});
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const cancel = () => {
      if (settled) return;
      settled = true;
      io.stderr.write('\n');
      rl.close();
      reject(new CancelledError());
    };
    rl.on('SIGINT', cancel);
    rl.on('close', cancel);
    rl.question(inert(question), (answer) => {
      settled = true;
      rl.close();
      resolve(answer);
    });
  });
}

export async function confirm(io: PromptIo, question: string, flagHint: string): Promise<boolean> {
  if (!canPrompt(io)) {
    throw new UsageError(`${question} needs an answer, and stdin is not a terminal.`, {
      hint: flagHint,
    });
  }
  const answer = await ask(io, `${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}
