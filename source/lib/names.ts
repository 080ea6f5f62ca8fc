import {UsageError} from './errors.js';
import {inert} from './inert.js';

const maxLength = 64;
// Letters, digits, dot, dash and underscore; not starting with a dash or a dot so that a name
// never reads as a flag, a hidden file or `-` (the previous stack).
const namePattern = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Validates a user-chosen name (profile, stack, component, repository, token). */
export function validateName(kind: string, name: string): string {
  if (name.length === 0) throw new UsageError(`The ${kind} name is empty.`);
  if (name.length > maxLength) {
    throw new UsageError(
      `The ${kind} name is ${name.length} characters long; the limit is ${maxLength}.`,
    );
  }
  if (!namePattern.test(name)) {
    throw new UsageError(`"${inert(name)}" is not a valid ${kind} name.`, {
      hint: 'Use letters, digits, ".", "-" and "_", starting with a letter, digit or "_".',
    });
  }
  return name;
}
