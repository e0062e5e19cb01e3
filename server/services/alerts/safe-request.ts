import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { env } from "@/server/env";
import { InvalidInputError } from "../errors";

export class BlockedAddressError extends InvalidInputError {}

const BLOCKED_V4: Array<[string, number]> = [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16],
  ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15],
  ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
];
const blockList = new net.BlockList();
for (const [addr, prefix] of BLOCKED_V4) blockList.addSubnet(addr, prefix, "ipv4");
for (const [addr, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["2001:db8::", 32]] as const) {
  blockList.addSubnet(addr, prefix, "ipv6");
}

/** Private, loopback, link-local, metadata, multicast and reserved addresses. */
export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  if (family === 6 && address.toLowerCase().startsWith("::ffff:")) {
    const v4 = address.slice(7);
    if (net.isIP(v4) === 4) return blockList.check(v4, "ipv4");
  }
  return blockList.check(address, family === 4 ? "ipv4" : "ipv6");
}

function allowPrivate() {
  return env().TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
}

/** Reject a URL that is not http(s) or whose host resolves to a blocked address. */
export async function assertPublicUrl(raw: string): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedAddressError(`Not a valid URL: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new BlockedAddressError("Webhook URLs must be http or https");
  if (url.username || url.password) throw new BlockedAddressError("Webhook URLs must not carry credentials");
  if (allowPrivate()) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = net.isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
  const bad = addresses.find(isBlockedAddress);
  if (bad || addresses.length === 0) {
    throw new BlockedAddressError(`Refused: ${url.hostname} resolves to a private, loopback or link-local address (${bad ?? "none"})`);
  }
  return url;
}

/**
 * The connect-time lookup: the address actually dialled is checked, so a hostname that
 * re-resolves to an internal address after validation (DNS rebinding) is refused too.
 */
const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as dns.LookupAddress[];
    const bad = !allowPrivate() && list.find((a) => isBlockedAddress(a.address));
    if (bad) return callback(new BlockedAddressError(`Refused to connect to ${bad.address}`), "", 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

export interface SafeResponse {
  status: number;
  body: string;
}

/** POST to an external URL with the SSRF guard, a timeout, no redirects, and a capped body. */
export async function safePost(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<SafeResponse> {
  const url = await assertPublicUrl(rawUrl);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "Tokenist-Webhooks/1", ...headers },
        lookup: net.isIP(url.hostname) ? undefined : guardedLookup,
        timeout: timeoutMs,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          if (text.length < 4096) text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text.slice(0, 4096) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
