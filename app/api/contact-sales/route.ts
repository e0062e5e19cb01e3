import { boot } from "@/server/boot";
import { clientIp } from "@/server/http/client-ip";
import { toHttpError } from "@/server/http/errors";
import { readJsonBody } from "@/server/http/read-body";
import { contactSales } from "@/server/services/sales/contact-sales";

export const dynamic = "force-dynamic";

/** An enquiry is a few short fields: anything bigger is not one. */
const MAX_BODY_BYTES = 16_384;

// POST /api/contact-sales – the landing page's Enterprise contact form (public: strict body, rate-limited per client address).
export async function POST(req: Request) {
  try {
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    const result = await contactSales(await boot(), body, clientIp(req));
    return Response.json({ received: true, id: result.id }, { status: 201 });
  } catch (err) {
    return toHttpError(err);
  }
}
