import { isIP } from "node:net";
import type { Db } from "@/db/client";
import { DIRECT } from "@/server/lib/client-address";
import { log } from "@/server/lib/log";
import { sharedLimit, type LimitState } from "@/server/lib/shared-limit";
import { RateLimitedError } from "../errors";
import { normaliseEmail } from "./normalise-email";

// 10 failed attempts per account and 30 per address in a 15-minute window, on all instances together.
const WINDOW_SECONDS = 15 * 60;
const LIMITS = { email: 10, ip: 30 };

export interface SignInAttempt {
  /** The password was right: this attempt does not count against anyone. */
  succeeded(): Promise<void>;
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;

/**
 * Sign-in attempts counted per account (the e-mail exactly as `authenticate` looks it up) and
 * per client address (as the trusted proxies saw it; see server/http/client-ip.ts), in the
 * database every instance shares (server/lib/shared-limit.ts: hashed keys, fixed windows that
 * start at a key's first attempt). With no trusted proxy every request shares one DIRECT
 * address, and a budget on it would let anyone lock everyone out, so only the per-account
 * limit applies then.
 */
export function createSignInLimiter(db: Db) {
  const emails = sharedLimit(db, { name: "sign-in-email", points: LIMITS.email, windowSeconds: WINDOW_SECONDS });
  const addresses = sharedLimit(db, { name: "sign-in-address", points: LIMITS.ip, windowSeconds: WINDOW_SECONDS });
  return {
    /** Counts an attempt, or throws RateLimitedError when the account or the address has had too many. */
    async take(email: string, ip: string): Promise<SignInAttempt> {
      const emailKey = normaliseEmail(email);
      const ipKey = addressKey(ip);
      const [byEmail, byAddress] = await Promise.all([emails.take(emailKey), ipKey ? addresses.take(ipKey) : null]);
      const refused = [byEmail, byAddress].filter((s): s is LimitState => s !== null && !s.allowed);
      if (refused.length > 0) {
        // A refused attempt counts against no one: give back what the other limit took.
        if (byEmail.allowed) await emails.refund(emailKey);
        if (ipKey && byAddress?.allowed) await addresses.refund(ipKey);
        const wait = Math.max(...refused.map((s) => s.msBeforeNext));
        const minutes = Math.ceil(wait / 60_000);
        throw new RateLimitedError(
          `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
          Math.ceil(wait / 1000),
        );
      }
      return {
        async succeeded() {
          await Promise.all([emails.refund(emailKey), ipKey ? addresses.refund(ipKey) : null]);
        },
      };
    },
  };
}

const UNAVAILABLE = "Sign-in is unavailable right now. Try again shortly.";

/**
 * The app database's limiter: see createSignInLimiter. next-auth shows a thrown message on the
 * form (and in the URL), so any failure but the limit's own becomes a generic one.
 */
export async function takeSignInAttempt(db: Db | Promise<Db>, email: string, ip: string): Promise<SignInAttempt> {
  try {
    // Awaited here, so a database that fails to start also becomes the generic message.
    const attempt = await createSignInLimiter(await db).take(email, ip);
    return {
      // Never fails the sign-in it follows: the worst case is one attempt left counted.
      succeeded: () => attempt.succeeded().catch((err) => log.error("sign-in limiter refund failed", { err })),
    };
  } catch (err) {
    if (err instanceof RateLimitedError) throw err;
    log.error("sign-in limiter failed", { err });
    throw new Error(UNAVAILABLE);
  }
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
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
