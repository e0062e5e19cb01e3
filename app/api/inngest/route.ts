import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";

export const dynamic = "force-dynamic";

// GET|POST|PUT /api/inngest – Inngest calls our functions here (signature-verified with INNGEST_SIGNING_KEY).
export const { GET, POST, PUT } = serve({ client: inngest, functions });
