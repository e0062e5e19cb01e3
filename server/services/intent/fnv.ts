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

/**
 * Bit flags per word, keyed by the word's FNV-1a hash: an open-addressing table over two typed
 * arrays. A Map or Set keyed by these hashes boxes most keys (they lie outside V8's small
 * integers) on every lookup, and the feature and hidden-text passes look up every word of a text.
 */
export class WordBits {
  private readonly keys: Int32Array;
  /** 0 = an empty slot: every word added has a bit set. */
  private readonly values: Int32Array;
  private readonly mask: number;
  private readonly shift: number;
  private size = 0;

  /** `capacity`: the most words that will be added (the table is sized for a load under a quarter). */
  constructor(private readonly capacity: number) {
    const bits = Math.max(4, Math.ceil(Math.log2(capacity * 4)));
    this.keys = new Int32Array(1 << bits);
    this.values = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  private slot(hash: number): number {
    let slot = Math.imul(hash, 0x9e3779b1) >>> this.shift;
    while (this.values[slot] !== 0 && this.keys[slot] !== hash) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** Sets `bit` (non-zero) for the word whose hash is `hash`. */
  add(hash: number, bit: number): void {
    if (bit === 0) throw new Error("WordBits.add: a bit must be set");
    const slot = this.slot(hash);
    if (this.values[slot] === 0 && ++this.size > this.capacity) throw new Error(`WordBits: more than ${this.capacity} words`);
    this.keys[slot] = hash;
    this.values[slot] |= bit;
  }

  /** The bits of the word whose hash is `hash`; 0 for a word never added. */
  get(hash: number): number {
    return this.values[this.slot(hash)];
  }
}
