import { apiDoor } from "@/server/http/doors";
import { getEventOp } from "@/server/http/api-v1/ops/events";

export const dynamic = "force-dynamic";

// GET /api/v1/events/{id} – one event with its stored payloads (when payload logging is on)
export const GET = apiDoor(getEventOp);
