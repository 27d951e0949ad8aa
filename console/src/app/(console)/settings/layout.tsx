import type { ReactNode } from "react";
import { PageHeader } from "@/components/PageHeader";
import { SettingsNav } from "@/components/shell/SettingsNav";

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PageHeader title="Settings" />
      <div className="settings">
        <SettingsNav />
        <div className="settings__content">{children}</div>
      </div>
    </>
  );
}
