import { env } from "@/server/env";
import type { AnyOperation } from "./api-v1/define";
import { toHandler } from "./api-v1/handler";

/**
 * The /sdk/* door. Its per-key limit is counted in this process on purpose: /sdk/check is the hot
 * path and must not wait on a database round trip for it, so each instance enforces the limit on
 * its own traffic. No Idempotency-Key replay: /sdk/record takes that header as its requestId and
 * dedups itself, and a check decides afresh each time.
 */
export function sdkDoor(op: AnyOperation) {
  return toHandler(op, { rateLimit: { name: "sdk", store: "in-process", perMinute: env().TOKENIST_SDK_RATE_LIMIT } });
}

/** The /api/v1/* door: a per-key limit that every instance shares, and Idempotency-Key on POST. */
export function apiDoor(op: AnyOperation) {
  return toHandler(op, { rateLimit: { name: "api", store: "shared", perMinute: env().TOKENIST_API_RATE_LIMIT }, idempotent: true });
}
