"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { DeleteProjectDocument, UpdateProjectDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { checkName } from "@/lib/names";
import { projectPath } from "@/lib/paths";
import { FormError } from "../FormError";
import { FormFooter } from "../FormFooter";
import { ResourceNameField } from "../ResourceNameField";
import { TextField } from "../TextField";
import { useAction } from "../useAction";
import { useFormProblem } from "../useFormProblem";

interface Project {
  id: string;
  name: string;
  description: string;
  services: { totalCount: number };
}

/**
 * Rename a project, change its description, or delete it once it has no services; folded away
 * under its summary, as the services are what the page is for.
 */
export function ProjectSettings({ project }: { project: Project }) {
  return (
    <details className="panel disclosure">
      <summary className="panel__title">Project settings</summary>
      <div className="stack">
        <RenameProject key={`${project.name}\n${project.description}`} project={project} />
        <DeleteProject project={project} />
      </div>
    </details>
  );
}

function RenameProject({ project }: { project: Project }) {
  const router = useRouter();
  const [{ fetching }, update] = useMutation(UpdateProjectDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(["name", "description"]);
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name")).trim();
    const description = String(form.get("description")).trim();
    const nameError = checkName(name);
    if (!check(nameError ? { name: nameError } : {})) return;
    const result = await update({ input: { id: project.id, name, description } });
    const updated = settle(toOutcome(result.error, result.data?.updateProject));
    setSaved(updated !== null);
    // A new name is a new address.
    if (updated && updated.name !== project.name) router.replace(projectPath(updated));
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Edit the project">
      <div className="form__grid">
        <ResourceNameField defaultValue={project.name} error={errors.name} hint="Its services keep running as they are." />
        <TextField label="Description" name="description" defaultValue={project.description} maxLength={500} error={errors.description} />
      </div>
      <FormFooter
        problem={problem}
        busy={fetching}
        submit="Save"
        busyLabel="Saving…"
        status={<div role="status">{saved ? <p className="form-success">Saved.</p> : null}</div>}
      />
    </form>
  );
}

function DeleteProject({ project }: { project: Project }) {
  const router = useRouter();
  const remove = useAction(DeleteProjectDocument, (data) => data.deleteProject);
  const [typed, setTyped] = useState("");
  const inputId = useId();
  if (project.services.totalCount > 0) {
    return <p className="muted">To delete this project, delete its services first (each service&apos;s Settings tab says what that removes).</p>;
  }
  return (
    <div className="force-delete">
      <label htmlFor={inputId} className="field__hint">
        Type <strong>{project.name}</strong> to delete this project; it has no services.
      </label>
      <input id={inputId} className="field__input" autoComplete="off" spellCheck={false} value={typed} onChange={(event) => setTyped(event.currentTarget.value)} />
      <div className="form__actions">
        <button
          type="button"
          className="button button--danger"
          disabled={typed !== project.name || remove.fetching}
          onClick={async () => {
            if (await remove.run({ id: project.id })) router.push("/");
          }}
        >
          {remove.fetching ? "Deleting…" : "Delete project"}
        </button>
      </div>
      <FormError message={remove.message} />
    </div>
  );
}
