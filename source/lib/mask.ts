// Masks secrets for display: a known public prefix (it says what kind of token it is), then
// `****` and at most the last 4 characters. Short secrets are fully starred, with a fixed
// length so the mask does not reveal how long they are.

/** Prefixes GitHub and GitLab give their tokens. */
export const knownPrefixes = [
  'github_pat_',
  'ghp_',
  'gho_',
  'ghu_',
  'ghs_',
  'ghr_',
  'glpat-',
  'gloas-',
  'gldt-',
  'glrt-',
];
/** Below this many secret characters, revealing 4 of them would reveal too much. */
const minLengthForTail = 16;

export function maskSecret(secret: string): string {
  const prefix = knownPrefixes.find((candidate) => secret.startsWith(candidate)) ?? '';
  const rest = secret.slice(prefix.length);
  if (rest.length < minLengthForTail) return `${prefix}********`;
  return `${prefix}****${rest.slice(-4)}`;
}
