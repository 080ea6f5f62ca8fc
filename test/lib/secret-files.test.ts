import {describe, expect, test} from 'vitest';
import {isSecretFile, secretReason} from '../../source/lib/secret-files.js';

// One list for the build context (secretReason, name by name as it walks) and code snapshots
// (isSecretFile, a changed file's path): what one leaves out, the other does too.
describe('secret files', () => {
  test.each([
    '.env',
    '.ENV',
    '.env.production',
    'config/.netrc',
    'kaggle.json',
    'secrets.toml',
    'deploy/id_ed25519',
    'id_rsa_work',
    'tls/server.key',
    'client_secret_123.json',
    'service-account-prod.json',
    '.ssh/config',
    'home/.aws/credentials',
    '.docker/config.json',
  ])('%s is a secret file', (file) => {
    expect(isSecretFile(file)).toBe(true);
  });

  test.each([
    '.env.example',
    '.env.sample',
    '.env.template',
    'id_rsa.pub',
    'keys.py',
    'requirements.txt',
    'ssh/config',
    'docs/aws.md',
  ])('%s is not', (file) => {
    expect(isSecretFile(file)).toBe(false);
  });

  test('the build context gives the reason, for files and for folders', () => {
    expect(secretReason('kaggle.json', false)).toBe('kaggle.json looks like a secret file');
    expect(secretReason('.aws', true)).toBe('.aws/ holds credentials');
    expect(secretReason('.aws', false)).toBeUndefined();
    expect(secretReason('src', true)).toBeUndefined();
  });
});
