import type { ReactNode } from "react";
import { RedirectIfSignedIn } from "@/components/auth/RedirectIfSignedIn";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="auth">
      <RedirectIfSignedIn />
      <div className="auth__card">
        <p className="brand brand--large">
          <span className="brand__mark" aria-hidden="true" />
          Slipway
        </p>
        {children}
      </div>
    </main>
  );
}
