"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { CreateServiceDocument } from "@slipway/sdk";
import { pointAtFields, type FieldErrors, type Problem } from "@/lib/errors";
import { toOutcome } from "@/lib/mutation-result";
import { checkName } from "@/lib/names";
import { FormFooter } from "../FormFooter";
import { ResourceNameField } from "../ResourceNameField";
import { TextField } from "../TextField";
import { useFocusFirstInvalid } from "../useFocusFirstInvalid";
import { servicePath } from "@/lib/paths";

const FIELDS = ["name", "port", "healthCheckPath"];

interface ServiceInput {
  name: string;
  port: number;
  healthCheckPath: string;
}

function checkService({ name, port, healthCheckPath }: ServiceInput): FieldErrors {
  const errors: FieldErrors = {};
  const nameError = checkName(name);
  if (nameError) errors.name = nameError;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    errors.port = "Enter a whole number from 1 to 65535.";
  }
  if (!healthCheckPath.startsWith("/")) errors.healthCheckPath = "Start the path with “/”.";
  return errors;
}

export function CreateServiceForm({ projectId }: { projectId: string }) {
  const router = useRouter();
  const [{ fetching }, createService] = useMutation(CreateServiceDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const formRef = useFocusFirstInvalid(problem);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input: ServiceInput = {
      name: String(form.get("name")).trim(),
      port: Number(form.get("port")),
      healthCheckPath: String(form.get("healthCheckPath")).trim(),
    };
    const fieldErrors = checkService(input);
    if (Object.keys(fieldErrors).length > 0) {
      setProblem({ message: "Fix the highlighted fields.", fieldErrors });
      return;
    }
    setProblem(null);
    const result = await createService({ input: { projectId, ...input } });
    const outcome = toOutcome(result.error, result.data?.createService);
    // Straight to the new service: deploying it is the next step.
    if (outcome.ok) router.push(servicePath(outcome.data));
    else setProblem(pointAtFields(outcome.problem, FIELDS));
  }

  return (
    <form ref={formRef} className="form form--panel" onSubmit={onSubmit}>
      <ResourceNameField autoFocus error={problem?.fieldErrors.name} />
      <TextField
        label="Port"
        name="port"
        type="number"
        inputMode="numeric"
        min={1}
        max={65535}
        defaultValue={3000}
        required
        hint="The port your app listens on inside its container."
        error={problem?.fieldErrors.port}
      />
      <TextField
        label="Health check path"
        name="healthCheckPath"
        defaultValue="/"
        required
        spellCheck={false}
        hint="Traffic moves to a new release only after this path answers with a 2xx status."
        error={problem?.fieldErrors.healthCheckPath}
      />
      <FormFooter problem={problem} busy={fetching} submit="Add service" busyLabel="Adding service…" />
    </form>
  );
}
