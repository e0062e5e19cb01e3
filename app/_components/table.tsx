import type { ComponentProps, ReactNode } from "react";
import { Button, cx } from "./ui";

export function Table({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <div className={cx("overflow-x-auto", className)}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">{children}</table>
    </div>
  );
}

export function Th({ children, align = "left", className, ...props }: ComponentProps<"th"> & { align?: "left" | "right" }) {
  return (
    <th
      scope="col"
      className={cx(
        "bg-slate-50/80 px-4 py-2.5 text-xs font-medium uppercase tracking-wide whitespace-nowrap text-slate-500",
        align === "right" ? "text-right" : "text-left",
        className,
      )}
      {...props}
    >
      {children}
    </th>
  );
}

export function Td({ children, align = "left", className, ...props }: ComponentProps<"td"> & { align?: "left" | "right" }) {
  return (
    <td className={cx("px-4 py-3 whitespace-nowrap text-slate-700", align === "right" && "text-right tabular-nums", className)} {...props}>
      {children}
    </td>
  );
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100 bg-white">{children}</tbody>;
}

/** Page-numbered pagination: "Showing 26–50 of 412" with previous / next. */
export function Pagination({
  page,
  pageSize,
  total,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (p: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <div className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm text-slate-500">
      <span>
        {total === 0 ? (
          "No results"
        ) : (
          <>
            Showing{" "}
            <b className="font-medium text-slate-700">
              {first}–{last}
            </b>{" "}
            of <b className="font-medium text-slate-700">{total.toLocaleString("en-US")}</b>
          </>
        )}
      </span>
      <div className="flex items-center gap-2">
        <span className="hidden sm:inline">
          Page {Math.min(page, pages)} of {pages}
        </span>
        <Button variant="secondary" size="sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </Button>
        <Button variant="secondary" size="sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          Next
        </Button>
      </div>
    </div>
  );
}
