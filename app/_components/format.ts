/**
 * Display formatting. Money comes from the services as exact nano-dollar strings
 * (costNanos) and is formatted with bigint arithmetic: no float ever rounds a total.
 */
const NANOS_PER_CENT = 10_000_000n;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * "$1,234.57" from a dollar up; "$0.0136" (four decimals) under a dollar; "$0.000420" (six)
 * under a cent; "<$0.000001" below that. Rounded half up, exact otherwise.
 */
export function formatUsd(nanos: string | bigint | number | null | undefined): string {
  if (nanos === null || nanos === undefined) return "—";
  const n = BigInt(nanos);
  const sign = n < 0n ? "-" : "";
  const abs = n < 0n ? -n : n;
  if (abs === 0n) return "$0.00";
  const decimals = abs >= 995_000_000n ? 2 : abs >= NANOS_PER_CENT ? 4 : 6;
  const unit = 10n ** BigInt(9 - decimals);
  const rounded = (abs + unit / 2n) / unit;
  if (rounded === 0n) return `${sign}<$0.000001`;
  const scale = 10n ** BigInt(decimals);
  let frac = (rounded % scale).toString().padStart(decimals, "0");
  if (decimals > 2) frac = frac.replace(/0+$/, "").padEnd(2, "0");
  return `${sign}$${groupThousands((rounded / scale).toString())}.${frac}`;
}

/** Exact USD with all nine decimals trimmed: for tooltips and detail views. */
export function formatUsdExact(nanos: string | bigint): string {
  const n = BigInt(nanos);
  const abs = n < 0n ? -n : n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${n < 0n ? "-" : ""}$${groupThousands((abs / 1_000_000_000n).toString())}${frac ? `.${frac}` : ""}`;
}

/** Chart axis money, from the float costUsd: "$1.2k", "$12", "$0.05". */
export function formatUsdShort(usd: number): string {
  if (usd === 0) return "$0";
  if (Math.abs(usd) >= 1000) return `$${compact.format(usd)}`;
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(usd >= 100 ? 0 : 2).replace(/\.00$/, "")}`;
  return `$${usd.toPrecision(2)}`;
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : integer.format(n);
}

/** 1,234 stays exact; 12.3K, 4.5M beyond 10,000. */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  return Math.abs(n) < 10_000 ? integer.format(n) : compact.format(n);
}

export function formatPercent(part: number, whole: number): string {
  if (!whole) return "0%";
  const p = (part / whole) * 100;
  if (p > 0 && p < 0.1) return "<0.1%";
  return `${p < 1 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

const dateTime = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const dateOnly = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric" });

export function formatDateTime(iso: string | Date | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

export function formatDate(iso: string | Date | null | undefined): string {
  return iso ? dateOnly.format(new Date(iso)) : "—";
}

const dateOnlyUtc = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** A UTC calendar date (month resets, "until the 1st"): in local time the 1st 00:00 UTC is the 31st in America. */
export function formatDateUtc(iso: string | Date | null | undefined): string {
  return iso ? dateOnlyUtc.format(new Date(iso)) : "—";
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function formatRelative(iso: string | Date | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const diff = now - new Date(iso).getTime();
  const future = diff < 0;
  const s = Math.abs(diff) / 1000;
  const say = (v: string) => (future ? `in ${v}` : `${v} ago`);
  if (s < 45) return future ? "in a moment" : "just now";
  if (s < 3600) return say(`${Math.round(s / 60)} min`);
  if (s < 86_400) return say(`${Math.round(s / 3600)} h`);
  if (s < 30 * 86_400) return say(`${Math.round(s / 86_400)} days`);
  return formatDate(iso);
}
