import { redirect } from "next/navigation";
import { oauthProviders, safeCallback, signInErrorMessage } from "@/app/_components/oauth-config";
import { currentSession } from "@/lib/trpc/server";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in · Tokenist" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentSession()) redirect(callbackUrl);
  return <SignInForm callbackUrl={callbackUrl} oauth={oauthProviders()} initialError={signInErrorMessage(params.error)} />;
}
