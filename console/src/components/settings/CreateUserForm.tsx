"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { CreateUserDocument, type UserRole } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { SelectField } from "../SelectField";
import { TextField } from "../TextField";
import { useFormProblem } from "../useFormProblem";
import { ROLES } from "./roles";

const FIELDS = ["email", "name", "password", "role"];

export function CreateUserForm() {
  const [{ fetching }, createUser] = useMutation(CreateUserDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);
  const [created, setCreated] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const input = {
      email: String(form.get("email")).trim(),
      name: String(form.get("name")).trim(),
      password: String(form.get("password")),
      role: String(form.get("role")) as UserRole,
    };
    setCreated(null);
    const fieldErrors: Record<string, string> = {};
    if (!input.email) fieldErrors.email = "Enter their email address.";
    if (!input.name) fieldErrors.name = "Enter their name.";
    if (input.password.length < 12) fieldErrors.password = "Use at least 12 characters.";
    if (!check(fieldErrors)) return;
    const result = await createUser({ input });
    const user = settle(toOutcome(result.error, result.data?.createUser));
    if (user) {
      setCreated(`${user.email} can sign in now, as ${ROLES.find((r) => r.value === user.role)?.label.toLowerCase()}.`);
      formElement.reset();
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit}>
      <TextField label="Email" name="email" type="email" autoComplete="off" required error={errors.email} />
      <TextField label="Name" name="name" autoComplete="off" required maxLength={100} error={errors.name} />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters."
        error={errors.password}
      />
      <SelectField
        label="Role"
        name="role"
        defaultValue="MEMBER"
        error={errors.role}
        options={ROLES.map((role) => ({ value: role.value, label: `${role.label}: ${role.description}` }))}
      />
      <FormFooter problem={problem} busy={fetching} submit="Add user" busyLabel="Adding…" status={<div role="status">{created ? <p className="form-success">{created}</p> : null}</div>} />
    </form>
  );
}
