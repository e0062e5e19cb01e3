// FNV-1a, 32-bit: the one hash of the intent features (features.ts) and of the hidden-text word
// index (hidden-text.ts). Incremental use: h = FNV_OFFSET, then h = Math.imul(h ^ charCode, FNV_PRIME).
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a of a word's char codes. */
export function fnvWord(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h;
}
