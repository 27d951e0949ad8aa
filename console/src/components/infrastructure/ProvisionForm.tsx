"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { ProvisionServersDocument, RegionsDocument, SizesDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { operationPath } from "@/lib/paths";
import { ProblemText } from "../ProblemText";
import { SelectField } from "../SelectField";
import { FormFooter } from "../FormFooter";
import { TextField } from "../TextField";
import { useFormProblem } from "../useFormProblem";
import { useSnapshots } from "./SnapshotsPanel";

const FIELDS = ["snapshotId", "region", "size", "count", "namePrefix"];

/** Regions and sizes come from DigitalOcean; without them (no token saved) they are typed in. */
export function ProvisionForm() {
  const router = useRouter();
  const [snapshots] = useSnapshots();
  const [regions] = useQuery({ query: RegionsDocument });
  const [sizes] = useQuery({ query: SizesDocument });
  const [{ fetching }, provision] = useMutation(ProvisionServersDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);
  const available = (snapshots.data?.snapshots.edges ?? []).map((e) => e.node).filter((s) => s.status === "AVAILABLE");
  const [snapshotId, setSnapshotId] = useState("");
  const snapshot = available.find((s) => s.id === snapshotId) ?? available[0];

  const regionList = regions.data?.regions.__typename === "QueryRegionsSuccess" ? regions.data.regions.data : null;
  const sizeList = sizes.data?.sizes.__typename === "QuerySizesSuccess" ? sizes.data.sizes.data : null;
  const providerProblem =
    regions.data?.regions && "message" in regions.data.regions ? regions.data.regions.message : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const count = Number(form.get("count") || 1);
    const fieldErrors: Record<string, string> = {};
    if (!snapshot) fieldErrors.snapshotId = "Create a snapshot first; servers start from one.";
    if (!Number.isInteger(count) || count < 1 || count > 50) fieldErrors.count = "Enter a whole number from 1 to 50.";
    if (!check(fieldErrors) || !snapshot) return;
    const optional = (key: string) => String(form.get(key) ?? "").trim() || undefined;
    const result = await provision({
      input: { snapshotId: snapshot.id, region: optional("region"), size: optional("size"), count, namePrefix: optional("namePrefix") },
    });
    const operation = settle(toOutcome(result.error, result.data?.provisionServers));
    if (operation) router.push(operationPath(operation.id));
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Provision servers">
      {providerProblem ? (
        <div className="muted">
          <p>DigitalOcean&apos;s region and size lists aren&apos;t available; type the slugs instead.</p>
          <ProblemText message={providerProblem} />
        </div>
      ) : null}
      <SelectField
        label="Snapshot"
        name="snapshotId"
        value={snapshot?.id ?? ""}
        onChange={(event) => setSnapshotId(event.currentTarget.value)}
        options={
          available.length === 0
            ? [{ value: "", label: "No snapshot available" }]
            : available.map((s) => ({ value: s.id, label: `${s.name} (agent ${s.agentVersion})` }))
        }
        error={errors.snapshotId}
      />
      <div className="form__grid form__grid--thirds">
        {regionList ? (
          <SelectField
            label="Region"
            name="region"
            defaultValue={snapshot?.regions[0] ?? ""}
            options={regionList
              .filter((r) => r.available && (!snapshot || snapshot.regions.includes(r.slug)))
              .map((r) => ({ value: r.slug, label: `${r.name} (${r.slug})` }))}
            error={errors.region}
          />
        ) : (
          <TextField label="Region" name="region" placeholder={snapshot?.regions[0] ?? "nyc3"} autoComplete="off" error={errors.region} />
        )}
        {sizeList ? (
          <SelectField
            label="Size"
            name="size"
            defaultValue="s-1vcpu-1gb"
            options={sizeList
              .filter((s) => s.available)
              .map((s) => ({ value: s.slug, label: `${s.slug}: ${s.vcpus} vCPU, ${s.memoryMegabytes / 1024} GB, $${s.priceMonthly}/mo` }))}
            error={errors.size}
          />
        ) : (
          <TextField label="Size" name="size" placeholder="s-1vcpu-1gb" autoComplete="off" error={errors.size} />
        )}
        <TextField label="Count" name="count" type="number" inputMode="numeric" min={1} max={50} defaultValue={1} error={errors.count} />
      </div>
      <TextField
        label="Name prefix"
        name="namePrefix"
        placeholder="server"
        autoComplete="off"
        spellCheck={false}
        hint="Servers are named <prefix>-<6 hex>."
        error={errors.namePrefix}
      />
      <FormFooter problem={problem} busy={fetching} submit="Provision" busyLabel="Starting…" />
    </form>
  );
}
