import type { z } from "zod";
import type { ServiceCtx } from "@/server/services/context";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/**
 * One operation of the public REST API: the zod schemas are the single source of the
 * request parsing, the response contract and the OpenAPI document (openapi.ts).
 */
export interface Operation {
  method: Method;
  /** OpenAPI path, e.g. /api/v1/rules/{id}. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: "sdk" | "read" | "write";
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The 2xx answer; `csv` operations answer text/csv. */
  response: z.ZodType;
  status?: number;
  csv?: boolean;
  handler: (r: { ctx: ServiceCtx; params: Record<string, string>; query: any; body: any; req: Request }) => Promise<unknown>;
}

export function defineOperation(op: Operation): Operation {
  return op;
}
