import { apiDoor } from "@/server/http/doors";
import { createSegmentOp, listSegmentsOp } from "@/server/http/api-v1/ops/segments";

export const dynamic = "force-dynamic";

// GET /api/v1/segments – the workspace's saved segments of end users
export const GET = apiDoor(listSegmentsOp);
// POST /api/v1/segments – save a segment (name and filter)
export const POST = apiDoor(createSegmentOp);
