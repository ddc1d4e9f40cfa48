/**
 * 64-bit string hashes for cross-claim keys, as two 32-bit halves from two different mixing
 * functions (FNV-1a and a multiply-xorshift), so a collision needs both to collide at once.
 * Claims are grouped by these hashes across a batch of up to millions of claims; with 64 bits the
 * chance that any two different keys of a million-claim batch share a hash is about one in ten
 * million, and within a group every comparison is repeated on a second, independent key.
 */
export function hashHigh(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function hashLow(text: string): number {
  let hash = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x5bd1e995);
    hash ^= hash >>> 15;
  }
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
