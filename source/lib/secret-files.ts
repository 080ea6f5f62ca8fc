// File names that hold credentials by convention. berth never copies such a file anywhere it
// did not choose to be (a code snapshot), whatever git thinks of it.

const exactNames = new Set([
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
  'credentials.json',
  'service-account.json',
]);

const patterns = [
  /^\.env\..+$/i, // .env.local, .env.production (but see the allowed examples below)
  /\.(pem|key|p12|pfx|jks|keystore|kdbx|ppk|asc|gpg)$/i,
  /^id_(rsa|dsa|ecdsa|ed25519)(_[\w-]+)?$/,
];

/** Templates meant to be committed: `.env.example`, `.env.sample`, `.env.template`. */
const allowed = /^\.env\.(example|sample|template|dist)$/i;

/** Whether a path (POSIX, any depth) names a file that conventionally holds a secret. */
export function isSecretFile(filePath: string): boolean {
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  if (allowed.test(name)) return false;
  if (exactNames.has(name.toLowerCase())) return true;
  return patterns.some((pattern) => pattern.test(name));
}
