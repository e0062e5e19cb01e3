"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { OAuthButtons } from "@/app/_components/oauth-buttons";
import { Button, Field, Input } from "@/app/_components/ui";

export function SignInForm({
  callbackUrl,
  oauth,
  initialError,
}: {
  callbackUrl: string;
  oauth: { github: boolean; google: boolean };
  initialError: string | null;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);
  const [sso, setSso] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (sso) return startSso();
    setPending(true);
    setError(null);
    const res = await signIn("credentials", { email, password, redirect: false });
    if (res?.ok && !res.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    // One message for a wrong e-mail and a wrong password; rate limiting and outages are told apart.
    const reason = res?.error ?? "";
    setError(
      /^(Too many sign-in attempts|Sign-in is unavailable)[\w\s.,]*$/.test(reason) ||
        /^[\w.-]+ signs in with single sign-on: choose "Use single sign-on \(SSO\)" on the sign-in page$/.test(reason)
        ? reason
        : "E-mail or password is incorrect.",
    );
  };
  // "Continue with SSO": the e-mail's domain names the workspace whose identity provider signs the member in.
  const startSso = async () => {
    setPending(true);
    setError(null);
    try {
      const res = await fetch("/api/sso/start", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email }),
      });
      const body = (await res.json().catch(() => null)) as { url?: string; error?: { message?: string } } | null;
      if (res.ok && body?.url) {
        window.location.assign(body.url);
        return;
      }
      setError(body?.error?.message ?? "Single sign-on is unavailable right now. Try again shortly.");
    } catch {
      setError("Single sign-on is unavailable right now. Try again shortly.");
    }
    setPending(false);
  };
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Sign in</h1>
      <p className="mt-1 text-sm text-slate-500">Welcome back to your guardrails.</p>
      <form onSubmit={submit} className="mt-6 space-y-4">
        <Field label="E-mail">
          <Input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        {!sso && (
          <Field label="Password">
            <Input
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
        )}
        {error && (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            {error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? (sso ? "Redirecting to your identity provider…" : "Signing in…") : sso ? "Continue with SSO" : "Sign in"}
        </Button>
      </form>
      <Button
        variant="secondary"
        className="mt-2 w-full"
        onClick={() => {
          setSso(!sso);
          setError(null);
        }}
      >
        {sso ? "Use a password instead" : "Use single sign-on (SSO)"}
      </Button>
      <OAuthButtons {...oauth} callbackUrl={callbackUrl} />
      <p className="mt-6 text-center text-sm text-slate-500">
        No account?{" "}
        <Link
          href={`/sign-up${callbackUrl !== "/w" ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ""}`}
          className="font-medium text-indigo-600 hover:underline"
        >
          Start free
        </Link>
      </p>
    </>
  );
}
