import { apiDoor } from "@/server/http/doors";
import { listDeliveriesOp } from "@/server/http/api-v1/ops/alerts";

export const dynamic = "force-dynamic";

// GET /api/v1/alert-deliveries – the delivery log: every alert and test message sent, with the receiver's answer
export const GET = apiDoor(listDeliveriesOp);
