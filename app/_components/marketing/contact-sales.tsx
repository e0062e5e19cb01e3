"use client";

import { useState } from "react";
import { Modal } from "@/app/_components/modal";
import { Button, Field, Input, inputClass } from "@/app/_components/ui";

type Fields = { name: string; email: string; company: string; monthlyRequests: string; message: string };
const EMPTY: Fields = { name: "", email: "", company: "", monthlyRequests: "", message: "" };
type ApiError = { error?: { message?: string; details?: Array<{ path?: string; message?: string }> } };

/** What the form shows for an answer that is not 201: the server's own message, or why there is none. */
function describe(status: number, body: ApiError | null): { message: string; fields: Partial<Record<keyof Fields, string>> } {
  const fields: Partial<Record<keyof Fields, string>> = {};
  for (const d of body?.error?.details ?? []) {
    if (d.path && d.path in EMPTY && d.message && !fields[d.path as keyof Fields]) fields[d.path as keyof Fields] = d.message;
  }
  if (Object.keys(fields).length > 0) return { message: "Please check the highlighted fields.", fields };
  if (body?.error?.message) return { message: body.error.message, fields };
  if (status === 429) return { message: "Too many enquiries from this address: please try again later.", fields };
  return { message: "Something went wrong on our side: please try again in a moment.", fields };
}

function FieldError({ message }: { message?: string }) {
  return message ? <span className="mt-1 block text-xs text-red-600">{message}</span> : null;
}

/**
 * The Enterprise card's "Contact us": a dialog with the sales form (POST /api/contact-sales).
 * The enquiry is stored and e-mailed to the operator; the visitor sees a thank-you or why it failed.
 */
export function ContactSalesButton({ className }: { className?: string }) {
  const [open, setOpen] = useState(false);
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "sending" }
    | { kind: "sent"; name: string; email: string }
    | { kind: "error"; message: string; fields: Partial<Record<keyof Fields, string>> }
  >({ kind: "idle" });
  const set = (key: keyof Fields) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setFields((f) => ({ ...f, [key]: e.target.value }));
  const close = () => {
    setOpen(false);
    if (state.kind === "sent") {
      setFields(EMPTY);
      setState({ kind: "idle" });
    }
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setState({ kind: "sending" });
    const requests = fields.monthlyRequests.replace(/[\s,_]/g, "");
    const body = {
      name: fields.name,
      email: fields.email,
      company: fields.company,
      // A number when it reads as one; otherwise as typed, and the server says what is wrong with it.
      monthlyRequests: /^\d+$/.test(requests) ? Number(requests) : fields.monthlyRequests,
      message: fields.message,
    };
    try {
      const res = await fetch("/api/contact-sales", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.status === 201) {
        setState({ kind: "sent", name: fields.name.trim(), email: fields.email.trim() });
        return;
      }
      const answer = (await res.json().catch(() => null)) as ApiError | null;
      setState({ kind: "error", ...describe(res.status, answer) });
    } catch {
      setState({ kind: "error", message: "Could not reach Tokenist: check your connection and try again.", fields: {} });
    }
  };

  const fieldError = (key: keyof Fields) => (state.kind === "error" ? state.fields[key] : undefined);
  const invalid = (key: keyof Fields) => (fieldError(key) ? { "aria-invalid": true as const } : {});

  return (
    <>
      <button type="button" onClick={() => setOpen(true)} className={className}>
        Contact us
      </button>
      <Modal open={open} onClose={close} title="Talk to us about Enterprise">
        {state.kind === "sent" ? (
          <div role="status" aria-live="polite" className="space-y-3 py-2" data-testid="contact-sales-thanks">
            <p className="text-base font-semibold text-slate-900">Thank you, {state.name}!</p>
            <p className="text-sm text-slate-600">
              We have your enquiry and will reply to <span className="font-medium text-slate-900">{state.email}</span> soon.
            </p>
            <Button onClick={close}>Close</Button>
          </div>
        ) : (
          <form onSubmit={submit} className="space-y-4" aria-label="Contact sales">
            <p className="text-sm text-slate-600">
              Custom request volume, extended retention, SSO + RBAC, a dedicated SLA and on-prem options. Tell us about your traffic.
            </p>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Name">
                <Input autoComplete="name" required maxLength={200} value={fields.name} onChange={set("name")} {...invalid("name")} />
                <FieldError message={fieldError("name")} />
              </Field>
              <Field label="Work e-mail">
                <Input
                  type="email"
                  autoComplete="email"
                  required
                  maxLength={320}
                  value={fields.email}
                  onChange={set("email")}
                  {...invalid("email")}
                />
                <FieldError message={fieldError("email")} />
              </Field>
              <Field label="Company">
                <Input
                  autoComplete="organization"
                  required
                  maxLength={200}
                  value={fields.company}
                  onChange={set("company")}
                  {...invalid("company")}
                />
                <FieldError message={fieldError("company")} />
              </Field>
              <Field label="Expected monthly requests">
                <Input
                  inputMode="numeric"
                  placeholder="1,000,000"
                  required
                  maxLength={20}
                  value={fields.monthlyRequests}
                  onChange={set("monthlyRequests")}
                  {...invalid("monthlyRequests")}
                />
                <FieldError message={fieldError("monthlyRequests")} />
              </Field>
            </div>
            <Field label="Message">
              <textarea
                className={`${inputClass} w-full`}
                rows={4}
                maxLength={5000}
                placeholder="What you are building, what you need (SSO, retention, on-prem…)"
                value={fields.message}
                onChange={set("message")}
                {...invalid("message")}
              />
              <FieldError message={fieldError("message")} />
            </Field>
            {state.kind === "error" && (
              <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
                {state.message}
              </p>
            )}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" disabled={state.kind === "sending"}>
                {state.kind === "sending" ? "Sending…" : "Send"}
              </Button>
            </div>
          </form>
        )}
      </Modal>
    </>
  );
}
