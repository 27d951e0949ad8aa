import type { ReactNode } from "react";
import { PageHeader } from "./PageHeader";

/** An honest placeholder for a tab whose feature ships later: no sample data. */
export function ComingSoon({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageHeader title={title} />
      <div className="empty empty--large">
        <p className="badge">Coming in a later release</p>
        <div className="empty__body">{children}</div>
      </div>
    </>
  );
}
