import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";

export function cx(...classes: Array<string | false | null | undefined>) {
  return classes.filter(Boolean).join(" ");
}

const BUTTON = {
  primary: "bg-indigo-600 text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-indigo-600 disabled:bg-indigo-300",
  secondary: "bg-white text-slate-700 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:text-slate-400",
  danger: "bg-white text-red-600 shadow-sm ring-1 ring-inset ring-red-200 hover:bg-red-50 disabled:text-red-300",
  ghost: "text-slate-600 hover:bg-slate-100 hover:text-slate-900 disabled:text-slate-300",
} as const;

type ButtonProps = ComponentProps<"button"> & { variant?: keyof typeof BUTTON; size?: "sm" | "md" };

export function Button({ variant = "primary", size = "md", className, type = "button", ...props }: ButtonProps) {
  return (
    <button
      type={type}
      className={cx(
        "inline-flex items-center justify-center gap-1.5 rounded-lg font-medium transition focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed",
        size === "sm" ? "px-2.5 py-1.5 text-xs" : "px-3.5 py-2 text-sm",
        BUTTON[variant],
        className,
      )}
      {...props}
    />
  );
}

export function ButtonLink({ variant = "primary", className, ...props }: ComponentProps<typeof Link> & { variant?: keyof typeof BUTTON }) {
  return (
    <Link
      className={cx(
        "inline-flex items-center justify-center gap-1.5 rounded-lg px-3.5 py-2 text-sm font-medium transition",
        BUTTON[variant],
        className,
      )}
      {...props}
    />
  );
}

export function Card({ className, children, ...props }: ComponentProps<"div">) {
  return (
    <div className={cx("rounded-xl border border-slate-200 bg-white shadow-sm", className)} {...props}>
      {children}
    </div>
  );
}

export function CardHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-5 py-4">
      <div>
        <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
        {description && <p className="mt-0.5 text-xs text-slate-500">{description}</p>}
      </div>
      {actions && <div className="flex items-center gap-2">{actions}</div>}
    </div>
  );
}

export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description && <p className="mt-1 text-sm text-slate-500">{description}</p>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
    </div>
  );
}

const BADGE = {
  slate: "bg-slate-100 text-slate-700 ring-slate-500/10",
  green: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/10",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  indigo: "bg-indigo-50 text-indigo-700 ring-indigo-700/10",
  violet: "bg-violet-50 text-violet-700 ring-violet-700/10",
} as const;
export type BadgeColor = keyof typeof BADGE;

export function Badge({ color = "slate", children, title }: { color?: BadgeColor; children: ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className={cx(
        "inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap",
        BADGE[color],
      )}
    >
      {children}
    </span>
  );
}

/** Intent labels in one colour each, everywhere. */
export function labelColor(label: string): BadgeColor {
  if (label === "jailbreak" || label === "tos_breach" || label === "abuse") return "red";
  if (label === "frustration") return "amber";
  if (label === "win") return "green";
  if (label === "safe") return "slate";
  return "violet";
}

export const inputClass =
  "block rounded-lg border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 disabled:bg-slate-50 disabled:text-slate-500";

/** Full width unless the caller gives a width. */
const width = (className?: string) => (/(^|\s)w-/.test(className ?? "") ? null : "w-full");

export function Input({ className, ...props }: ComponentProps<"input">) {
  return <input className={cx(inputClass, width(className), className)} {...props} />;
}

export function Select({ className, ...props }: ComponentProps<"select">) {
  return <select className={cx(inputClass, width(className), "pr-8", className)} {...props} />;
}

/**
 * A Select over a fixed set of choices, `{ value: label }`, typed by its values: the option text
 * is the label, or the value itself with `showValues` (compact table cells).
 */
export function ChoiceSelect<K extends string>({
  choices,
  value,
  onChange,
  showValues = false,
  ...props
}: Omit<ComponentProps<"select">, "value" | "onChange" | "children"> & {
  choices: Record<K, string>;
  value: K;
  onChange: (value: K) => void;
  showValues?: boolean;
}) {
  return (
    <Select value={value} onChange={(e) => onChange(e.target.value as K)} {...props}>
      {(Object.entries(choices) as Array<[K, string]>).map(([k, label]) => (
        <option key={k} value={k}>
          {showValues ? k : label}
        </option>
      ))}
    </Select>
  );
}

export function Field({ label, hint, children, className }: { label: string; hint?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <label className={cx("block", className)}>
      <span className="mb-1.5 block text-xs font-medium text-slate-700">{label}</span>
      {children}
      {hint && <span className="mt-1 block text-xs text-slate-500">{hint}</span>}
    </label>
  );
}

export function Stat({ label, value, sub, title }: { label: string; value: ReactNode; sub?: ReactNode; title?: string }) {
  return (
    <Card className="px-5 py-4" data-testid={`stat-${label.toLowerCase().replace(/[^a-z]+/g, "-")}`}>
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
      <p className="mt-2 text-2xl font-semibold tabular-nums text-slate-900" title={title}>
        {value}
      </p>
      {sub && <div className="mt-1 text-xs text-slate-500">{sub}</div>}
    </Card>
  );
}

export function Toggle({
  checked,
  onChange,
  disabled,
  label,
}: {
  checked: boolean;
  onChange: (v: boolean) => void;
  disabled?: boolean;
  label: string;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={cx(
        "relative inline-flex h-6 w-11 shrink-0 rounded-full border-2 border-transparent transition disabled:cursor-not-allowed disabled:opacity-60",
        checked ? "bg-indigo-600" : "bg-slate-200",
      )}
    >
      <span className={cx("inline-block h-5 w-5 rounded-full bg-white shadow transition", checked ? "translate-x-5" : "translate-x-0")} />
    </button>
  );
}
