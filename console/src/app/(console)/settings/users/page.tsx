import type { Metadata } from "next";
import { UsersPanel } from "@/components/settings/UsersPanel";

export const metadata: Metadata = { title: "Users" };

export default function UsersPage() {
  return (
    <>
      <h2 className="section-title">Users</h2>
      <p className="section-description">Who can sign in to this Slipway, and what each may do.</p>
      <UsersPanel />
    </>
  );
}
