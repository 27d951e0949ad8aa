"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { SetCredentialDocument, type CredentialVerification } from "@slipway/sdk";
import { pointAtFields, type Problem } from "@/lib/errors";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { TextField } from "../TextField";
import { useFocusFirstInvalid } from "../useFocusFirstInvalid";
import type { ProviderInfo } from "./providers";

/** What the server found when it verified the token on saving. */
const SAVED_WORDS: Record<CredentialVerification, (provider: string) => string> = {
  VERIFIED: (provider) => `${provider} accepts it.`,
  REJECTED: (provider) => `but ${provider} refused it (see below); save a working one.`,
  UNREACHABLE: (provider) => `${provider} could not be reached to verify it; verify it again later.`,
  UNVERIFIED: () => "not verified yet.",
};

/** Saves a token; the field is cleared afterwards and the token is never shown again. */
const FIELDS = ["name", "token"];

export function CredentialForm({ info, existingNames }: { info: ProviderInfo; existingNames: string[] }) {
  const [{ fetching }, setCredential] = useMutation(SetCredentialDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const formRef = useFocusFirstInvalid(problem);
  const [saved, setSaved] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const name = String(form.get("name")).trim() || "default";
    const token = String(form.get("token")).trim();
    if (!token) {
      setProblem({ message: "Fix the highlighted field.", fieldErrors: { token: "Paste the token." } });
      return;
    }
    setProblem(null);
    setSaved(null);
    const result = await setCredential({ input: { provider: info.provider, name, token } });
    const outcome = toOutcome(result.error, result.data?.setCredential);
    if (outcome.ok) {
      formElement.reset();
      setSaved(`Saved “${outcome.data.name}”: ${SAVED_WORDS[outcome.data.verification](info.label)} The token is stored encrypted and won't be shown again.`);
    } else {
      setProblem(pointAtFields(outcome.problem, FIELDS));
    }
  }

  const replacing = existingNames.length > 0;
  return (
    <form ref={formRef} className="form form--inline-panel" onSubmit={onSubmit}>
      <p className="form__legend">{replacing ? "Add or replace a token" : "Add a token"}</p>
      <div className="form__grid">
        <TextField
          label="Name"
          name="name"
          defaultValue="default"
          autoComplete="off"
          spellCheck={false}
          hint={replacing ? "Saving under an existing name replaces that token." : "To tell several tokens apart."}
          error={problem?.fieldErrors.name}
        />
        <TextField
          label={`${info.label} token`}
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          hint={info.tokenHint}
          error={problem?.fieldErrors.token}
        />
      </div>
      <FormFooter
        problem={problem}
        busy={fetching}
        submit="Save token"
        busyLabel="Saving…"
        status={<div role="status">{saved ? <p className="form-success">{saved}</p> : null}</div>}
      />
    </form>
  );
}
