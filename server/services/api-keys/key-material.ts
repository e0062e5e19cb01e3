import * as crypto from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const API_KEY_PATTERN = /^ug_[A-Za-z0-9_]{16,128}$/;

/** A new secret key: `ug_` and 32 base62 characters (~190 bits). */
export function generateApiKey(): string {
  const bytes = crypto.randomBytes(32);
  let out = "";
  for (const b of bytes) out += BASE62[b % 62]; // 256 % 62 bias is negligible at 190 bits
  return `ug_${out}`;
}

/**
 * Keys carry ~190 random bits, so a fast hash is the right tool (as unkey and Stripe do):
 * a slow password hash would add ~50 ms to every /sdk/check without adding safety.
 */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** Node's one-shot hash where it has one (20.12+, a third of createHash's time on every request), else createHash. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

/** What lists show in place of the key. */
export function keyStart(key: string): string {
  return key.slice(0, 7);
}
