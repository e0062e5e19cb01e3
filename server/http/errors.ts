import { ZodError, type z } from "zod";
import { RateLimitedError, ServiceError } from "@/server/services/errors";
import { UsageError } from "@/server/services/core/usage";
import { log } from "@/server/lib/log";

export function errorResponse(status: number, code: string, message: string, details?: unknown, headers?: HeadersInit) {
  const error = details === undefined ? { code, message } : { code, message, details };
  return Response.json({ error }, { status, headers });
}

/** "userId is required", "usage.prompt_tokens: Too small: expected number to be >=0", 'Unknown field "limitt"'. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    // Bodies are strict: name the field in full ("filters.tierr") so the typo is found at once.
    const fields = issue.keys.map((k) => `"${path ? `${path}.${k}` : k}"`);
    return `Unknown field${fields.length > 1 ? "s" : ""} ${fields.join(", ")}`;
  }
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return `${path} is required`;
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** The one mapping from anything thrown to a REST answer. Unknown errors never leak their message. */
export function toHttpError(err: unknown): Response {
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message, code: i.code }));
    // An unknown field leads: a typo ("limitt") also makes its field missing, and the typo is the cause.
    const headline = err.issues.find((i) => i.code === "unrecognized_keys") ?? err.issues[0]!;
    return errorResponse(400, "invalid_request", describeIssue(headline), details);
  }
  if (err instanceof UsageError) return errorResponse(400, "invalid_request", err.message, err.details);
  if (err instanceof RateLimitedError) {
    return errorResponse(429, err.code, err.message, undefined, { "Retry-After": String(err.retryAfterSeconds) });
  }
  if (err instanceof ServiceError) return errorResponse(err.status, err.code, err.message, err.details);
  log.error("unhandled error", { err });
  return errorResponse(500, "internal_error", "Something went wrong on our side. It has been logged.");
}
