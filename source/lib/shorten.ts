/**
 * Messages quote what a user's file says; a quoted run of a megabyte would make the message
 * that long. Runs over 200 characters keep their start and end; long whitespace collapses.
 */
export function shortenEchoes(message: string): string {
  return message
    .replace(/\S{201,}/g, (run) => `${run.slice(0, 160)}…${run.slice(-20)}`)
    .replace(/\s{21,}/g, ' … ');
}
