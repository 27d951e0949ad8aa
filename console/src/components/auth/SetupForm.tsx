"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { CompleteSetupDocument, SetupStatusDocument } from "@slipway/sdk";
import { describeRequestError, pointAtFields, type Problem } from "@/lib/errors";
import { toOutcome } from "@/lib/mutation-result";
import { ErrorState } from "../ErrorState";
import { FormError } from "../FormError";
import { LoadingState } from "../LoadingState";
import { SubmitButton } from "../SubmitButton";
import { TextField } from "../TextField";
import { useFocusFirstInvalid } from "../useFocusFirstInvalid";
import { useSignIn } from "./useSession";

const FIELDS = ["setupToken", "name", "email", "password"];

export function SetupForm() {
  const [status, refetch] = useQuery({ query: SetupStatusDocument });
  const [{ fetching }, completeSetup] = useMutation(CompleteSetupDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const formRef = useFocusFirstInvalid(problem);
  const signIn = useSignIn();

  if (status.error && !status.data) {
    return (
      <ErrorState
        message={describeRequestError(status.error)}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  if (!status.data) return <LoadingState label="Checking this installation" />;
  if (!status.data.setupStatus.needsSetup) {
    return (
      <div className="notice notice--info">
        <p className="notice__title">Setup is already complete</p>
        <p>
          An administrator exists. <Link href="/login">Sign in</Link>, or ask an administrator for
          an account.
        </p>
      </div>
    );
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password"));
    setProblem(null);
    const result = await completeSetup({
      input: {
        setupToken: String(form.get("setupToken")).trim(),
        name: String(form.get("name")).trim(),
        email: String(form.get("email")).trim(),
        password,
      },
    });
    const outcome = toOutcome(result.error, result.data?.completeSetup);
    if (outcome.ok) signIn(outcome.data.token);
    else setProblem(pointAtFields(outcome.problem, FIELDS));
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit}>
      <TextField
        label="Setup token"
        name="setupToken"
        autoComplete="off"
        spellCheck={false}
        required
        autoFocus
        hint="Printed in the server log the first time Slipway starts."
        error={problem?.fieldErrors.setupToken}
      />
      <TextField label="Your name" name="name" autoComplete="name" required error={problem?.fieldErrors.name} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        error={problem?.fieldErrors.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters."
        error={problem?.fieldErrors.password}
      />
      <FormError message={problem?.message} />
      <SubmitButton busy={fetching} busyLabel="Creating administrator…">
        Create administrator
      </SubmitButton>
    </form>
  );
}
