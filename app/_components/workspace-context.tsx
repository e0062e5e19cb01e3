"use client";

import { createContext, useContext } from "react";
import type { Role } from "@/db/schema";
import { can, type Permission } from "@/server/services/core/permissions";

export type { Role };

export interface WorkspaceInfo {
  id: string;
  name: string;
  plan: string;
  role: Role;
}

const WorkspaceContext = createContext<WorkspaceInfo | null>(null);

export function WorkspaceProvider({ value, children }: { value: WorkspaceInfo; children: React.ReactNode }) {
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

/**
 * The current workspace and what the member may do in it: `can("rules.manage")` reads the same
 * catalogue every procedure declares its permission from (server/services/core/permissions.ts),
 * so the dashboard hides exactly what the server would refuse.
 */
export function useWorkspace() {
  const ws = useContext(WorkspaceContext);
  if (!ws) throw new Error("useWorkspace outside a workspace");
  return { ...ws, can: (permission: Permission) => can(ws.role, permission), base: `/w/${ws.id}` };
}
