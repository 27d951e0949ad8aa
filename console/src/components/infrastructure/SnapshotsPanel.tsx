"use client";

import { useRouter } from "next/navigation";
import { useMemo, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { CreateSnapshotDocument, DeleteSnapshotDocument, SnapshotsDocument, type SnapshotFieldsFragment } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { operationPath } from "@/lib/paths";
import { ConfirmAction } from "../ConfirmAction";
import { Loaded } from "../Loaded";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { FormError } from "../FormError";
import { FormFooter } from "../FormFooter";
import { TextField } from "../TextField";
import { useAction } from "../useAction";
import { useFormProblem } from "../useFormProblem";

const FIELDS = ["name", "region", "size"];

export function useSnapshots() {
  const context = useMemo(() => ({ additionalTypenames: ["Snapshot"] }), []);
  return useQuery({ query: SnapshotsDocument, variables: { first: 100 }, context });
}

export function SnapshotsPanel() {
  const snapshots = useSnapshots();
  return (
    <div className="stack">
      <Loaded query={snapshots} what="snapshots">
        {(data) =>
          data.snapshots.edges.length === 0 ? (
            <p className="muted">No snapshots yet. Create one to provision servers from it.</p>
          ) : (
            <ul className="rows" aria-label="Snapshots">
              {data.snapshots.edges.map(({ node }) => (
                <SnapshotRow key={node.id} snapshot={node} />
              ))}
            </ul>
          )
        }
      </Loaded>
      <CreateSnapshotForm />
    </div>
  );
}

function SnapshotRow({ snapshot }: { snapshot: SnapshotFieldsFragment }) {
  const remove = useAction(DeleteSnapshotDocument, (data) => data.deleteSnapshot);

  return (
    <li className="row">
      <div className="row__main">
        <p className="row__title">
          {snapshot.name} <StatusBadge status={snapshot.status} />
        </p>
        <p className="row__meta">
          agent {snapshot.agentVersion} · {snapshot.regions.join(", ") || "no regions"}
          {snapshot.sizeGigabytes !== null ? ` · ${snapshot.sizeGigabytes} GB` : null} · created{" "}
          <RelativeTime iso={snapshot.createdAt} />
        </p>
        <FormError message={remove.message} />
      </div>
      <div className="row__actions">
        <ConfirmAction
          label="Delete"
          confirmLabel="Delete snapshot"
          question={`Delete the snapshot “${snapshot.name}” from DigitalOcean?`}
          busy={remove.fetching}
          onConfirm={() => remove.run({ id: snapshot.id })}
        />
      </div>
    </li>
  );
}

function CreateSnapshotForm() {
  const router = useRouter();
  const [{ fetching }, create] = useMutation(CreateSnapshotDocument);
  const { problem, formRef, settle, errors } = useFormProblem(FIELDS);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const optional = (key: string) => String(form.get(key) ?? "").trim() || undefined;
    const result = await create({ input: { name: optional("name"), region: optional("region"), size: optional("size") } });
    const operation = settle(toOutcome(result.error, result.data?.createSnapshot));
    if (operation) router.push(operationPath(operation.id));
  }

  return (
    <form ref={formRef} className="form form--inline-panel" onSubmit={onSubmit} aria-label="Create a snapshot">
      <p className="form__legend">Create a snapshot</p>
      <p className="panel__description">
        Starts a temporary droplet, installs Docker, nginx and this control plane&apos;s agent, then saves it as an image.
      </p>
      <div className="form__grid form__grid--thirds">
        <TextField label="Name" name="name" autoComplete="off" spellCheck={false} hint="Optional." error={errors.name} />
        <TextField label="Region" name="region" autoComplete="off" spellCheck={false} placeholder="nyc3" error={errors.region} />
        <TextField label="Build size" name="size" autoComplete="off" spellCheck={false} placeholder="s-1vcpu-1gb" error={errors.size} />
      </div>
      <FormFooter problem={problem} busy={fetching} submit="Create snapshot" busyLabel="Starting…" />
    </form>
  );
}
