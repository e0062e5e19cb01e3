/**
 * Typed errors thrown by services. Each door maps them once: `toHttpError` for REST,
 * `toTRPCError` for the dashboard. Anything else is a 500 whose message stays in the log.
 */
export type ErrorCode =
  | "invalid_request"
  | "invalid_json"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "quota_exceeded"
  | "payload_too_large"
  | "rate_limited"
  | "internal_error";

export class ServiceError extends Error {
  readonly status: number = 500;
  readonly code: ErrorCode = "internal_error";
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends ServiceError {
  override readonly status = 400;
  override readonly code = "invalid_request";
}
export class UnauthorizedError extends ServiceError {
  override readonly status = 401;
  override readonly code = "unauthorized";
}
export class ForbiddenError extends ServiceError {
  override readonly status = 403;
  override readonly code = "forbidden";
}
export class NotFoundError extends ServiceError {
  override readonly status = 404;
  override readonly code = "not_found";
}
export class ConflictError extends ServiceError {
  override readonly status = 409;
  override readonly code = "conflict";
}
export class QuotaExceededError extends ServiceError {
  override readonly status = 402;
  override readonly code = "quota_exceeded";
}
export class PayloadTooLargeError extends ServiceError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}
export class RateLimitedError extends ServiceError {
  override readonly status = 429;
  override readonly code = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
