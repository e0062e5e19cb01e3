import { isIP } from "node:net";
import { DIRECT } from "@/server/http/client-ip";
import { processGlobal } from "@/server/lib/process-global";
import { RateLimitedError } from "../errors";
import { AttemptLog } from "./attempt-log";
import { normaliseEmail } from "./normalise-email";

// 10 failed attempts per account and 30 per address in 15 minutes, per process.
const WINDOW_MS = 15 * 60_000;
const LIMITS = { email: 10, ip: 30 };
const MAX_KEYS = 50_000;

export interface SignInAttempt {
  /** The password was right: this attempt does not count against anyone. */
  succeeded(): void;
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;

/**
 * Sign-in attempts counted per account (the e-mail exactly as `authenticate` looks it up) and
 * per client address (as the trusted proxies saw it; see server/http/client-ip.ts). With no
 * trusted proxy every request shares one DIRECT address, and a budget on it would let anyone
 * lock everyone out, so only the per-account limit applies then.
 */
export function createSignInLimiter(options: { maxKeys?: number } = {}) {
  const maxKeys = options.maxKeys ?? MAX_KEYS;
  const emails = new AttemptLog({ windowMs: WINDOW_MS, limit: LIMITS.email, maxKeys });
  const addresses = new AttemptLog({ windowMs: WINDOW_MS, limit: LIMITS.ip, maxKeys });
  return {
    /** Counts an attempt, or throws RateLimitedError when the account or the address has had too many. */
    take(email: string, ip: string, now = Date.now()): SignInAttempt {
      const emailKey = normaliseEmail(email);
      const ipKey = addressKey(ip);
      const wait = Math.max(emails.waitMs(emailKey, now), ipKey ? addresses.waitMs(ipKey, now) : 0);
      if (wait > 0) {
        const minutes = Math.ceil(wait / 60_000);
        throw new RateLimitedError(
          `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
          Math.ceil(wait / 1000),
        );
      }
      emails.record(emailKey, now);
      if (ipKey) addresses.record(ipKey, now);
      return {
        succeeded() {
          emails.refund(emailKey, now);
          if (ipKey) addresses.refund(ipKey, now);
        },
      };
    },
    /** Keys held, for tests and diagnostics. */
    sizes: () => ({ emails: emails.size, addresses: addresses.size }),
  };
}

const shared = processGlobal("signInLimiter", () => createSignInLimiter());

/** The process-wide limiter's `take`: see createSignInLimiter. */
export function takeSignInAttempt(email: string, ip: string, now = Date.now()): SignInAttempt {
  return shared.take(email, ip, now);
}

/** IPv6 clients are counted per /64: one subscriber usually holds a whole /64. */
function addressKey(ip: string): string | null {
  if (ip === DIRECT) return null;
  if (isIP(ip) !== 6) return ip.slice(0, 64);
  const [head = "", tail] = ip.split("::");
  const front = head ? head.split(":") : [];
  const back = tail ? tail.split(":") : [];
  const width = back.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const groups = tail === undefined ? front : [...front, ...Array(8 - front.length - width).fill("0"), ...back];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}
