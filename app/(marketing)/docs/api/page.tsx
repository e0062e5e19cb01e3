import Link from "next/link";
import { buildOpenApi } from "@/server/http/api-v1/openapi";

export const metadata = { title: "API reference · Tokenist" };

type Schema = Record<string, unknown>;
type Param = { name: string; in: string; required: boolean; schema: Schema; description?: string };
type Op = {
  operationId: string;
  summary: string;
  tags: string[];
  description: string;
  parameters: Param[];
  requestBody?: { required: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-emerald-100 text-emerald-800",
  patch: "bg-amber-100 text-amber-800",
  delete: "bg-rose-100 text-rose-800",
};

/** A compact, readable type for a JSON schema: the reference, not a validator. */
function typeOf(s: Schema | undefined): string {
  if (!s) return "any";
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  const union = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (union) return union.map(typeOf).join(" | ");
  if (s.type === "array") return `${typeOf(s.items as Schema)}[]`;
  if (s.type === "object" && s.properties) return "object";
  return String(s.type ?? "any") + (s.format ? ` (${s.format})` : "");
}

function Fields({ schema }: { schema: Schema }) {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  const variants = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (variants && !schema.properties) {
    return (
      <div className="space-y-2">
        {variants.map((v, i) => (
          <div key={i} className="rounded border border-slate-200 p-2">
            <p className="mb-1 text-xs text-slate-500">variant {i + 1}</p>
            <Fields schema={v} />
          </div>
        ))}
      </div>
    );
  }
  if (schema.type === "array") return <Fields schema={(schema.items ?? {}) as Schema} />;
  if (Object.keys(props).length === 0) return <p className="text-sm text-slate-500">{typeOf(schema)}</p>;
  return (
    <table className="w-full text-left text-sm">
      <tbody>
        {Object.entries(props).map(([name, s]) => (
          <tr key={name} className="border-t border-slate-100 align-top">
            <td className="py-1.5 pr-3 font-mono text-[13px] text-slate-900">
              {name}
              {required.includes(name) ? <span className="text-rose-600">*</span> : null}
            </td>
            <td className="py-1.5 pr-3 font-mono text-[12px] text-slate-600">{typeOf(s)}</td>
            <td className="py-1.5 text-slate-500">{String(s.description ?? "")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function ApiReferencePage() {
  const doc = buildOpenApi();
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Op>).map(([method, op]) => ({ path, method, op })),
  );
  const tags = doc.tags.map((t) => t.name);
  return (
    <main className="mx-auto flex max-w-6xl gap-12 px-6 py-12">
      <aside className="hidden w-52 shrink-0 lg:block">
        <nav className="sticky top-24 space-y-1 text-sm" aria-label="Sections">
          {tags.map((t) => (
            <a
              key={t}
              href={`#${t.replace(/\s/g, "-")}`}
              className="block rounded-md px-2 py-1 text-slate-600 hover:bg-slate-50 hover:text-slate-900"
            >
              {t}
            </a>
          ))}
        </nav>
      </aside>
      <article className="min-w-0 flex-1 space-y-10">
        <header className="space-y-3">
          <h1 className="text-4xl font-bold tracking-tight text-slate-900">API reference</h1>
          <p className="text-[15px] leading-7 text-slate-600">{doc.info.description}</p>
          <p className="text-sm text-slate-500">
            Machine-readable:{" "}
            <a className="text-indigo-600 underline" href="/api/v1/openapi.json">
              /api/v1/openapi.json
            </a>{" "}
            (OpenAPI {doc.openapi}, version {doc.info.version}). Quick start:{" "}
            <Link className="text-indigo-600 underline" href="/docs">
              Docs
            </Link>
            .
          </p>
        </header>
        {tags.map((tag) => (
          <section key={tag} id={tag.replace(/\s/g, "-")} className="scroll-mt-24 space-y-4">
            <h2 className="text-2xl font-semibold tracking-tight text-slate-900">{tag}</h2>
            {ops
              .filter((o) => o.op.tags.includes(tag))
              .map(({ path, method, op }) => (
                <div key={op.operationId} id={op.operationId} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className={`rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_STYLE[method] ?? ""}`}>
                      {method}
                    </span>
                    <code className="font-mono text-sm text-slate-900">{path}</code>
                  </div>
                  <p className="mt-2 text-sm text-slate-700">{op.summary}</p>
                  <p className="mt-1 text-xs text-slate-500">{op.description}</p>
                  {op.parameters.length > 0 && (
                    <div className="mt-3">
                      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-400">Parameters</h3>
                      <Fields
                        schema={{
                          type: "object",
                          properties: Object.fromEntries(
                            op.parameters.map((p) => [p.name, { ...p.schema, description: `${p.in}. ${p.description ?? ""}` }]),
                          ),
                          required: op.parameters.filter((p) => p.required).map((p) => p.name),
                        }}
                      />
                    </div>
                  )}
                  {op.requestBody && (
                    <div className="mt-3">
                      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-400">Body</h3>
                      <Fields schema={op.requestBody.content["application/json"]!.schema} />
                    </div>
                  )}
                  {Object.entries(op.responses)
                    .filter(([code]) => code.startsWith("2"))
                    .map(([code, r]) => (
                      <div key={code} className="mt-3">
                        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-400">Answer {code}</h3>
                        {r.content?.["application/json"] ? (
                          <Fields schema={r.content["application/json"].schema} />
                        ) : (
                          <p className="text-sm text-slate-500">text/csv</p>
                        )}
                      </div>
                    ))}
                  <p className="mt-3 text-xs text-slate-400">
                    Errors:{" "}
                    {Object.keys(op.responses)
                      .filter((c) => !c.startsWith("2"))
                      .join(", ")}{" "}
                    — <code>{'{"error":{"code","message"}}'}</code>
                  </p>
                </div>
              ))}
          </section>
        ))}
      </article>
    </main>
  );
}
