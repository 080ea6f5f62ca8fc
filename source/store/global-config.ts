// The global config ($BERTH_CONFIG_DIR/config.json): profiles and the globally active profile.
// Reads parse the file directly (every command reads it; conf loads a JSON-schema validator
// that costs more start-up time than the read itself). Writes go through `conf` (atomic temp
// file + rename, 0600), as a read-modify-write under a cross-process lock.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../lib/errors.js';
import {fileError} from '../lib/file-errors.js';
import {withLock} from '../lib/lock.js';
import {parseGlobalConfig, type GlobalConfig} from '../models/profile.js';

export class GlobalConfigStore {
  readonly file: string;

  constructor(readonly configDir: string) {
    this.file = path.join(configDir, 'config.json');
  }

  read(): GlobalConfig {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return {version: 1, previousProfile: null, profiles: []};
      throw new UserError(`Can't read ${this.file}: ${(error as Error).message}.`, {cause: error});
    }
    let raw: unknown;
    try {
      raw = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new UserError(
        `${this.file} is not valid JSON (${(error as Error).message}); berth left it unchanged.`,
        {
          hint: 'Fix the file by hand, or move it away to start afresh.',
          cause: error,
        },
      );
    }
    const parsed = parseGlobalConfig(raw);
    if (!parsed.ok) {
      throw new UserError(
        `${this.file} is not a valid berth config: ${parsed.path}: ${parsed.message}.`,
        {
          hint: 'Fix the file by hand, or move it away to start afresh.',
        },
      );
    }
    return parsed.value;
  }

  /**
   * Runs `work` holding config.json's lock. The lock guards more than this file: every check
   * between it and the profile stores or `.berth/config.yaml` (a stack still exists, a profile
   * is not active) is made under it together with the write it guards. `update` inside joins it.
   */
  lock<R>(work: () => Promise<R>): Promise<R> {
    return withLock(this.file, work);
  }

  /** Applies `change` to the current config under the lock; returns the config written. */
  async update(change: (config: GlobalConfig) => void): Promise<GlobalConfig> {
    const {default: Conf} = await import('conf');
    return withLock(this.file, () => {
      const config = structuredClone(this.read());
      change(config);
      const conf = new Conf<GlobalConfig>({
        cwd: this.configDir,
        configName: 'config',
        projectName: 'berth',
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
        watch: false,
        configFileMode: 0o600,
      });
      try {
        conf.store = config;
      } catch (error) {
        // conf writes a temp file and renames it: a failure leaves config.json as it was.
        throw fileError(error, this.file);
      }
      return config;
    });
  }
}
