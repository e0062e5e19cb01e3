"use client";

import { signIn } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { ButtonLink } from "@/app/_components/ui";

/** Spends the one-time ticket once (React's dev double effect included) and opens the workspace. */
export function CompleteSso({ ticket, workspaceId }: { ticket: string; workspaceId: string }) {
  const [failed, setFailed] = useState(false);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    signIn("sso", { ticket, redirect: false }).then((res) => {
      if (res?.ok && !res.error) window.location.assign(`/w/${workspaceId}`);
      else setFailed(true);
    });
  }, [ticket, workspaceId]);
  if (!failed) {
    return (
      <p role="status" className="text-sm text-slate-500">
        Signing you in…
      </p>
    );
  }
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Single sign-on did not work</h1>
      <p role="alert" className="mt-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
        This sign-in link has expired, was used already, or was opened in another browser: start again with "Use single sign-on (SSO)" on
        the sign-in page.
      </p>
      <ButtonLink href="/sign-in" variant="secondary" className="mt-6 w-full">
        Back to sign-in
      </ButtonLink>
    </>
  );
}
