// Line prompts for the plain CLI. Without a TTY on stdin there are no prompts: the caller
// names the flag to pass instead.
import {UsageError} from './errors.js';
import {inert} from './inert.js';

export type PromptIo = {stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream};

export function canPrompt(io: PromptIo): boolean {
  return Boolean(io.stdin.isTTY);
}

/** Asks for a line of text (the caller checks canPrompt first). */
export async function ask(io: PromptIo, question: string): Promise<string> {
  const {createInterface} = await import('node:readline/promises');
  const rl = createInterface({input: io.stdin, output: io.stderr});
  try {
    return await rl.question(inert(question));
  } finally {
    rl.close();
  }
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
