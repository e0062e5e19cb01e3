import type { z } from "zod";
import type { ApiKeyScope } from "@/db/schema";
import type { ServiceCtx } from "@/server/services/context";
import type { Permission } from "@/server/services/core/permissions";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The names in an OpenAPI path: "/api/v1/rules/{id}" → "id". */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;
/** The path parameters of an OpenAPI path: "/api/v1/rules/{id}" → { id: string }. */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string };

/** What a handler receives: the query and the body as its schemas output them, the path's parameters. */
export interface OpRequest<Q extends z.ZodType, B extends z.ZodType, P extends string> {
  ctx: ServiceCtx;
  params: PathParams<P>;
  query: z.output<Q>;
  body: z.output<B>;
  req: Request;
}

/**
 * One operation of the public REST API: the zod schemas are the single source of the
 * request parsing, the response contract and the OpenAPI document (openapi.ts).
 */
export interface Operation<Q extends z.ZodObject = z.ZodObject, B extends z.ZodType = z.ZodType, P extends string = string> {
  method: Method;
  /** OpenAPI path, e.g. /api/v1/rules/{id}; its {names} type the handler's params. */
  path: P;
  operationId: string;
  summary: string;
  tag: string;
  /** The key scope it needs (`admin`: members, invitations, billing). */
  scope: ApiKeyScope;
  /**
   * The permission of the catalogue (server/services/core/permissions.ts) the dashboard's same
   * action needs. A key acts for the member it answers to: where a key's scope alone could do more
   * than that member may (the `admin` scope, or a permission some key-minting role lacks), the
   * member's current role must hold it (handler.ts). `null`: the SDK path, the key's scope alone.
   */
  permission: Permission | null;
  query?: Q;
  body?: B;
  /** The 2xx answer; `csv` operations answer text/csv. */
  response: z.ZodType;
  status?: number;
  csv?: boolean;
  // A method, not a property: its parameter is then checked both ways, so every typed operation fits AnyOperation.
  handler(r: OpRequest<Q, B, P>): Promise<unknown>;
}

/** Any operation, its types erased: the list, the OpenAPI document and the request handler take these. */
export type AnyOperation = Operation;

/** The input types of an operation, for tests and callers: `TOpInput<typeof createRuleOp>["body"]`. */
export type TOpInput<O> =
  O extends Operation<infer Q, infer B, infer P> ? { query: z.input<Q>; body: z.input<B>; params: PathParams<P> } : never;

/**
 * Declare an operation. The handler's query and body are typed from the schemas (z.output) and its
 * params from the path; without a query the handler gets {}, without a body undefined.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` is zod's own shape of an object with no keys
export function defineOp<P extends string, Q extends z.ZodObject = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined>(
  op: Operation<Q, B, P>,
): Operation<Q, B, P> {
  return op;
}
