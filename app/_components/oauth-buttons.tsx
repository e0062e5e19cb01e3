"use client";

import { signIn } from "next-auth/react";
import { Button } from "./ui";

/** GitHub / Google sign-in, shown only when the server has their variables set. */
export function OAuthButtons({ github, google, callbackUrl }: { github: boolean; google: boolean; callbackUrl: string }) {
  if (!github && !google) return null;
  return (
    <div className="mt-6 space-y-2">
      <div className="relative my-4 text-center text-xs text-slate-400">
        <span className="relative z-10 bg-white px-2">or</span>
        <div className="absolute inset-x-0 top-1/2 border-t border-slate-200" />
      </div>
      {github && (
        <Button variant="secondary" className="w-full" onClick={() => signIn("github", { callbackUrl })}>
          Continue with GitHub
        </Button>
      )}
      {google && (
        <Button variant="secondary" className="w-full" onClick={() => signIn("google", { callbackUrl })}>
          Continue with Google
        </Button>
      )}
    </div>
  );
}
