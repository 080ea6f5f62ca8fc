// FNV-1a (Fowler–Noll–Vo), a fast hash that is not a cryptographic one: for names and change
// stamps that must be stable and rarely collide, where loading node:crypto (about 12 ms) would
// be most of the cost.

/** 32 bits of FNV-1a over the parts' bytes (strings as UTF-8). */
export function fnv1a32(parts: ReadonlyArray<string | Uint8Array>): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    for (const byte of typeof part === 'string' ? Buffer.from(part) : part) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/** 64 bits of FNV-1a over `text` (UTF-8), as 16 hex digits. */
export function fnv1a64Hex(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
