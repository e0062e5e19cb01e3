"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "@/app/_components/copy-button";
import { InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Badge, Button, Card, CardHeader, ChoiceSelect, Field, Input, inputClass, Toggle } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { type RouterOutputs, useTRPC } from "@/lib/trpc/client";

type SsoState = RouterOutputs["sso"]["get"];
type Connection = NonNullable<SsoState["connection"]>;
type SsoRole = "admin" | "developer" | "viewer";

const PROTOCOLS = { oidc: "OpenID Connect", saml: "SAML 2.0" } as const;
const ROLES: Record<SsoRole, string> = { viewer: "viewer", developer: "developer", admin: "admin" };

/** "group = role" lines ⇄ the mapping object. */
const mappingText = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([g, r]) => `${g} = ${r}`)
    .join("\n");
function parseMapping(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.lastIndexOf("=");
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** Settings' single sign-on: configure the identity provider, test it, then enforce it (owners); everyone else reads it. */
export function SsoCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const sso = useQuery(trpc.sso.get.queryOptions({ workspaceId: ws.id }));
  const settings = useQuery(trpc.settings.get.queryOptions({ workspaceId: ws.id }));
  return (
    <Card id="sso">
      <CardHeader
        title="Single sign-on"
        description="Members of your e-mail domains sign in through your identity provider (OpenID Connect or SAML 2.0) and join this workspace on their first sign-in."
        actions={
          sso.data?.connection ? (
            sso.data.connection.enforced ? (
              <Badge color="green">Enforced</Badge>
            ) : (
              <Badge color="amber">Not enforced</Badge>
            )
          ) : (
            <Badge>Not configured</Badge>
          )
        }
      />
      <QueryView query={sso} loading={<LoadingRows rows={4} />}>
        {(s) => <SsoBody s={s} plan={settings.data?.plan ?? null} />}
      </QueryView>
    </Card>
  );
}

function SsoBody({ s, plan }: { s: SsoState; plan: string | null }) {
  const ws = useWorkspace();
  const sp = s.serviceProvider;
  const owner = ws.can("sso.manage");
  return (
    <div className="space-y-5 px-5 py-4 text-sm">
      {plan && plan !== "enterprise" && (
        <p className="rounded-lg bg-indigo-50 px-3 py-2 text-indigo-800">
          Single sign-on is part of the Enterprise plan.{" "}
          <a href="/#pricing" className="font-medium underline">
            Contact us
          </a>{" "}
          to move this workspace to it.
        </p>
      )}
      <div>
        <p className="mb-2 font-medium text-slate-900">Register Tokenist at your identity provider</p>
        <dl className="grid gap-2">
          {[
            ["OIDC redirect URI", sp.redirectUri],
            ["SAML entity ID (audience)", sp.entityId],
            ["SAML ACS URL (HTTP-POST)", sp.acsUrl],
            ["SAML metadata", sp.metadataUrl],
          ].map(([label, value]) => (
            <div key={label} className="flex flex-wrap items-center gap-2">
              <dt className="w-48 text-slate-500">{label}</dt>
              <dd className="flex items-center gap-2">
                <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800">{value}</code>
                <CopyButton text={value!} />
              </dd>
            </div>
          ))}
        </dl>
      </div>
      {s.connection && <TestPanel c={s.connection} owner={owner} />}
      {owner ? (
        <SsoForm c={s.connection} />
      ) : s.connection ? (
        <p className="text-slate-500">
          {PROTOCOLS[s.connection.protocol]} for {s.connection.domains.join(", ")}. Only an owner can change single sign-on.
        </p>
      ) : (
        <p className="text-slate-500">No single sign-on is configured. Only an owner can set it up.</p>
      )}
    </div>
  );
}

/** The last test sign-in, and the button that starts one (through the real identity provider, as members will). */
function TestPanel({ c, owner }: { c: Connection; owner: boolean }) {
  const ws = useWorkspace();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const test = async () => {
    setPending(true);
    setError(null);
    const res = await fetch("/api/sso/start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ test: true, workspaceId: ws.id }),
    });
    const body = (await res.json().catch(() => null)) as { url?: string; error?: { message?: string } } | null;
    if (res.ok && body?.url) return window.location.assign(body.url);
    setError(body?.error?.message ?? "The test could not start. Try again shortly.");
    setPending(false);
  };
  const t = c.lastTest;
  return (
    <div className="rounded-lg border border-slate-200 px-4 py-3" data-testid="sso-test">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="font-medium text-slate-900">Test sign-in</p>
          {!t ? (
            <p className="text-slate-500">Not tested yet. Sign in through your identity provider once before enforcing.</p>
          ) : t.ok ? (
            <p className="text-emerald-700">
              Passed {new Date(t.at).toLocaleString()}: {t.email} with groups {t.groups?.length ? t.groups.join(", ") : "(none)"} would join
              as <strong>{t.role}</strong>.
            </p>
          ) : (
            <p className="text-red-700">
              Failed {new Date(t.at).toLocaleString()}: {t.error}
            </p>
          )}
        </div>
        {owner && (
          <Button variant="secondary" onClick={test} disabled={pending}>
            {pending ? "Opening your identity provider…" : "Test sign-in"}
          </Button>
        )}
      </div>
      {error && <p className="mt-2 text-red-700">{error}</p>}
    </div>
  );
}

function SsoForm({ c }: { c: Connection | null }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [protocol, setProtocol] = useState<"oidc" | "saml">(c?.protocol ?? "oidc");
  const [issuer, setIssuer] = useState(c?.issuer ?? "");
  const [clientId, setClientId] = useState(c?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [metadataUrl, setMetadataUrl] = useState(c?.metadataUrl ?? "");
  const [metadataXml, setMetadataXml] = useState(c?.metadataUrl ? "" : (c?.metadataXml ?? ""));
  const [domains, setDomains] = useState(c?.domains.join(", ") ?? "");
  const [defaultRole, setDefaultRole] = useState<SsoRole>((c?.defaultRole as SsoRole) ?? "viewer");
  const [mapping, setMapping] = useState(mappingText(c?.roleMapping ?? {}));
  const [saved, setSaved] = useState(false);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.sso.get.queryKey() });
  const put = useMutation(
    trpc.sso.put.mutationOptions({
      onSuccess: async () => {
        setClientSecret("");
        setSaved(true);
        await invalidate();
      },
    }),
  );
  const remove = useMutation(trpc.sso.delete.mutationOptions({ onSuccess: invalidate }));
  const config = (enforced: boolean) => ({
    protocol,
    ...(protocol === "oidc"
      ? { issuer: issuer.trim(), clientId: clientId.trim(), ...(clientSecret ? { clientSecret } : {}) }
      : metadataUrl.trim()
        ? { metadataUrl: metadataUrl.trim() }
        : { metadataXml }),
    domains: domains
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter(Boolean),
    enforced,
    defaultRole,
    roleMapping: parseMapping(mapping) as Record<string, SsoRole>,
  });
  const save = (enforced: boolean) => {
    setSaved(false);
    put.mutate({ workspaceId: ws.id, config: config(enforced) });
  };
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save(c?.enforced ?? false);
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Protocol">
          <ChoiceSelect choices={PROTOCOLS} value={protocol} onChange={setProtocol} />
        </Field>
        <Field label="E-mail domains" hint="Comma-separated. Each must be the domain of an owner's verified e-mail address.">
          <Input value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="acme.com" required />
        </Field>
        {protocol === "oidc" ? (
          <>
            <Field label="Issuer URL" hint="Its /.well-known/openid-configuration is read at sign-in.">
              <Input value={issuer} onChange={(e) => setIssuer(e.target.value)} placeholder="https://acme.okta.com" required />
            </Field>
            <Field label="Client ID">
              <Input value={clientId} onChange={(e) => setClientId(e.target.value)} required />
            </Field>
            <Field
              label="Client secret"
              hint={c?.hasClientSecret ? "Stored. Leave empty to keep it." : "Stored encrypted; never shown again."}
            >
              <Input
                type="password"
                autoComplete="off"
                value={clientSecret}
                onChange={(e) => setClientSecret(e.target.value)}
                placeholder={c?.hasClientSecret ? "••••••••" : ""}
                required={!c?.hasClientSecret}
              />
            </Field>
          </>
        ) : (
          <>
            <Field label="IdP metadata URL" hint="Or paste the metadata XML below.">
              <Input value={metadataUrl} onChange={(e) => setMetadataUrl(e.target.value)} placeholder="https://idp.acme.com/metadata" />
            </Field>
            <Field label="IdP metadata XML" className="sm:col-span-2">
              <textarea
                className={`${inputClass} h-28 w-full font-mono text-xs`}
                value={metadataXml}
                onChange={(e) => setMetadataXml(e.target.value)}
                placeholder="<EntityDescriptor …>"
              />
            </Field>
          </>
        )}
        <Field label="Default role" hint="For members who join by SSO with no mapped group.">
          <ChoiceSelect choices={ROLES} value={defaultRole} onChange={setDefaultRole} />
        </Field>
        <Field
          label="Group → role mapping"
          hint="One per line: group = admin | developer | viewer. The most powerful match wins at every sign-in."
        >
          <textarea
            className={`${inputClass} h-20 w-full font-mono text-xs`}
            value={mapping}
            onChange={(e) => setMapping(e.target.value)}
            placeholder="tokenist-admins = admin"
          />
        </Field>
      </div>
      <InlineError error={put.error ?? remove.error} />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={put.isPending}>
          {put.isPending ? "Saving…" : c ? "Save changes" : "Save"}
        </Button>
        {saved && !put.isPending && <span className="text-emerald-700">Saved.</span>}
        {c && (
          <Button
            variant="secondary"
            onClick={() => {
              if (window.confirm("Remove single sign-on? Its domains sign in with passwords again.")) remove.mutate({ workspaceId: ws.id });
            }}
          >
            Remove
          </Button>
        )}
      </div>
      {c && (
        <div className="flex items-start gap-3 rounded-lg bg-slate-50 px-4 py-3">
          <Toggle
            label="Enforce single sign-on"
            checked={c.enforced}
            disabled={put.isPending || (!c.enforced && !c.testedAt)}
            onChange={(on) => save(on)}
          />
          <div>
            <p className="font-medium text-slate-900">Enforce single sign-on</p>
            <p className="text-slate-500">
              {c.testedAt || c.enforced
                ? "Password and GitHub/Google sign-in are refused for these domains; owners keep their password as a way in if the identity provider is down."
                : "Pass a test sign-in of this configuration first (any change to the identity provider or the domains needs a new one)."}
            </p>
          </div>
        </div>
      )}
    </form>
  );
}
