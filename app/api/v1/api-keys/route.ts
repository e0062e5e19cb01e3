import { apiDoor } from "@/server/http/doors";
import { createKeyOp, listKeysOp } from "@/server/http/api-v1/ops/keys";

export const dynamic = "force-dynamic";

// GET /api/v1/api-keys – aPI keys (never the secret: only its first characters)
export const GET = apiDoor(listKeysOp);
// POST /api/v1/api-keys – create a key with scopes sdk, read, write, admin; the secret is in this answer only
export const POST = apiDoor(createKeyOp);
