import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";
import { env } from "@/server/env";
import { InvalidInputError } from "@/server/services/errors";

export class BlockedAddressError extends InvalidInputError {}

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parse("2000::");
const NAT64_WELL_KNOWN = ipaddr.IPv6.parse("64:ff9b::");

const v4FromParts = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

/** ipaddr.js names every special-purpose IPv4 range; only the rest ("unicast") is public. */
function isPublicV4(a: ipaddr.IPv4): boolean {
  return a.range() === "unicast";
}

/**
 * Global IPv6 unicast (2000::/3) outside ipaddr.js's special ranges. Forms that carry an
 * IPv4 address are judged by that address: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96, which
 * reaches 169.254.169.254 where a NAT64 gateway exists) and 6to4 (2002:aabb:ccdd::/48).
 * IPv4-compatible ::a.b.c.d, fec0::/10, ULA, link-local, loopback and multicast all fall outside
 * 2000::/3 or into a named range, and are refused.
 */
function isPublicV6(a: ipaddr.IPv6): boolean {
  const range = a.range();
  const p = a.parts;
  if (range === "ipv4Mapped") return isPublicV4(a.toIPv4Address());
  if (range === "rfc6052") return a.match(NAT64_WELL_KNOWN, 96) && isPublicV4(v4FromParts(p[6]!, p[7]!));
  if (range === "6to4") return isPublicV4(v4FromParts(p[1]!, p[2]!));
  return range === "unicast" && a.match(GLOBAL_UNICAST_V6, 3);
}

/**
 * ipaddr.js reads an IPv6 address ending in a dotted quad ("::a.b.c.d", which getaddrinfo
 * prints for IPv4-compatible addresses) as IPv4-mapped ::ffff:a.b.c.d. Spell the quad as two
 * hex groups first, so "::8.8.8.8" is judged as the IPv4-compatible ::808:808 it is.
 */
function parseAddress(address: string) {
  const quad = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)(%.*)?$/.exec(address);
  if (!quad) return ipaddr.parse(address);
  const [a, b, c, d] = quad.slice(2, 6).map(Number) as [number, number, number, number];
  return ipaddr.parse(`${quad[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${quad[6] ?? ""}`);
}

/** True for anything that is not a public unicast address (and for anything unparseable). */
export function isBlockedAddress(address: string): boolean {
  if (net.isIP(address) === 0) return true;
  try {
    const parsed = parseAddress(address);
    return parsed.kind() === "ipv4" ? !isPublicV4(parsed as ipaddr.IPv4) : !isPublicV6(parsed as ipaddr.IPv6);
  } catch {
    return true;
  }
}

export function allowPrivateWebhooks(): boolean {
  return env().TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
}

// The address itself is never named: for an internal hostname that would turn channel
// creation and the delivery log into a DNS oracle for the private network.
const refusal = (host: string) => `Refused: ${host} resolves to a private or reserved address`;

/** `work`, or the signal's reason as soon as it aborts (the work itself may run on: DNS cannot be cancelled). */
export function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Reject a URL that is not http(s), carries credentials, or whose host resolves to a blocked
 * address. `signal` ends the DNS wait at the caller's deadline. `allowPrivate` is the development
 * switch of the caller's kind of URL (webhooks by default; identity providers pass their own).
 */
export async function assertPublicUrl(raw: string, signal?: AbortSignal, allowPrivate = allowPrivateWebhooks()): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedAddressError("Not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new BlockedAddressError("Webhook URLs must be http or https");
  if (url.username || url.password) throw new BlockedAddressError("Webhook URLs must not carry credentials");
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) {
    if (isBlockedAddress(host)) throw new BlockedAddressError(refusal(url.hostname));
    return url;
  }
  const addresses = await abortable(dns.promises.lookup(host, { all: true }), signal).catch((err: Error) => {
    if (signal?.aborted) throw err;
    throw new BlockedAddressError(`Refused: ${url.hostname} could not be resolved`);
  });
  if (addresses.length === 0 || addresses.some((a) => isBlockedAddress(a.address))) throw new BlockedAddressError(refusal(url.hostname));
  return url;
}

/**
 * The connect-time lookup: the address actually dialled is checked, so a hostname that
 * re-resolves to an internal address after validation (DNS rebinding) is refused too.
 */
export const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as dns.LookupAddress[];
    if (list.length === 0 || (!allowPrivateWebhooks() && list.some((a) => isBlockedAddress(a.address)))) {
      return callback(new BlockedAddressError(refusal(hostname)), "", 0);
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};
