"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { LoginDocument } from "@slipway/sdk";
import { pointAtFields, type Problem } from "@/lib/errors";
import { toOutcome } from "@/lib/mutation-result";
import { FormError } from "../FormError";
import { SubmitButton } from "../SubmitButton";
import { TextField } from "../TextField";
import { useSignIn } from "./useSession";

const FIELDS = ["email", "password"];

export function LoginForm() {
  const [{ fetching }, login] = useMutation(LoginDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const signIn = useSignIn();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = { email: String(form.get("email")).trim(), password: String(form.get("password")) };
    setProblem(null);
    const result = await login({ input });
    const outcome = toOutcome(result.error, result.data?.login);
    if (outcome.ok) signIn(outcome.data.token);
    else setProblem(pointAtFields(outcome.problem, FIELDS));
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate={false}>
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        autoFocus
        error={problem?.fieldErrors.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={problem?.fieldErrors.password}
      />
      <FormError message={problem?.message} />
      <SubmitButton busy={fetching} busyLabel="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}
