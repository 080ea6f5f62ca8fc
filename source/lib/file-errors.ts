// File-system failures as messages that name the real cause and the file: a read-only or
// full disk, a permission, a directory where a file belongs. Used wherever berth reads or
// writes its own files, so no failure reads as "another process holds the lock" or a bug.
import {statSync, type Stats} from 'node:fs';
import {UserError} from './errors.js';

const causes: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted (an immutable file or directory?)',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'it does not exist',
  EMFILE: 'too many files are open',
  EIO: 'an input/output error occurred on the device',
  ELOOP: 'it is a loop of symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

const hints: Record<string, string> = {
  EROFS: 'Point BERTH_CONFIG_DIR at a writable directory, or remount the file system read-write.',
  EACCES: 'Check the owner and mode of the file and its directory (ls -l).',
  EPERM: 'Check the file and its directory for the immutable attribute (lsattr) and its owner.',
  ENOSPC: 'Free some space on that disk; berth left its files as they were.',
  EDQUOT: 'Free some space within your quota; berth left its files as they were.',
};

export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The path a Node file-system error is about. */
export function fileOf(error: unknown): string | undefined {
  const file = (error as NodeJS.ErrnoException | undefined)?.path;
  return typeof file === 'string' ? file : undefined;
}

/** True for errors that come from the file system (they have a known errno code). */
export function isFileSystemError(error: unknown): boolean {
  const code = errnoCode(error);
  return code !== undefined && code in causes;
}

/** "Can't write FILE: no space is left on the device." with the next step. */
export function fileError(error: unknown, file: string, action = 'write'): UserError {
  const code = errnoCode(error);
  const cause = (code && causes[code]) ?? (error instanceof Error ? error.message : String(error));
  return new UserError(`Can't ${action} ${file}: ${cause}${code ? ` (${code})` : ''}.`, {
    hint: code ? hints[code] : undefined,
    cause: error,
  });
}

/** What stat (or `read`: lstatSync) says of `file`, or undefined when it cannot say (missing, unreadable...). */
export function statOrNothing(
  file: string,
  read: (file: string) => Stats = statSync,
): Stats | undefined {
  try {
    return read(file);
  } catch {
    return undefined;
  }
}
