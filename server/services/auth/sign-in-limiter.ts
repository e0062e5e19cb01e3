import { RateLimitedError } from "../errors";
import { processGlobal } from "@/server/lib/process-global";

// 10 failed-or-not attempts per e-mail and 30 per IP in 15 minutes, per process.
const WINDOW_MS = 15 * 60_000;
const LIMITS = { email: 10, ip: 30 };
const attempts = processGlobal("signInAttempts", () => new Map<string, number[]>());

function hit(key: string, limit: number, now: number): boolean {
  const recent = (attempts.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  recent.push(now);
  attempts.set(key, recent);
  return recent.length <= limit;
}

/** Throws RateLimitedError when an e-mail or an IP tries too often. */
export function checkSignInAttempt(email: string, ip: string, now = Date.now()) {
  if (attempts.size > 50_000) attempts.clear();
  const okEmail = hit(`e:${email}`, LIMITS.email, now);
  const okIp = hit(`i:${ip}`, LIMITS.ip, now);
  if (!okEmail || !okIp) throw new RateLimitedError("Too many sign-in attempts. Try again in 15 minutes.", 900);
}
