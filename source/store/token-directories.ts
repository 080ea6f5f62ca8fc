// $BERTH_CONFIG_DIR/token-directories.json: the berth repositories whose `.berth/config.yaml`
// chose a token (`berth token use`), so `berth token status` can say which directories use
// which token without searching the disk. Paths only; the choices stay in each repository.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../lib/atomic-write.js';
import {withLock} from '../lib/lock.js';

type DirectoriesFile = {version: 1; directories: string[]};

export class TokenDirectories {
  readonly file: string;

  constructor(configDir: string) {
    this.file = path.join(configDir, 'token-directories.json');
  }

  list(): string[] {
    return this.read().directories;
  }

  async add(directory: string): Promise<void> {
    await withLock(this.file, () => {
      const current = this.read();
      if (current.directories.includes(directory)) return;
      current.directories.push(directory);
      current.directories.sort();
      writeFileAtomic(this.file, `${JSON.stringify(current, null, 2)}\n`, 0o600);
    });
  }

  /** A missing or unreadable index is an empty one: it only saves a search. */
  private read(): DirectoriesFile {
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<DirectoriesFile>;
      const directories = Array.isArray(raw.directories)
        ? raw.directories.filter((entry): entry is string => typeof entry === 'string')
        : [];
      return {version: 1, directories};
    } catch {
      return {version: 1, directories: []};
    }
  }
}
