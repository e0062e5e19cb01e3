import { redirect } from "next/navigation";
import { oauthProviders, safeCallback } from "@/app/_components/oauth-config";
import { currentSession } from "@/lib/trpc/server";
import { SignUpForm } from "./sign-up-form";

export const metadata = { title: "Start free · Tokenist" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentSession()) redirect(callbackUrl);
  const email = typeof params.email === "string" ? params.email : "";
  return <SignUpForm callbackUrl={callbackUrl} oauth={oauthProviders()} initialEmail={email} />;
}
