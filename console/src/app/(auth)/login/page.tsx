import type { Metadata } from "next";
import { LoginForm } from "@/components/auth/LoginForm";
import { SetupNotice } from "@/components/auth/SetupNotice";

export const metadata: Metadata = { title: "Sign in" };

export default function LoginPage() {
  return (
    <>
      <h1 className="auth__title">Sign in</h1>
      <SetupNotice />
      <LoginForm />
    </>
  );
}
