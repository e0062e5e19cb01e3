import { ZCheckInput, ZCheckResult, ZLogInput, ZLogResult, ZRecordInput, ZRecordResult } from "@/server/contract/sdk";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { logPayload } from "@/server/services/metering/log-payload";
import { recordEvent } from "@/server/services/metering/record-event";
import { defineOp } from "../define";

export const sdkCheck = defineOp({
  method: "POST",
  path: "/sdk/check",
  operationId: "check",
  tag: "SDK",
  scope: "sdk",
  permission: null,
  summary: "Before the LLM call: may this end user make it? (a decision is always 200)",
  body: ZCheckInput,
  response: ZCheckResult,
  handler: ({ ctx, body }) => checkAccess({ ctx, input: body }),
});
export const sdkRecord = defineOp({
  method: "POST",
  path: "/sdk/record",
  operationId: "record",
  tag: "SDK",
  scope: "sdk",
  permission: null,
  summary: "After the LLM call: its usage, as the provider returned it (idempotent on requestId / Idempotency-Key)",
  body: ZRecordInput,
  response: ZRecordResult,
  handler: ({ ctx, body, req }) => recordEvent({ ctx, input: body, idempotencyKey: req.headers.get("idempotency-key") }),
});
export const sdkLog = defineOp({
  method: "POST",
  path: "/sdk/log",
  operationId: "log",
  tag: "SDK",
  scope: "sdk",
  permission: null,
  summary: "The full request/response payload (stored only when the workspace opted in)",
  body: ZLogInput,
  response: ZLogResult,
  handler: ({ ctx, body }) => logPayload({ ctx, input: body }),
});
