"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { CreateApiTokenDocument, type ApiTokensQuery } from "@slipway/sdk";
import { pointAtFields, type Problem } from "@/lib/errors";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { TextField } from "../TextField";
import { useFocusFirstInvalid } from "../useFocusFirstInvalid";
import type { NewToken } from "./NewTokenNotice";
import { ExpirySelect } from "./ExpirySelect";
import { ScopePicker } from "./ScopePicker";

const FIELDS = ["name", "scopes"];

export function CreateApiTokenForm({
  availableScopes,
  onCreated,
}: {
  availableScopes: ApiTokensQuery["availableScopes"];
  onCreated: (token: NewToken) => void;
}) {
  const [{ fetching }, createApiToken] = useMutation(CreateApiTokenDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const formRef = useFocusFirstInvalid(problem);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name")).trim();
    const scopes = form.getAll("scopes").map(String);
    const days = Number(form.get("expiresInDays"));
    const fieldErrors: Record<string, string> = {};
    if (!name) fieldErrors.name = "Enter a name, such as where the token will be used.";
    if (scopes.length === 0) fieldErrors.scopes = "Pick at least one scope.";
    if (Object.keys(fieldErrors).length > 0) {
      setProblem({ message: "Fix the highlighted fields.", fieldErrors });
      return;
    }
    setProblem(null);
    const result = await createApiToken({
      input: { name, scopes, expiresInDays: days > 0 ? days : null },
    });
    const outcome = toOutcome(result.error, result.data?.createApiToken);
    if (outcome.ok) onCreated({ name: outcome.data.apiToken.name, secret: outcome.data.token });
    else setProblem(pointAtFields(outcome.problem, FIELDS));
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit}>
      <TextField
        label="Name"
        name="name"
        required
        autoComplete="off"
        maxLength={80}
        hint="Where it will be used, e.g. “github-actions”."
        error={problem?.fieldErrors.name}
      />
      <ScopePicker scopes={availableScopes} error={problem?.fieldErrors.scopes} />
      <ExpirySelect />
      <FormFooter problem={problem} busy={fetching} submit="Create token" busyLabel="Creating token…" />
    </form>
  );
}
