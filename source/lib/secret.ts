// A secret's characters and length are checked before it is used anywhere: sent in a header,
// stored, or verified. Messages say what is wrong and never contain the secret (not even a
// masked part of it): a token read from a UTF-16 file would otherwise reach an HTTP library
// that quotes the whole header value in its error.
import {UsageError, type FieldText} from './errors.js';
import {knownPrefixes, maskSecret} from './mask.js';

/** GitHub and GitLab tokens are under 300 characters; registry tokens (JWTs) a few thousand. */
export const maxSecretLength = 8192;

export type SecretKind =
  /** A GitHub or GitLab token: one word of visible ASCII (it goes into an HTTP header). */
  | 'token'
  /** A registry password: any printable text (it is base64-encoded before it is sent). */
  | 'password';

/**
 * The secret, trimmed, or a UsageError saying what is wrong with it. `what` names it in the
 * message: "The token", "GITHUB_TOKEN", "The stored secret of token "gh"".
 */
export function checkSecret(raw: string, kind: SecretKind, what = 'The token'): string {
  const secret = raw.replace(/^\ufeff/, '').trim();
  const nothingSent = 'Nothing was sent or stored.';
  if (secret === '') {
    throw new UsageError(`${what} is empty.`, {
      hint: (f) => `Paste the token at the prompt, or pipe it to ${f('stdin')}.`,
    });
  }
  if (secret.includes('\u0000') || secret.includes('\ufffd')) {
    throw new UsageError(
      `${what} has NUL characters or bytes that are not UTF-8: it looks like a UTF-16 file (what PowerShell's \`>\` and Out-File write).`,
      {
        hint: `Save it as ASCII or UTF-8 (\`Set-Content -Encoding ascii\`, \`Out-File -Encoding utf8\`) and try again. ${nothingSent}`,
      },
    );
  }
  if (secret.length > maxSecretLength) {
    throw new UsageError(
      `${what} is ${secret.length} characters long; berth takes secrets of at most ${maxSecretLength}.`,
      {hint: `Check that only the token was given, not a whole file. ${nothingSent}`},
    );
  }
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(secret);
  if (control) {
    throw new UsageError(
      `${what} has a control character at position ${control.index + 1}; a secret is one line of text.`,
      {hint: `Copy it again from where it was made. ${nothingSent}`},
    );
  }
  if (kind === 'token') {
    const odd = /[^\x21-\x7e]/.exec(secret);
    if (odd) {
      const which = /\s/.test(odd[0]) ? 'whitespace' : 'a character tokens never have';
      throw new UsageError(
        `${what} has ${which} at position ${odd.index + 1}: GitHub and GitLab tokens are one word of ASCII letters, digits and punctuation.`,
        {
          hint: `Copy it again from the provider (an accent or a typographic quote crept in?). ${nothingSent}`,
        },
      );
    }
  }
  return secret;
}

// Option values are stored in plain text in the profile store and printed by `repo show`:
// names that say "secret" and values that look like one are refused before anything is stored.

/** Words that make an option name a secret's: `token`, `api_key`, `clientSecret`, `PASSWORD`. */
const secretWords = new Set([
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'credential',
  'credentials',
  'auth',
  'authorization',
  'bearer',
  'cookie',
  'apikey',
  'pat',
]);
/** `KEY` preceded by one of these is a secret key (`api_key`, `privateKey`, `ssh-key`). */
const keyQualifiers = new Set(['api', 'access', 'private', 'secret', 'ssh', 'signing', 'client']);
/** A last word that makes the option a reference to a secret, not the secret itself. */
const referenceWords = new Set([
  'name',
  'env',
  'var',
  'variable',
  'file',
  'path',
  'url',
  'id',
  'type',
  'header',
  'user',
  'username',
]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** True when an option's name says it holds a secret (`token`, `api_key`, `dbPassword`). */
export function isSecretName(name: string): boolean {
  const parts = words(name);
  if (parts.length === 0 || referenceWords.has(parts.at(-1)!)) return false;
  return parts.some(
    (word, index) =>
      secretWords.has(word) || (word === 'key' && keyQualifiers.has(parts[index - 1] ?? '')),
  );
}

/** What makes a value look like a secret whatever its name, if anything. */
export function secretValueReason(value: string): string | undefined {
  if (knownPrefixes.some((prefix) => value.startsWith(prefix)))
    return 'holds what looks like a GitHub or GitLab token';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]*@/i.test(value))
    return 'holds a URL with a password';
  if (/^eyJ[\w-]{8,}\.[\w-]+\.[\w-]*$/.test(value)) return 'holds what looks like a JSON web token';
  return undefined;
}

/**
 * Refuses options that would put a secret into the profile store: names that say "secret"
 * (unless `names` is false: a component's `credentials` is a token NAME) and values that look
 * like one. Messages name the option, never its value.
 */
export function refuseSecretOptions(
  options: Record<string, string>,
  hint: FieldText,
  {names = true}: {names?: boolean} = {},
): void {
  for (const [key, value] of Object.entries(options)) {
    const reason = names && isSecretName(key) ? 'names a secret' : undefined;
    const valueReason = secretValueReason(value);
    if (!reason && !valueReason) continue;
    throw new UsageError(
      `Option "${key}" ${reason ?? valueReason}; berth stores options in plain text and prints them. Nothing was stored.`,
      {hint},
    );
  }
}

/** Options as shown: values of secret-looking options (kept from older versions) masked. */
export function maskSecretOptions(options: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => [
      key,
      isSecretName(key) || secretValueReason(value) ? maskSecret(value) : value,
    ]),
  );
}
