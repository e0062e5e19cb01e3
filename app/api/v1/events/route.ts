import { apiDoor } from "@/server/http/doors";
import { listEventsOp } from "@/server/http/api-v1/ops/events";

export const dynamic = "force-dynamic";

// GET /api/v1/events – recorded LLM calls, newest first, with filters and cursor pages
export const GET = apiDoor(listEventsOp);
