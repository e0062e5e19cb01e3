/** UTC time arithmetic for buckets and windows. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch milliseconds floored to a whole `unit` (MINUTE_MS, HOUR_MS, DAY_MS): UTC, no Date made. */
export function floorMs(t: number, unit: number): number {
  return Math.floor(t / unit) * unit;
}
export function floorToMinute(d: Date): Date {
  return new Date(floorMs(d.getTime(), MINUTE_MS));
}
export function floorToHour(d: Date): Date {
  return new Date(floorMs(d.getTime(), HOUR_MS));
}
export function floorToDay(d: Date): Date {
  return new Date(floorMs(d.getTime(), DAY_MS));
}
export function startOfMonth(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}
export function startOfNextMonth(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/** "1 h", "10 min", "2 days": for reasons and messages. */
export function formatSeconds(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} day${s === 86_400 ? "" : "s"}`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
