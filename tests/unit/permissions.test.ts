import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ROLES } from "@/db/schema";
import { asksMemberRole } from "@/server/http/api-v1/handler";
import { OPERATIONS } from "@/server/http/api-v1/operations";
import {
  can,
  PERMISSION_NAMES,
  PERMISSIONS,
  permissionsOf,
  refusal,
  ROLE_ORDER,
  type Permission,
} from "@/server/services/core/permissions";
import { allProcedures } from "../helpers/trpc-samples";

const isPermission = (p: unknown): p is Permission => typeof p === "string" && p in PERMISSIONS;

describe("the permission catalogue", () => {
  it("every tRPC procedure declares a permission of the catalogue; only those naming no workspace are public or signed-in", () => {
    const procedures = allProcedures();
    expect(procedures.length).toBeGreaterThan(80);
    const undeclared = procedures.filter((p) =>
      p.workspaceScoped ? !isPermission(p.access) : p.access !== "public" && p.access !== "signedIn",
    );
    expect(undeclared.map((p) => `${p.path}: ${String(p.access)}`)).toEqual([]);
    // No mutation hides behind the read permission.
    expect(procedures.filter((p) => p.type === "mutation" && p.access === "workspace.read").map((p) => p.path)).toEqual([]);
  });

  it("every /api/v1 operation declares a permission; only the SDK's calls rest on the key's scope alone", () => {
    expect(OPERATIONS.length).toBeGreaterThan(70);
    const undeclared = OPERATIONS.filter((op) => (op.scope === "sdk" ? op.permission !== null : !isPermission(op.permission)));
    expect(undeclared.map((op) => `${op.operationId}: ${String(op.permission)}`)).toEqual([]);
    // A change never rests on the read permission; a read-scoped key never needs more than it.
    expect(OPERATIONS.filter((op) => op.method !== "GET" && op.permission === "workspace.read").map((op) => op.operationId)).toEqual(
      ["previewRule"], // a POST that only reads: a replay of a rule not saved
    );
    expect(OPERATIONS.filter((op) => op.scope === "read" && op.permission !== "workspace.read").map((op) => op.operationId)).toEqual([]);
  });

  it("the same action declares the same permission at both doors", () => {
    const trpc = Object.fromEntries(allProcedures().map((p) => [p.path, p.access]));
    const api = Object.fromEntries(OPERATIONS.map((op) => [op.operationId, op.permission]));
    const pairs: Array<[string, string]> = [
      ["rules.create", "createRule"],
      ["rules.delete", "deleteRule"],
      ["blocklist.create", "createBlock"],
      ["endUsers.setTier", "setEndUserTier"],
      ["labels.policies.update", "updateLabelPolicy"],
      ["labels.custom.create", "createCustomLabel"],
      ["alerts.create", "createAlert"],
      ["alerts.createChannel", "createAlertChannel"],
      ["apiKeys.create", "createApiKey"],
      ["apiKeys.revoke", "revokeApiKey"],
      ["segments.update", "updateSegment"],
      ["modelPrices.set", "setModelPrice"],
      ["members.invite", "createInvitation"],
      ["members.changeRole", "changeMemberRole"],
      ["members.remove", "removeMember"],
      ["members.revokeInvitation", "revokeInvitation"],
      ["members.list", "listMembers"],
      ["billing.checkout", "createBillingCheckout"],
      ["billing.portal", "createBillingPortal"],
      ["billing.overview", "getBilling"],
      ["settings.update", "updateWorkspace"],
      ["sso.get", "getSso"],
      ["sso.put", "putSso"],
      ["sso.delete", "deleteSso"],
    ];
    expect(pairs.filter(([p, op]) => trpc[p] === undefined || trpc[p] !== api[op])).toEqual([]);
  });

  it("a key's role is asked exactly where its scope could do more than its member may", () => {
    const asking = OPERATIONS.filter((op) => asksMemberRole(op)).map((op) => op.operationId);
    expect(asking.sort()).toEqual(
      [
        ...OPERATIONS.filter((op) => op.scope === "admin").map((op) => op.operationId),
        "updateWorkspace", // a developer may mint a write key, but not change the settings
      ].sort(),
    );
  });

  it("the roles: owner everything, admin all but billing, owners and SSO, developer the building blocks, viewer reads", () => {
    expect(ROLE_ORDER).toEqual(["owner", "admin", "developer", "viewer"]);
    expect([...ROLE_ORDER].sort()).toEqual([...ROLES].sort());
    expect(permissionsOf("owner")).toEqual(PERMISSION_NAMES);
    expect(permissionsOf("admin").sort()).toEqual(
      PERMISSION_NAMES.filter((p) => !["billing.manage", "members.owner", "sso.manage"].includes(p)).sort(),
    );
    expect(permissionsOf("developer").sort()).toEqual(
      [
        "workspace.read",
        "rules.manage",
        "blocklist.manage",
        "labels.manage",
        "alerts.manage",
        "apiKeys.manage",
        "segments.manage",
        "modelPrices.manage",
      ].sort(),
    );
    expect(permissionsOf("viewer")).toEqual(["workspace.read"]);
    expect(can(null, "workspace.read")).toBe(false);
    expect(refusal("developer", "members.manage")).toBe(
      "Only an owner or an admin can do this (the members.manage permission); you are a developer",
    );
  });

  it("every permission is declared by some door", () => {
    const used = new Set<unknown>([...allProcedures().map((p) => p.access), ...OPERATIONS.map((op) => op.permission)]);
    used.add("members.owner"); // asked inside the member services: granting, taking or removing the owner role
    used.add("apiKeys.admin"); // asked inside key creation: handing out the admin scope
    expect(PERMISSION_NAMES.filter((p) => !used.has(p))).toEqual([]);
  });

  it("the README's roles table says what the catalogue says", () => {
    const readme = fs.readFileSync("README.md", "utf8");
    const rows = readme
      .split("\n")
      .map((line) => /^\| `([\w.]+)`: .*?\|(.*)\|$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && m[1]! in PERMISSIONS)
      .map((m) => [m[1], m[2]!.split("|").map((c) => c.trim() === "✓")]);
    expect(rows).toEqual(PERMISSION_NAMES.map((p) => [p, ROLE_ORDER.map((r) => can(r, p))]));
  });
});
