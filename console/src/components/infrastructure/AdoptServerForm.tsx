"use client";

import { useRouter } from "next/navigation";
import { type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { AdoptServerDocument, SshPublicKeyDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { checkName } from "@/lib/names";
import { operationPath } from "@/lib/paths";
import { CopyableValue } from "../CopyableValue";
import { Loaded } from "../Loaded";
import { FormFooter } from "../FormFooter";
import { ResourceNameField } from "../ResourceNameField";
import { TextField } from "../TextField";
import { useFormProblem } from "../useFormProblem";

const FIELDS = ["name", "host", "sshPort", "sshUser"];

/** Shows the key to install on the host, then registers it; the agent install opens live. */
export function AdoptServerForm() {
  const router = useRouter();
  const key = useQuery({ query: SshPublicKeyDocument });
  const [{ fetching }, adopt] = useMutation(AdoptServerDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name")).trim();
    const host = String(form.get("host")).trim();
    const sshPort = Number(form.get("sshPort") || 22);
    const sshUser = String(form.get("sshUser")).trim() || "root";
    const fieldErrors: Record<string, string> = {};
    const nameError = checkName(name);
    if (nameError) fieldErrors.name = nameError;
    if (!host) fieldErrors.host = "Enter the host's IPv4 address or host name.";
    if (!Number.isInteger(sshPort) || sshPort < 1 || sshPort > 65535) fieldErrors.sshPort = "Enter a whole number from 1 to 65535.";
    if (!check(fieldErrors)) return;
    const result = await adopt({ input: { name, host, sshPort, sshUser } });
    const operation = settle(toOutcome(result.error, result.data?.adoptServer));
    if (operation) router.push(operationPath(operation.id));
  }

  return (
    <div className="stack">
      <div>
        <p className="form__legend">1. Allow Slipway in</p>
        <p className="panel__description">
          Add this public key to <code>~/.ssh/authorized_keys</code> of the SSH user on the host.
        </p>
        <Loaded query={key} what="the SSH public key">
          {(data) => (
            <CopyableValue label="Control plane SSH public key" value={data.sshPublicKey} copyLabel="Copy key" />
          )}
        </Loaded>
      </div>
      <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Adopt an SSH host">
        <p className="form__legend">2. Register the host</p>
        <div className="form__grid">
          <ResourceNameField error={errors.name} />
          <TextField label="Host" name="host" required autoComplete="off" spellCheck={false} hint="IPv4 address or host name." error={errors.host} />
          <TextField label="SSH port" name="sshPort" type="number" inputMode="numeric" min={1} max={65535} defaultValue={22} error={errors.sshPort} />
          <TextField label="SSH user" name="sshUser" defaultValue="root" autoComplete="off" spellCheck={false} error={errors.sshUser} />
        </div>
        <FormFooter problem={problem} busy={fetching} submit="Adopt server" busyLabel="Adopting…" />
      </form>
    </div>
  );
}
