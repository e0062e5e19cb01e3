import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { currentMemberId } from "@/server/auth";
import { serverCaller } from "@/lib/trpc/server";

type Caller = Awaited<ReturnType<typeof serverCaller>>;

/**
 * A CSV download for the signed-in member: the same tRPC procedure the dashboard uses
 * (so the same ladder: session, membership), answered as an attachment.
 */
export async function csvDownload(name: string, run: (caller: Caller) => Promise<string>) {
  const memberId = await currentMemberId();
  if (!memberId) return Response.json({ error: { code: "unauthorized", message: "Sign in first" } }, { status: 401 });
  try {
    const csv = await run(await serverCaller(memberId));
    const stamp = new Date().toISOString().slice(0, 10);
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="tokenist-${name}-${stamp}.csv"`,
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    const e =
      err instanceof TRPCError ? err : new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side." });
    return Response.json({ error: { code: e.code.toLowerCase(), message: e.message } }, { status: getHTTPStatusCodeFromError(e) });
  }
}

/** Query parameters → an object, empty values dropped. */
export function searchParams(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) if (v !== "") out[k] = v;
  return out;
}
