// A module version's entry point as a sha256 of its bytes on disk: taken when it is published,
// and compared with the file as it is now to show the version as outdated (services/modules.ts).
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {ModuleVersionRecord} from '../../models/module-version.js';

export function entryPointSha256(
  record: Pick<ModuleVersionRecord, 'projectPath' | 'entryPoint'>,
): string {
  const file = path.join(record.projectPath, ...record.entryPoint.split('/'));
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
