import { buildOpenApi } from "@/server/http/api-v1/openapi";

export const dynamic = "force-static";

// GET /api/v1/openapi.json – the OpenAPI 3.1 document of /sdk/* and /api/v1/*, generated from the zod schemas.
export function GET() {
  return Response.json(buildOpenApi());
}
