import { getHealth } from "@/server/http/health";

export const dynamic = "force-dynamic";

// GET /api/health – is the app up, and on which database?
export async function GET() {
  const health = await getHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503 });
}
