export const dynamic = "force-dynamic";

// GET|POST /api/ping – no database, no work: a liveness probe and the benchmarks' baseline route.
export function GET() {
  return Response.json({ ok: true });
}
export const POST = GET;
