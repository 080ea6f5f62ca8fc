// Runs inputs through berth's annotation or requirements parser inside a worker thread whose
// heap the test caps (resourceLimits): each outcome is "accepted", "refused" (a UserError, with
// the size of its message) or "crashed" (anything else, with the stack).
import {parentPort} from 'node:worker_threads';
import {UserError} from '../../source/lib/errors.js';
import {readModuleAnnotations} from '../../source/services/publish/annotations.js';
import {parseRequirements} from '../../source/services/publish/requirements.js';

export type FuzzRequest = {parser: 'annotations' | 'requirements'; inputs: string[]};
export type FuzzOutcome =
  | {outcome: 'accepted'}
  | {outcome: 'refused'; messageLength: number; firstLine: string}
  | {outcome: 'crashed'; error: string};

parentPort!.on('message', ({parser, inputs}: FuzzRequest) => {
  const outcomes = inputs.map((input): FuzzOutcome => {
    try {
      if (parser === 'annotations') readModuleAnnotations(input, 'fuzz.py');
      else parseRequirements(input);
      return {outcome: 'accepted'};
    } catch (error) {
      if (error instanceof UserError) {
        const firstProblem = error.message.split('\n')[1] ?? error.message;
        return {
          outcome: 'refused',
          messageLength: error.message.length,
          firstLine: firstProblem.slice(0, 300),
        };
      }
      return {
        outcome: 'crashed',
        error: error instanceof Error ? String(error.stack) : String(error),
      };
    }
  });
  parentPort!.postMessage(outcomes);
});
