"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { ResendVerification } from "./resend-verification";

const DISMISSED = "tokenist.verifyEmailBannerDismissed";

/**
 * Reminds a member who signed up with a password to open the link we mailed them: until then
 * they cannot accept invitations, and a Google or GitHub sign-in for the address takes the
 * account over. Dismissed for this browser session.
 */
export function VerifyEmailBanner() {
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.emailStatus.queryOptions());
  const [dismissed, setDismissed] = useState(true); // until sessionStorage is read: no flash
  useEffect(() => setDismissed(sessionStorage.getItem(DISMISSED) === "1"), []);
  if (dismissed || !status.data || status.data.verified) return null;
  return (
    <div
      data-testid="verify-email-banner"
      className="flex items-start gap-3 border-b border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900 sm:px-6 lg:px-8"
    >
      <p className="flex-1">
        <strong className="font-semibold">Confirm your e-mail address:</strong> open the link we sent to {status.data.email}. Until then you
        cannot accept invitations to other workspaces. No e-mail? <ResendVerification variant="link" />
      </p>
      <button
        type="button"
        aria-label="Dismiss"
        className="rounded-md px-1 text-indigo-500 hover:bg-indigo-100 hover:text-indigo-800"
        onClick={() => {
          sessionStorage.setItem(DISMISSED, "1");
          setDismissed(true);
        }}
      >
        ×
      </button>
    </div>
  );
}
