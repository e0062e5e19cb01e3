// Types for chromium.mjs (a plain script run by node; tests import it).
export declare const DEFAULT_CHROMIUM: string;
export declare const INSTALL_COMMANDS: string[];
export type ChromiumPlan = { action: "ok" } | { action: "install"; commands: string[] } | { action: "stop"; message: string };
export declare function chromiumPlan(input: {
  path?: string;
  custom?: boolean;
  exists: boolean;
  isRoot: boolean;
  hasApt: boolean;
}): ChromiumPlan;
export declare function ensureChromium(options?: {
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  error?: (line: string) => void;
}): boolean;
