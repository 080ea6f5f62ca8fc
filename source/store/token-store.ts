// Token metadata ($BERTH_CONFIG_DIR/tokens.json, never a secret) and, only for tokens added
// with --insecure-storage, their secrets ($BERTH_CONFIG_DIR/credentials.json, mode 0600).
// Both are written atomically under a cross-process lock.
import {chmodSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../lib/atomic-write.js';
import {UserError} from '../lib/errors.js';
import {withLock} from '../lib/lock.js';
import {
  parseCredentialsFile,
  parseTokensFile,
  type CredentialsFile,
  type TokenMetadata,
  type TokensFile,
} from '../models/token.js';

export class TokenStore {
  readonly file: string;
  readonly credentialsFile: string;

  constructor(readonly configDir: string) {
    this.file = path.join(configDir, 'tokens.json');
    this.credentialsFile = path.join(configDir, 'credentials.json');
  }

  list(): TokenMetadata[] {
    return this.readTokens().tokens;
  }

  get(name: string): TokenMetadata | undefined {
    return this.list().find((token) => token.name === name);
  }

  /** Runs `work` holding the token list's lock: `token remove` checks that no repository uses
   *  the token under it, and registering a repository with a token checks it still exists. */
  lock<R>(work: () => Promise<R>): Promise<R> {
    return withLock(this.file, work);
  }

  /** Applies `change` to the token list under the lock and writes it. */
  async update<R>(change: (tokens: TokenMetadata[]) => R): Promise<R> {
    return withLock(this.file, () => {
      const current = this.readTokens();
      const result = change(current.tokens);
      writeFileAtomic(this.file, `${JSON.stringify(current, null, 2)}\n`, 0o600);
      return result;
    });
  }

  readFileSecret(name: string): string | undefined {
    return this.readCredentials().secrets[name];
  }

  async writeFileSecret(name: string, secret: string): Promise<void> {
    await this.updateCredentials((secrets) => {
      secrets[name] = secret;
    });
  }

  async deleteFileSecret(name: string): Promise<boolean> {
    return this.updateCredentials((secrets) => {
      const existed = name in secrets;
      delete secrets[name];
      return existed;
    });
  }

  private async updateCredentials<R>(change: (secrets: Record<string, string>) => R): Promise<R> {
    return withLock(this.credentialsFile, () => {
      const current = this.readCredentials();
      const result = change(current.secrets);
      writeFileAtomic(this.credentialsFile, `${JSON.stringify(current, null, 2)}\n`, 0o600);
      // An existing file keeps its mode through rename only if we set it: make sure.
      chmodSync(this.credentialsFile, 0o600);
      return result;
    });
  }

  private readTokens(): TokensFile {
    const raw = readJson(this.file);
    if (raw === undefined) return {version: 1, tokens: []};
    const parsed = parseTokensFile(raw);
    if (!parsed.ok) {
      throw new UserError(`${this.file} is not a valid list of berth tokens: ${parsed.message}.`, {
        hint: 'Fix the file by hand, or move it away and add the tokens again.',
      });
    }
    return parsed.value;
  }

  private readCredentials(): CredentialsFile {
    const raw = readJson(this.credentialsFile);
    if (raw === undefined) return {version: 1, secrets: {}};
    const parsed = parseCredentialsFile(raw);
    if (!parsed) {
      // Never quote the content: it holds secrets.
      throw new UserError(`${this.credentialsFile} is not a valid berth credentials file.`, {
        hint: 'Move it away and add the tokens stored there again.',
      });
    }
    return parsed;
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`Can't read ${file}: ${(error as Error).message}.`, {cause: error});
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message can quote the file's content, which may be a secret.
    throw new UserError(`${file} is not valid JSON; berth left it unchanged.`, {
      hint: 'Fix the file by hand, or move it away to start afresh.',
    });
  }
}
