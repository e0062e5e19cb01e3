import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower-case

/** Random bytes drawn in blocks: one call into the CSPRNG per 409 ids, not one per id (the check's hot path). */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;

function take10(): Buffer {
  if (poolAt + 10 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  poolAt += 10;
  return POOL.subarray(poolAt - 10, poolAt);
}

/**
 * A prefixed, time-ordered id (`evt_01jd…`): 48 bits of milliseconds then 80 random bits,
 * so ids sort by creation time and work as pagination cursors.
 */
export function newId(prefix: string, now = Date.now()): string {
  let out = "";
  let time = now;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  const random = take10();
  let bits = 0;
  let value = 0;
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `${prefix}_${out}`;
}
