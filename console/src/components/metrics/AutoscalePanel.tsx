"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { ServiceCurrentMetricsDocument, SetAutoscalePolicyDocument, type AutoscalePolicyFieldsFragment } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { useSnapshots } from "../infrastructure/SnapshotsPanel";
import { Loaded } from "../Loaded";
import { RelativeTime } from "../RelativeTime";
import { SelectField } from "../SelectField";
import { TextField } from "../TextField";
import { useFormProblem } from "../useFormProblem";

const FIELDS = [
  "minServers", "maxServers", "targetCpuPercent", "targetRequestsPerSecond", "snapshotId", "region", "size",
  "scaleOutStep", "scaleOutCooldownSeconds", "scaleInWindowSeconds", "warmupSeconds",
];

/** The service's autoscaling policy in words, its latest decision, and a form to change it. */
export function AutoscalePanel({ serviceId }: { serviceId: string }) {
  const query = useQuery({ query: ServiceCurrentMetricsDocument, variables: { id: serviceId }, requestPolicy: "cache-and-network" });
  const [editing, setEditing] = useState(false);
  return (
    <section className="panel" aria-labelledby="autoscaling-heading">
      <div className="panel__head">
        <h2 id="autoscaling-heading" className="panel__title">
          Autoscaling
        </h2>
        {editing ? null : (
          <button type="button" className="button button--secondary button--small" onClick={() => setEditing(true)}>
            Edit policy
          </button>
        )}
      </div>
      <Loaded query={query} what="the autoscaling policy">
        {(data) => {
          if (data.node?.__typename !== "Service") return <p className="muted">No such service.</p>;
          const { autoscalePolicy: policy, autoscaleDecisions } = data.node;
          if (editing) return <PolicyForm serviceId={serviceId} policy={policy} onDone={() => setEditing(false)} />;
          return (
            <>
              <p>{policy ? describePolicy(policy) : "No policy: the service runs on the servers it was deployed to."}</p>
              {policy?.scalingOperation ? <p className="muted">Scaling now: {policy.scalingOperation.title}</p> : null}
              {autoscaleDecisions[0] ? (
                <p className="muted">
                  Last decision <RelativeTime iso={autoscaleDecisions[0].at} />: {autoscaleDecisions[0].reason}
                </p>
              ) : null}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function describePolicy(p: AutoscalePolicyFieldsFragment): string {
  const targets = [p.targetCpuPercent !== null ? `CPU ${p.targetCpuPercent}%` : null, p.targetRequestsPerSecond !== null ? `${p.targetRequestsPerSecond} requests/s` : null]
    .filter(Boolean)
    .join(" and ");
  return `${p.enabled ? "On" : "Off"}: ${p.minServers} to ${p.maxServers} servers, target ${targets} per server; new servers from ${p.snapshot?.name ?? "no snapshot"} (${p.region ?? "?"}, ${p.size ?? "s-1vcpu-1gb"}).`;
}

function PolicyForm({ serviceId, policy, onDone }: { serviceId: string; policy: AutoscalePolicyFieldsFragment | null; onDone: () => void }) {
  const [snapshots] = useSnapshots();
  const [{ fetching }, save] = useMutation(SetAutoscalePolicyDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);
  const available = (snapshots.data?.snapshots.edges ?? []).map((e) => e.node).filter((s) => s.status === "AVAILABLE");
  // Controlled: the list arrives after the first render, and the policy's snapshot must stay chosen.
  const [snapshotId, setSnapshotId] = useState<string | null>(policy?.snapshot?.id ?? null);
  const choices = [...(policy?.snapshot && !available.some((s) => s.id === policy.snapshot!.id) ? [{ id: policy.snapshot.id, label: policy.snapshot.name }] : []), ...available.map((s) => ({ id: s.id, label: `${s.name} (agent ${s.agentVersion})` }))];

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fieldErrors: Record<string, string> = {};
    const number = (key: string, { whole = true, optional = false } = {}): number | null | undefined => {
      const text = String(form.get(key) ?? "").trim();
      if (text === "") return optional ? null : undefined;
      const value = Number(text);
      if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) fieldErrors[key] = whole ? "Enter a whole number." : "Enter a number.";
      return value;
    };
    const input = {
      enabled: form.get("enabled") === "on",
      minServers: number("minServers") ?? 1,
      maxServers: number("maxServers") ?? 1,
      targetCpuPercent: number("targetCpuPercent", { whole: false, optional: true }),
      targetRequestsPerSecond: number("targetRequestsPerSecond", { whole: false, optional: true }),
      snapshotId: String(form.get("snapshotId") ?? "") || null,
      region: String(form.get("region") ?? "").trim() || null,
      size: String(form.get("size") ?? "").trim() || null,
      scaleOutStep: number("scaleOutStep"),
      scaleOutCooldownSeconds: number("scaleOutCooldownSeconds"),
      scaleInWindowSeconds: number("scaleInWindowSeconds"),
      warmupSeconds: number("warmupSeconds"),
    };
    if (!check(fieldErrors)) return;
    const result = await save({ serviceId, input });
    if (settle(toOutcome(result.error, result.data?.setAutoscalePolicy))) onDone();
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Autoscaling policy">
      <label className="check">
        <input type="checkbox" name="enabled" defaultChecked={policy?.enabled ?? true} />
        <span className="check__text">Scale this service automatically</span>
      </label>
      <div className="form__grid form__grid--thirds">
        <TextField label="Minimum servers" name="minServers" type="number" inputMode="numeric" min={1} defaultValue={policy?.minServers ?? 1} error={errors.minServers} />
        <TextField label="Maximum servers" name="maxServers" type="number" inputMode="numeric" min={1} defaultValue={policy?.maxServers ?? 3} error={errors.maxServers} />
        <TextField label="Target CPU per server (%)" name="targetCpuPercent" type="number" inputMode="decimal" step="any" defaultValue={policy?.targetCpuPercent ?? ""} error={errors.targetCpuPercent} hint="Either target, or both: the larger recommendation wins." />
        <TextField label="Target requests per second per server" name="targetRequestsPerSecond" type="number" inputMode="decimal" step="any" defaultValue={policy?.targetRequestsPerSecond ?? ""} error={errors.targetRequestsPerSecond} />
      </div>
      <SelectField
        label="Snapshot new servers are made from"
        name="snapshotId"
        value={snapshotId ?? choices[0]?.id ?? ""}
        onChange={(event) => setSnapshotId(event.currentTarget.value)}
        options={[{ value: "", label: choices.length === 0 ? "No snapshot available" : "None" }, ...choices.map((c) => ({ value: c.id, label: c.label }))]}
        error={errors.snapshotId}
      />
      <div className="form__grid form__grid--thirds">
        <TextField label="Region" name="region" defaultValue={policy?.region ?? ""} placeholder="the snapshot's first" autoComplete="off" error={errors.region} />
        <TextField label="Size" name="size" defaultValue={policy?.size ?? ""} placeholder="s-1vcpu-1gb" autoComplete="off" error={errors.size} />
      </div>
      <details className="form__more">
        <summary>Timing</summary>
        <div className="form__grid form__grid--thirds">
          <TextField label="Scale-out step (servers)" name="scaleOutStep" type="number" inputMode="numeric" defaultValue={policy?.scaleOutStep ?? 4} error={errors.scaleOutStep} hint="At most double, or this many more, at once." />
          <TextField label="Scale-out cooldown (s)" name="scaleOutCooldownSeconds" type="number" inputMode="numeric" defaultValue={policy?.scaleOutCooldownSeconds ?? 180} error={errors.scaleOutCooldownSeconds} />
          <TextField label="Scale-in window (s)" name="scaleInWindowSeconds" type="number" inputMode="numeric" defaultValue={policy?.scaleInWindowSeconds ?? 600} error={errors.scaleInWindowSeconds} hint="Scale in follows the highest need of this window." />
          <TextField label="Warm-up (s)" name="warmupSeconds" type="number" inputMode="numeric" defaultValue={policy?.warmupSeconds ?? 120} error={errors.warmupSeconds} />
        </div>
      </details>
      <FormFooter problem={problem} busy={fetching} submit="Save policy" busyLabel="Saving…" onCancel={onDone} />
    </form>
  );
}
