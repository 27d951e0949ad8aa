"use client";

import { useRouter } from "next/navigation";
import { useId, useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { DeleteServiceDocument, ServiceRemovalDocument, UpdateServiceDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { checkName } from "@/lib/names";
import { removalLines } from "@/lib/removal";
import { FormError } from "../FormError";
import { FormFooter } from "../FormFooter";
import { Loaded } from "../Loaded";
import { operationPath, projectPath } from "@/lib/paths";
import { ResourceNameField } from "../ResourceNameField";
import { TextField } from "../TextField";
import { useAction } from "../useAction";
import { useFormProblem } from "../useFormProblem";
import { serviceTabPath, ServiceShell, type Service, type ServiceAddress } from "./ServiceShell";

const FIELDS = ["name", "port", "healthCheckPath", "healthCheckTimeoutSeconds", "healthCheckIntervalMs", "drainTimeoutSeconds"];

/** The API's bounds for whole-number settings, checked here first so a mistake is named at once. */
const BOUNDS = {
  port: { min: 1, max: 65535, message: "Enter a whole number from 1 to 65535." },
  healthCheckTimeoutSeconds: { min: 1, max: 600, message: "Enter a whole number of seconds from 1 to 600." },
  healthCheckIntervalMs: { min: 25, max: 60_000, message: "Enter a whole number of milliseconds from 25 to 60000." },
  drainTimeoutSeconds: { min: 0, max: 3600, message: "Enter a whole number of seconds from 0 to 3600." },
} as const;

/** Rename the service, change how it runs, or delete it. */
export function ServiceSettingsTab({ service: address }: { service: ServiceAddress }) {
  return (
    <ServiceShell service={address} tab="settings">
      {(service) => (
        <div className="stack">
          <SettingsForm key={service.id} service={service} />
          <DeleteService service={service} />
        </div>
      )}
    </ServiceShell>
  );
}

function SettingsForm({ service }: { service: Service }) {
  const router = useRouter();
  const [{ fetching }, update] = useMutation(UpdateServiceDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);
  const [saved, setSaved] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name")).trim();
    const healthCheckPath = String(form.get("healthCheckPath")).trim();
    const numbers = Object.fromEntries(Object.keys(BOUNDS).map((field) => [field, Number(form.get(field))])) as Record<keyof typeof BOUNDS, number>;
    const fieldErrors: Record<string, string> = {};
    const nameError = checkName(name);
    if (nameError) fieldErrors.name = nameError;
    if (!healthCheckPath.startsWith("/")) fieldErrors.healthCheckPath = "Start the path with “/”.";
    for (const [field, { min, max, message }] of Object.entries(BOUNDS)) {
      const value = numbers[field as keyof typeof BOUNDS];
      if (!Number.isInteger(value) || value < min || value > max) fieldErrors[field] = message;
    }
    if (!check(fieldErrors)) return;
    const result = await update({ input: { id: service.id, name, healthCheckPath, ...numbers } });
    const updated = settle(toOutcome(result.error, result.data?.updateService));
    if (!updated) return;
    setSaved("Saved. Port, health check and drain period take effect with the next deploy.");
    // A new name is a new address.
    if (updated.name !== service.name) router.replace(serviceTabPath(updated, "settings"));
  }

  return (
    <section className="panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading" className="panel__title">
        Name, health check and drain
      </h2>
      <p className="panel__description">
        A new release receives traffic only once its health check answers 2xx within the timeout; the release it replaces then has the drain
        period to finish its requests.
      </p>
      <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Service settings">
        <ResourceNameField defaultValue={service.name} error={errors.name} hint="Renaming keeps what runs on the servers." />
        <div className="form__grid">
          <TextField label="Port" name="port" type="number" inputMode="numeric" min={1} max={65535} defaultValue={service.port} required error={errors.port} />
          <TextField
            label="Health check path"
            name="healthCheckPath"
            defaultValue={service.healthCheckPath}
            required
            spellCheck={false}
            error={errors.healthCheckPath}
          />
          <TextField
            label="Health check timeout (seconds)"
            name="healthCheckTimeoutSeconds"
            type="number"
            inputMode="numeric"
            min={1}
            max={600}
            defaultValue={service.healthCheckTimeoutSeconds}
            required
            error={errors.healthCheckTimeoutSeconds}
          />
          <TextField
            label="Health check interval (milliseconds)"
            name="healthCheckIntervalMs"
            type="number"
            inputMode="numeric"
            min={25}
            max={60000}
            defaultValue={service.healthCheckIntervalMs}
            required
            error={errors.healthCheckIntervalMs}
          />
          <TextField
            label="Drain period (seconds)"
            name="drainTimeoutSeconds"
            type="number"
            inputMode="numeric"
            min={0}
            max={3600}
            defaultValue={service.drainTimeoutSeconds}
            required
            error={errors.drainTimeoutSeconds}
          />
        </div>
        <FormFooter
          problem={problem}
          busy={fetching}
          submit="Save settings"
          busyLabel="Saving…"
          status={<div role="status">{saved ? <p className="form-success">{saved}</p> : null}</div>}
        />
      </form>
    </section>
  );
}

function DeleteService({ service }: { service: Service }) {
  const router = useRouter();
  const context = useMemo(() => ({ additionalTypenames: ["Deployment", "Service"] }), []);
  const removal = useQuery({ query: ServiceRemovalDocument, variables: { id: service.id }, context, requestPolicy: "cache-and-network" });
  const remove = useAction(DeleteServiceDocument, (data) => data.deleteService);
  const [typed, setTyped] = useState("");
  const inputId = useId();

  async function onDelete() {
    const deleted = await remove.run({ id: service.id });
    if (!deleted) return;
    // One that ran is removed from its servers first: its operation's live view shows how that goes.
    router.push(deleted.operation ? operationPath(deleted.operation.id) : projectPath(service.project));
  }

  return (
    <section className="panel panel--danger" aria-labelledby="delete-heading">
      <h2 id="delete-heading" className="panel__title">
        Delete this service
      </h2>
      <Loaded query={removal} what="what deleting removes">
        {(data) => {
          const plan = data.node && "removal" in data.node ? data.node.removal : null;
          if (!plan) return null;
          return (
            <>
              <p className="panel__description">Deleting it removes, for good:</p>
              <ul className="plain-list" aria-label="What deleting removes">
                {removalLines(plan).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
              {plan.blockedBy ? (
                <p className="notice" role="note">
                  {plan.blockedBy}.
                </p>
              ) : (
                <div className="force-delete">
                  <label htmlFor={inputId} className="field__hint">
                    Type <strong>{service.name}</strong> to delete it.
                  </label>
                  <input
                    id={inputId}
                    className="field__input"
                    autoComplete="off"
                    spellCheck={false}
                    value={typed}
                    onChange={(event) => setTyped(event.currentTarget.value)}
                  />
                  <div className="form__actions">
                    <button type="button" className="button button--danger" disabled={typed !== service.name || remove.fetching} onClick={onDelete}>
                      {remove.fetching ? "Deleting…" : "Delete service"}
                    </button>
                  </div>
                  <FormError message={remove.message} />
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
