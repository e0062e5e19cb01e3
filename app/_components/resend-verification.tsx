"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { errorMessage } from "./states";
import { Button, cx } from "./ui";

/** "Send a new link" for the signed-in member's own address; rate-limited on the server. */
export function ResendVerification({ variant = "button", className }: { variant?: "button" | "link"; className?: string }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  const status = resend.isSuccess
    ? resend.data.verified
      ? "Your address is verified already."
      : "Sent: check your inbox for the new link."
    : resend.isError
      ? errorMessage(resend.error)
      : null;
  const label = resend.isPending ? "Sending…" : "Send a new link";
  return (
    <span className={cx(variant === "button" && "block space-y-2", className)}>
      {variant === "button" ? (
        <Button className="w-full" disabled={resend.isPending || resend.isSuccess} onClick={() => resend.mutate()}>
          {label}
        </Button>
      ) : (
        <button
          type="button"
          className="font-medium underline hover:opacity-80 disabled:opacity-50"
          disabled={resend.isPending || resend.isSuccess}
          onClick={() => resend.mutate()}
        >
          {label.toLowerCase()}
        </button>
      )}
      {status && (
        <span
          role="status"
          className={cx(variant === "button" ? "block text-sm" : "ml-2", resend.isError ? "text-red-700" : "text-slate-600")}
        >
          {status}
        </span>
      )}
    </span>
  );
}
