// A secret's characters and length are checked before it is used anywhere: sent in a header,
// stored, or verified. Messages say what is wrong and never contain the secret (not even a
// masked part of it): a token read from a UTF-16 file would otherwise reach an HTTP library
// that quotes the whole header value in its error.
import {UsageError} from './errors.js';

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
      hint: 'Paste the token at the prompt, or pipe it to --stdin.',
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
