import { z } from "zod";

/** Query-string types: everything arrives as text. */
export const qTime = z.iso.datetime({ offset: true }).describe("ISO-8601 timestamp");
export const qInt = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(min).max(max));
export const qBool = z.enum(["true", "false"]).transform((v) => v === "true");
export const qCursor = z.string().min(1).max(100).describe("nextCursor of the previous page");

/** `?from=…&to=…`, defaulting to the last 30 days. */
export function range(q: { from?: string; to?: string }) {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
  return { from, to };
}
