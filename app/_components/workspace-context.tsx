"use client";

import { createContext, useContext } from "react";

export type Role = "owner" | "admin" | "viewer";

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

/** The current workspace and what the member may do in it. The server enforces the same. */
export function useWorkspace() {
  const ws = useContext(WorkspaceContext);
  if (!ws) throw new Error("useWorkspace outside a workspace");
  return { ...ws, canWrite: ws.role === "owner" || ws.role === "admin", base: `/w/${ws.id}` };
}
