import type { Metadata } from "next";
import Link from "next/link";
import { SetupForm } from "@/components/auth/SetupForm";

export const metadata: Metadata = { title: "Set up Slipway" };

export default function SetupPage() {
  return (
    <>
      <h1 className="auth__title">Create the first administrator</h1>
      <p className="auth__lead">You will sign in with this account to set up the rest of Slipway.</p>
      <SetupForm />
      <p className="auth__footer">
        Already set up? <Link href="/login">Sign in</Link>
      </p>
    </>
  );
}
