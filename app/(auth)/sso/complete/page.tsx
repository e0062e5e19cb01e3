import { ButtonLink } from "@/app/_components/ui";
import { boot } from "@/server/boot";
import { ssoRefusalMessage } from "@/server/services/sso/sign-in";
import { CompleteSso } from "./complete-sso";

export const metadata = { title: "Single sign-on · Tokenist" };

const EXPIRED = 'This sign-in link has expired or was used already: start again with "Use single sign-on (SSO)" on the sign-in page.';

/**
 * Where the identity provider's answer lands: with a one-time ticket, the browser finishes the
 * sign-in (the next-auth `sso` provider); refused, the reason is shown — read from the sign-in's
 * own row, so no one can put words on this page through its URL.
 */
export default async function SsoCompletePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : "");
  const ticket = one(params.ticket);
  const workspace = one(params.workspace);
  if (ticket && /^ws_[0-9a-z]{1,40}$/.test(workspace)) return <CompleteSso ticket={ticket} workspaceId={workspace} />;
  const refused = one(params.refused);
  const message = (refused && (await ssoRefusalMessage(await boot(), refused))) || EXPIRED;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Single sign-on did not work</h1>
      <p role="alert" className="mt-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
        {message}
      </p>
      <p className="mt-3 text-sm text-slate-500">
        If this keeps happening, ask your workspace owner to check the identity provider's settings.
      </p>
      <ButtonLink href="/sign-in" variant="secondary" className="mt-6 w-full">
        Back to sign-in
      </ButtonLink>
    </>
  );
}
