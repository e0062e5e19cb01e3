/**
 * What an audit row may never hold: secrets. Keys whose name says secret are replaced whole,
 * URLs keep only their scheme and host (a Slack or webhook URL carries its token in the path),
 * and secret-looking text anywhere (API keys, webhook secrets, invitation tokens, credentials in
 * a connection string) is cut out. Run when a row is written and again when it is read, so rows
 * written before a rule existed are shown clean too.
 */
export const REDACTED = "[redacted]";

/** Key names (lower-case, without `_` and `-`) whose value is a secret whatever it looks like. */
const SECRET_NAMES = new Set(["key", "apikey", "privatekey", "secretkey", "signingkey", "accesskey", "auth", "otp"]);
const SECRET_SUFFIXES = ["secret", "password", "passwd", "passphrase", "token", "hash", "authorization", "cookie", "credentials"];
const URL_SUFFIXES = ["url", "uri", "endpoint", "webhook"];

/** Secret-looking text inside any string. */
const SECRET_TEXT: Array<[RegExp, string]> = [
  [/\bug_[A-Za-z0-9_]{16,}/g, REDACTED], // Tokenist API keys
  [/\bwhsec_[A-Za-z0-9_-]{8,}/g, REDACTED], // webhook signing secrets
  [/\binv_[A-Za-z0-9_-]{40,}/g, REDACTED], // invitation link tokens (ids are 26 characters)
  [/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}/g, REDACTED], // Stripe keys
  [/\bxox[abposr]-[A-Za-z0-9-]{8,}/g, REDACTED], // Slack tokens
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, `Bearer ${REDACTED}`],
  [/(https?:\/\/hooks\.slack\.com\/)[^\s"']+/gi, `$1${REDACTED}`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`], // user:password@ in a URL
];

const normal = (name: string) => name.toLowerCase().replace(/[_\-\s]/g, "");

function isSecretName(name: string): boolean {
  const n = normal(name);
  return SECRET_NAMES.has(n) || SECRET_SUFFIXES.some((s) => n.endsWith(s));
}

function isUrlName(name: string): boolean {
  const n = normal(name);
  return URL_SUFFIXES.some((s) => n.endsWith(s));
}

/** Scheme and host only: `https://hooks.slack.com/[redacted]`. */
function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    const rest = u.pathname.replace(/^\/$/, "") + u.search + u.hash;
    return `${u.protocol}//${u.host}${rest ? `/${REDACTED}` : ""}`;
  } catch {
    return redactText(value);
  }
}

function redactText(value: string): string {
  return SECRET_TEXT.reduce((v, [pattern, to]) => v.replace(pattern, to), value);
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 20) return REDACTED; // nothing legitimate nests this deep
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) out[k] = v;
    else if (isSecretName(k)) out[k] = REDACTED;
    else if (isUrlName(k) && typeof v === "string") out[k] = redactUrl(v);
    else out[k] = redactValue(v, depth + 1);
  }
  return out;
}

/** The audit data with every secret taken out (a new object; the input is left as it was). */
export function redactAuditData<T extends Record<string, unknown> | null | undefined>(data: T): T {
  if (data === null || data === undefined) return data;
  return redactValue(data, 0) as T;
}
