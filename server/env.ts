/**
 * The environment, validated once with zod. A missing or malformed value stops
 * start-up with a message that names it (see `loadEnv`).
 */
import { isIP } from "node:net";
import { z } from "zod";

/** Where embedded data lives when TOKENIST_DATA_DIR is unset (db/client.ts and the scripts read it too). */
export const DEFAULT_DATA_DIR = ".tokenist/data";

const optionalUrl = z.url().optional();
const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);
/** An on/off switch: "1"/"true" or "0"/"false". */
const flag = (fallback: "0" | "1") =>
  z
    .enum(["0", "1", "true", "false"])
    .default(fallback)
    .transform((v) => v === "1" || v === "true");

const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** HTTP port of `npm start`. */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Postgres connection string; unset → embedded PGlite in TOKENIST_DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  /** Where embedded data (PGlite, the generated AUTH_SECRET) lives. */
  TOKENIST_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  /** Public URL of the dashboard, used in e-mails and OAuth callbacks. */
  TOKENIST_PUBLIC_URL: optionalUrl,
  /** NextAuth's name for the public URL, honoured when TOKENIST_PUBLIC_URL is unset. */
  NEXTAUTH_URL: optionalUrl,
  /** Run the background worker (outbox, rollups, housekeeping) in this process; "0" for a web-only instance. */
  TOKENIST_WORKER: flag("1"),
  /**
   * "silent" turns the log off (tests, benchmarks, scripts); anything else logs. Read raw by
   * server/lib/log.ts, which must work before validation and while reporting that it failed.
   */
  TOKENIST_LOG: z.string().optional(),
  /** Session signing secret; generated and kept in the data folder when unset. */
  AUTH_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** Headless start: ensure this member / workspace / API key exist at each start. */
  TOKENIST_INIT_EMAIL: z.email().optional(),
  TOKENIST_INIT_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  TOKENIST_INIT_WORKSPACE: z.string().min(1).max(100).optional(),
  TOKENIST_INIT_API_KEY: z
    .string()
    .regex(/^ug_[A-Za-z0-9_]{16,128}$/, "must look like ug_ followed by 16-128 letters, digits or _")
    .optional(),
  /** Headless start without billing: the initial workspace's plan (free, starter, growth, enterprise). */
  TOKENIST_INIT_PLAN: z.enum(["free", "starter", "growth", "enterprise"]).optional(),
  /** /sdk/* requests per minute per API key and process (then 429). */
  TOKENIST_SDK_RATE_LIMIT: z.coerce.number().int().min(1).default(60_000),
  /** /api/v1 requests per minute per API key, counted across every instance (rate_limits table). */
  TOKENIST_API_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  /** Requests with an invalid API key per minute per client address, across every instance (then 429). */
  TOKENIST_BAD_KEY_LIMIT: z.coerce.number().int().min(1).default(120),
  /** Largest accepted request body on /sdk/* and /api/v1/*, in bytes. */
  TOKENIST_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** The LLM intent labeller (background only); unset → the built-in classifier labels. */
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** Any OpenAI-compatible server (https://…/v1); unset → OpenAI. */
  OPENAI_BASE_URL: optionalUrl,
  /** The model the LLM labeller asks (structured output required). */
  TOKENIST_INTENT_MODEL: z.string().min(1).default("gpt-4o-mini"),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Another Stripe API endpoint (stripe-mock, a test stand-in): http://127.0.0.1:12111. */
  STRIPE_API_URL: optionalUrl,
  /** Price ids to use instead of those `npm run stripe:setup` creates (lookup keys tokenist_*). */
  STRIPE_PRICE_STARTER: z.string().min(1).optional(),
  STRIPE_PRICE_STARTER_OVERAGE: z.string().min(1).optional(),
  STRIPE_PRICE_GROWTH: z.string().min(1).optional(),
  STRIPE_PRICE_GROWTH_OVERAGE: z.string().min(1).optional(),
  /** The Billing Meter's event name for tracked requests. */
  STRIPE_METER_EVENT: z.string().min(1).default("tokenist_requests"),
  /** The free plan's monthly tracked requests (25,000); smaller for trials and tests. */
  TOKENIST_FREE_REQUESTS: z.coerce.number().int().min(1).default(25_000),
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  INNGEST_SIGNING_KEY: z.string().min(1).optional(),
  INNGEST_BASE_URL: optionalUrl,
  /**
   * Inngest's dev mode ("1", "true" or the dev server's URL): /api/inngest then runs events
   * without checking their signature, so anyone could run a function for any workspace.
   * Refused with NODE_ENV=production (start-up stops) unless TOKENIST_ALLOW_INNGEST_DEV=1.
   */
  INNGEST_DEV: z.string().optional(),
  /** Run Inngest's dev mode under NODE_ENV=production anyway (a local production build, never a public server). */
  TOKENIST_ALLOW_INNGEST_DEV: flag("0"),
  /** SMTP server for e-mails (smtp://user:pass@host:port); unset → e-mails written to the log. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional(),
  SMTP_FROM: z.string().min(3).default("Tokenist <alerts@tokenist.local>"),
  /** Where the landing page's Enterprise contact form sends each enquiry (by SMTP); unset → stored in sales_leads only. */
  TOKENIST_SALES_EMAIL: z.email().optional(),
  /** Development only: allow outbound webhooks to private and loopback addresses. */
  TOKENIST_ALLOW_PRIVATE_WEBHOOKS: flag("0"),
  /**
   * Development only: single sign-on identity providers over plain http and on private or loopback
   * addresses (the tests' local IdPs). Off: issuers and metadata URLs must be public https.
   */
  TOKENIST_SSO_ALLOW_INSECURE: flag("0"),
  /**
   * The reverse proxies in front of the app, whose X-Forwarded-For entries are believed:
   * a hop count ("1": one proxy appends the client's address) or a comma-separated list of
   * proxy addresses and CIDRs ("10.0.0.0/8, 2001:db8::1"). Unset → no proxy is trusted, the
   * header is ignored and every request shares one "direct" address (server/http/client-ip.ts).
   */
  TOKENIST_TRUSTED_PROXIES: z
    .string()
    .trim()
    .refine(isTrustedProxies, "must be a hop count (0-32) or a comma-separated list of IP addresses and CIDRs")
    .optional(),
  GITHUB_ID: z.string().min(1).optional(),
  GITHUB_SECRET: z.string().min(1).optional(),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
});

function isTrustedProxies(value: string): boolean {
  if (/^\d+$/.test(value)) return Number(value) <= 32;
  return value.split(",").every((entry) => {
    const [address, bits, extra] = entry.trim().split("/");
    const family = isIP(address ?? "");
    if (!family || extra !== undefined) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
}

export type Env = z.infer<typeof ZEnv>;

/** Whether INNGEST_DEV puts the inngest SDK in dev mode: "1"/"true", or a dev server URL (as the SDK reads it). */
export function inngestDevMode(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  if (!v || v === "0" || v === "false" || v === "undefined") return false;
  if (v === "1" || v === "true") return true;
  return URL.canParse(v.includes("://") ? v : `http://${v}`);
}

/**
 * Why this configuration may not serve (null when it may): Inngest's dev mode, which skips the
 * signature check on /api/inngest, in production without the explicit TOKENIST_ALLOW_INNGEST_DEV=1.
 */
export function inngestDevRefusal(config: Pick<Env, "NODE_ENV" | "INNGEST_DEV" | "TOKENIST_ALLOW_INNGEST_DEV">): string | null {
  if (config.NODE_ENV !== "production" || !inngestDevMode(config.INNGEST_DEV) || config.TOKENIST_ALLOW_INNGEST_DEV) return null;
  return "INNGEST_DEV: Inngest's dev mode accepts unsigned calls on /api/inngest; unset it in production (or set TOKENIST_ALLOW_INNGEST_DEV=1 on a server no one else can reach)";
}

export class EnvError extends Error {}

/** Parse an environment (default: process.env) or throw an EnvError naming each bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.keys(ZEnv.shape).map((key) => [key, emptyToUndefined(source[key])]));
  const result = ZEnv.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const refusal = inngestDevRefusal(result.data);
  if (refusal) throw new EnvError(`Invalid configuration:\n  ${refusal}`);
  return result.data;
}

let cached: Env | undefined;

/** The validated environment of this process, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** Tests change variables between cases. */
export function resetEnvCache() {
  cached = undefined;
}
