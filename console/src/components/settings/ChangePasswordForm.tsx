"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { ChangePasswordDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { TextField } from "../TextField";
import { useFormProblem } from "../useFormProblem";

const FIELDS = ["currentPassword", "newPassword"];

export function ChangePasswordForm({ email }: { email: string }) {
  const [{ fetching }, changePassword] = useMutation(ChangePasswordDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const input = { currentPassword: String(form.get("currentPassword")), newPassword: String(form.get("newPassword")) };
    const repeated = String(form.get("repeatPassword"));
    setDone(null);
    const fieldErrors: Record<string, string> = {};
    if (!input.currentPassword) fieldErrors.currentPassword = "Enter your current password.";
    if (input.newPassword.length < 12) fieldErrors.newPassword = "Use at least 12 characters.";
    else if (repeated !== input.newPassword) fieldErrors.repeatPassword = "Type the same new password twice.";
    if (!check(fieldErrors)) return;
    const result = await changePassword({ input });
    if (settle(toOutcome(result.error, result.data?.changePassword))) {
      setDone("Password changed; your other sessions have ended.");
      formElement.reset();
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit}>
      {/* Lets password managers file the new password under the right account. */}
      <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
      <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={errors.currentPassword} />
      <TextField label="New password" name="newPassword" type="password" autoComplete="new-password" required hint="At least 12 characters." error={errors.newPassword} />
      <TextField label="New password again" name="repeatPassword" type="password" autoComplete="new-password" required error={errors.repeatPassword} />
      <FormFooter problem={problem} busy={fetching} submit="Change password" busyLabel="Changing…" status={<div role="status">{done ? <p className="form-success">{done}</p> : null}</div>} />
    </form>
  );
}
