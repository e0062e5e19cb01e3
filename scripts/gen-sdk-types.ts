/**
 * Prints the SDK's wire types from the one zod contract (server/contract/sdk.ts) into
 * sdk/src/contract.gen.ts, so the SDK and the server can never disagree on a field.
 * Requests use zod's input side (defaults and nullish fields optional), answers its output side.
 *
 *   node_modules/.bin/tsx scripts/gen-sdk-types.ts          # write the file
 *   node_modules/.bin/tsx scripts/gen-sdk-types.ts --check  # exit 1 when it is stale
 *
 * tests/unit/sdk-contract.test.ts regenerates in memory and compares with the committed file.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import * as contract from "../server/contract/sdk";

export const SDK_TYPES_FILE = path.resolve(import.meta.dirname, "..", "sdk", "src", "contract.gen.ts");

type Io = "input" | "output";
type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  $ref?: string;
  format?: string;
};

/** Every exported type: its name, schema, which side of the parse it describes, and its doc line. */
const TYPES: Array<{ name: string; schema: z.ZodType; io: Io; doc: string }> = [
  { name: "RequestType", schema: contract.ZRequestType, io: "output", doc: "What kind of provider call this is." },
  { name: "ErrorCode", schema: z.enum(contract.ERROR_CODES), io: "output", doc: "The `code` of every error the server answers." },
  { name: "CheckInput", schema: contract.ZCheckInput, io: "input", doc: "POST /sdk/check – the request body. Only `userId` is required." },
  { name: "LimitState", schema: contract.ZLimitState, io: "output", doc: "Where one rule stands for this end user." },
  { name: "CheckResult", schema: contract.ZCheckResult, io: "output", doc: "POST /sdk/check – the decision (always HTTP 200)." },
  {
    name: "RecordInput",
    schema: contract.ZRecordInput,
    io: "input",
    doc: "POST /sdk/record – the request body. Pass the check's `checkId`; `model` and `usage` are optional (the server fills model from the check and estimates usage without one).",
  },
  { name: "Tokens", schema: contract.ZTokens, io: "output", doc: "The token breakdown the server read from `usage`." },
  {
    name: "RecordResult",
    schema: contract.ZRecordResult,
    io: "output",
    doc: "POST /sdk/record – the answer; `duplicate` is true for a retried requestId.",
  },
  { name: "LogInput", schema: contract.ZLogInput, io: "input", doc: "POST /sdk/log – the request body." },
  { name: "LogResult", schema: contract.ZLogResult, io: "output", doc: "POST /sdk/log – the answer." },
  { name: "ErrorBody", schema: contract.ZErrorBody, io: "output", doc: "Every 4xx/5xx answer of the server." },
];

/** The schemas of one side, with references between named types kept as `$ref: "Name"`. */
function schemasFor(io: Io): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const t of TYPES) registry.add(t.schema, { id: t.name });
  const out = z.toJSONSchema(registry, { io, uri: (id) => id, unrepresentable: "any" });
  return out.schemas as Record<string, JsonSchema>;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const literal = (v: unknown) => JSON.stringify(v);
const union = (parts: string[]) => [...new Set(parts)].join(" | ");
const paren = (t: string) => (t.includes(" | ") ? `(${t})` : t);

function printType(s: JsonSchema, indent: string): string {
  if (s.$ref) return s.$ref;
  if (s.const !== undefined) return literal(s.const);
  if (s.enum) return union(s.enum.map(literal));
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return union(alternatives.map((a) => printType(a, indent)));
  if (Array.isArray(s.type)) return union(s.type.map((type) => printType({ ...s, type }, indent)));
  switch (s.type) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `${paren(s.items ? printType(s.items, indent) : "unknown")}[]`;
    case "object":
      return printObject(s, indent);
    default:
      return "unknown";
  }
}

function printObject(s: JsonSchema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(s.required ?? []);
  const lines = Object.entries(s.properties ?? {}).map(([key, prop]) => {
    const name = IDENT.test(key) ? key : literal(key);
    return `${inner}${name}${required.has(key) ? "" : "?"}: ${printType(prop, inner)};`;
  });
  const extra = s.additionalProperties;
  if (extra !== undefined && extra !== false) {
    lines.push(`${inner}[key: string]: ${extra === true ? "unknown" : printType(extra, inner)};`);
  }
  return lines.length ? `{\n${lines.join("\n")}\n${indent}}` : "Record<string, never>";
}

/** The whole generated file, as committed. */
export function generateSdkTypes(): string {
  const sides = { input: schemasFor("input"), output: schemasFor("output") };
  const blocks = TYPES.map(({ name, io, doc }) => {
    const schema = sides[io][name]!;
    const body = printType({ ...schema, $ref: undefined }, "");
    const declaration = schema.type === "object" && !schema.anyOf ? `export interface ${name} ${body}` : `export type ${name} = ${body};`;
    return `/** ${doc} */\n${declaration}\n`;
  });
  return [
    "// Generated by scripts/gen-sdk-types.ts from server/contract/sdk.ts – do not edit.",
    "// Regenerate with: node_modules/.bin/tsx scripts/gen-sdk-types.ts",
    "",
    blocks.join("\n"),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const next = generateSdkTypes();
  const current = fs.existsSync(SDK_TYPES_FILE) ? fs.readFileSync(SDK_TYPES_FILE, "utf8") : "";
  if (process.argv.includes("--check")) {
    if (current !== next) {
      console.error(`${path.relative(process.cwd(), SDK_TYPES_FILE)} is stale: run scripts/gen-sdk-types.ts`);
      process.exit(1);
    }
  } else if (current !== next) {
    fs.writeFileSync(SDK_TYPES_FILE, next);
    console.log(`wrote ${path.relative(process.cwd(), SDK_TYPES_FILE)}`);
  }
}
