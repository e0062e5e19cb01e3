"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { OAuthButtons } from "@/app/_components/oauth-buttons";
import { errorMessage } from "@/app/_components/states";
import { Button, Field, Input } from "@/app/_components/ui";
import { useTRPC } from "@/lib/trpc/client";

export function SignUpForm({
  callbackUrl,
  oauth,
  initialEmail,
}: {
  callbackUrl: string;
  oauth: { github: boolean; google: boolean };
  initialEmail: string;
}) {
  const trpc = useTRPC();
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [workspaceName, setWorkspaceName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const pending = signUp.isPending || signUp.isSuccess;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const { workspaceId } = await signUp.mutateAsync({ email, password, workspaceName: workspaceName.trim() || undefined });
      const res = await signIn("credentials", { email, password, redirect: false });
      if (!res?.ok || res.error) throw new Error("Your account was created, but signing in failed: sign in by hand.");
      window.location.assign(callbackUrl === "/w" ? `/w/${workspaceId}` : callbackUrl);
    } catch (err) {
      signUp.reset();
      setError(errorMessage(err));
    }
  };
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Start free</h1>
      <p className="mt-1 text-sm text-slate-500">25,000 tracked requests a month on the free plan. No card.</p>
      <form onSubmit={submit} className="mt-6 space-y-4">
        <Field label="Work e-mail">
          <Input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password" hint="At least 8 characters.">
          <Input
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Field label="Workspace name" hint="Usually your company or product. You can change it later.">
          <Input value={workspaceName} onChange={(e) => setWorkspaceName(e.target.value)} placeholder="Acme AI" maxLength={100} />
        </Field>
        {error && (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            {error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Creating your workspace…" : "Create account"}
        </Button>
      </form>
      <OAuthButtons {...oauth} callbackUrl={callbackUrl} />
      <p className="mt-6 text-center text-sm text-slate-500">
        Have an account?{" "}
        <Link
          href={`/sign-in${callbackUrl !== "/w" ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ""}`}
          className="font-medium text-indigo-600 hover:underline"
        >
          Sign in
        </Link>
      </p>
    </>
  );
}
