// What the SDK needs from its host, read without node: imports so it runs on Node 18+,
// Deno, Bun and edge runtimes alike.

export const SDK_VERSION = "0.1.0";

/** The hosted API. Self-hosters set TOKENIST_BASE_URL (or `baseUrl`). */
export const DEFAULT_BASE_URL = "https://api.tokenist.dev";

type Host = {
  process?: { env?: Record<string, string | undefined> };
  Deno?: { env?: { get(name: string): string | undefined } };
};

/** An environment variable: `process.env` (Node, Bun), else `Deno.env`; undefined where there is none. */
export function readEnv(name: string): string | undefined {
  const host = globalThis as Host;
  let value = host.process?.env?.[name];
  if (value === undefined && host.Deno?.env) {
    try {
      value = host.Deno.env.get(name);
    } catch {
      // Deno without --allow-env throws: the same as unset
    }
  }
  return value === undefined || value === "" ? undefined : value;
}

/** A fresh idempotency key: `req_` and a random UUID (v4). */
export function newRequestId(): string {
  const crypto = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof crypto?.randomUUID === "function") return `req_${crypto.randomUUID()}`;
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `req_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
