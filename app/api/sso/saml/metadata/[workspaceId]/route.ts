import { samlServiceProviderMetadata } from "@/server/services/sso/protocols";

export const dynamic = "force-dynamic";

// GET /api/sso/saml/metadata/{workspaceId} – the service provider's metadata to import into the IdP (also the SP entity id).
export async function GET(_req: Request, { params }: { params: Promise<{ workspaceId: string }> }) {
  const { workspaceId } = await params;
  if (!/^ws_[0-9a-z]{1,40}$/.test(workspaceId)) return new Response("Not found", { status: 404 });
  return new Response(samlServiceProviderMetadata(workspaceId), {
    headers: { "content-type": "application/samlmetadata+xml; charset=utf-8" },
  });
}
