import { BlockList, isIP } from "node:net";
import { env } from "@/server/env";
import { DIRECT } from "@/server/lib/client-address";

// Below the services (the sign-in limiter needs it too); exported here for the doors.
export { DIRECT };

export type TrustedProxies = { hops: number } | { list: BlockList } | null;

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** The client's address as the trusted proxies saw it, or DIRECT (TOKENIST_TRUSTED_PROXIES). */
export function clientIp(req: { headers: HeaderSource }): string {
  return clientIpFrom(req.headers, trustedProxies(env().TOKENIST_TRUSTED_PROXIES));
}

/**
 * Each proxy appends the address of whoever connected to it, so only the entries our own
 * proxies wrote can be believed: with `hops` proxies the client is the hops-th entry from the
 * right (Express's "trust proxy" count); with a list, the rightmost entry that is not one of
 * them. Anything further left was written by the client.
 */
export function clientIpFrom(headers: HeaderSource, trusted: TrustedProxies): string {
  if (!trusted || ("hops" in trusted && trusted.hops === 0)) return DIRECT;
  const chain = forwardedFor(headers);
  if (chain.length === 0) return DIRECT;
  let picked: string;
  if ("hops" in trusted) {
    picked = chain[Math.max(0, chain.length - trusted.hops)]!;
  } else {
    const i = chain.findLastIndex((entry) => !isTrusted(trusted.list, entry));
    picked = chain[Math.max(0, i)]!;
  }
  return canonicalIp(picked) ?? DIRECT;
}

const parsed = new Map<string, TrustedProxies>();

/** TOKENIST_TRUSTED_PROXIES (already validated by env.ts) → hop count or address list. */
export function trustedProxies(value: string | undefined): TrustedProxies {
  if (!value) return null;
  let result = parsed.get(value);
  if (result !== undefined) return result;
  if (/^\d+$/.test(value)) {
    result = { hops: Number(value) };
  } else {
    const list = new BlockList();
    for (const entry of value.split(",")) {
      const [address = "", bits] = entry.trim().split("/");
      const family = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (bits === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(bits), family);
    }
    result = { list };
  }
  parsed.set(value, result);
  return result;
}

function forwardedFor(headers: HeaderSource): string[] {
  const raw = headers instanceof Headers ? headers.get("x-forwarded-for") : headers["x-forwarded-for"];
  const value = Array.isArray(raw) ? raw.join(",") : raw;
  if (!value) return [];
  // A trusted proxy's entry is short; a 16 KB header is the client's padding, on the left.
  return value
    .slice(-4096)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function isTrusted(list: BlockList, entry: string): boolean {
  const ip = canonicalIp(entry);
  return ip !== null && list.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
}

/** "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443", "::ffff:1.2.3.4" → the bare address, or null. */
function canonicalIp(entry: string): string | null {
  let s = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1]!;
  const family = isIP(s);
  if (family === 4) return s;
  if (family !== 6) return null;
  try {
    return new URL(`http://[${s}]/`).hostname.slice(1, -1); // compressed, lower-case
  } catch {
    return null; // a zone id ("fe80::1%eth0") is not an address a client can have
  }
}
