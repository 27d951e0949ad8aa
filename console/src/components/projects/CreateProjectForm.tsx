"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { CreateProjectDocument } from "@slipway/sdk";
import { pointAtFields, type Problem } from "@/lib/errors";
import { toOutcome } from "@/lib/mutation-result";
import { checkName } from "@/lib/names";
import { FormFooter } from "../FormFooter";
import { TextAreaField } from "../TextAreaField";
import { ResourceNameField } from "../ResourceNameField";
import { useFocusFirstInvalid } from "../useFocusFirstInvalid";
import { projectPath } from "@/lib/paths";

const FIELDS = ["name", "description"];

export function CreateProjectForm() {
  const router = useRouter();
  const [{ fetching }, createProject] = useMutation(CreateProjectDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const formRef = useFocusFirstInvalid(problem);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name")).trim();
    const description = String(form.get("description")).trim();
    const nameError = checkName(name);
    if (nameError) {
      setProblem({ message: "Fix the highlighted field.", fieldErrors: { name: nameError } });
      return;
    }
    setProblem(null);
    const result = await createProject({ input: { name, description } });
    const outcome = toOutcome(result.error, result.data?.createProject);
    if (outcome.ok) router.push(projectPath(outcome.data));
    else setProblem(pointAtFields(outcome.problem, FIELDS));
  }

  return (
    <form ref={formRef} className="form form--panel" onSubmit={onSubmit}>
      <ResourceNameField autoFocus error={problem?.fieldErrors.name} />
      <TextAreaField
        label="Description"
        name="description"
        rows={3}
        hint="Optional. What lives in this project?"
        error={problem?.fieldErrors.description}
      />
      <FormFooter problem={problem} busy={fetching} submit="Create project" busyLabel="Creating project…" />
    </form>
  );
}
