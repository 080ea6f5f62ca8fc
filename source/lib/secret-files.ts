// Names that hold credentials by convention: files and folders. One list for every place berth
// copies a project's files somewhere (the build context, a code snapshot), whatever git thinks
// of them.

/** Folders that hold credentials (SSH keys, cloud and registry logins). */
const secretFolders = new Set(['.ssh', '.aws', '.gnupg', '.docker', '.kube', '.azure', '.gcloud']);

/** File names that hold credentials. */
const secretNames = new Set([
  '.env',
  '.envrc',
  '.netrc',
  '_netrc',
  '.npmrc',
  '.pypirc',
  '.pgpass',
  '.git-credentials',
  '.htpasswd',
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'kaggle.json',
  'credentials.json',
  'secrets.toml',
]);

const secretPatterns = [
  // .env.local, .env.production; not the templates people commit on purpose.
  /^\.env\.(?!(?:example|sample|template|dist|defaults?)$)[^/]+$/i,
  /\.(?:pem|key|p12|pfx|jks|keystore|kdbx|ppk)$/i,
  /^id_(?:rsa|dsa|ecdsa|ed25519)(?:_[^.]*)?$/,
  /^client_secrets?[^/]*\.json$/i,
  /^service[-_]account[^/]*\.json$/i,
];

/** Why `name` (one file or folder name) looks like it holds a secret, or undefined. */
export function secretReason(name: string, isFolder: boolean): string | undefined {
  if (isFolder) {
    return secretFolders.has(name) ? `${name}/ holds credentials` : undefined;
  }
  if (secretNames.has(name.toLowerCase()) || secretPatterns.some((pattern) => pattern.test(name))) {
    return `${name} looks like a secret file`;
  }
  return undefined;
}

/** Whether a path (POSIX, any depth) is a secret file or lies in a folder of credentials. */
export function isSecretFile(filePath: string): boolean {
  const parts = filePath.split('/');
  const name = parts.pop() ?? '';
  return (
    parts.some((folder) => secretReason(folder, true) !== undefined) ||
    secretReason(name, false) !== undefined
  );
}
