import type { Metadata } from "next";
import { AuditPanel } from "@/components/settings/AuditPanel";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  return (
    <>
      <h2 className="section-title">Audit log</h2>
      <p className="section-description">Every change anyone asked for, allowed or refused, with secrets left out. Admins only; entries cannot be changed.</p>
      <AuditPanel />
    </>
  );
}
