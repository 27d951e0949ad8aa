"use client";

import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { CreateDeployConfigDocument, DeployConfigsDocument, UpdateDeployConfigDocument } from "@slipway/sdk";
import { describeRequestError } from "@/lib/errors";
import { toOutcome } from "@/lib/mutation-result";
import { SelectField } from "../SelectField";
import { TextField } from "../TextField";
import { fromSettings, toSettings, type DeployChoices } from "./deploy-settings";

/** Load a saved config into the form, or save the form under a name (same name: replaced). */
export function DeployConfigs({
  serviceId,
  choices,
  onLoad,
}: {
  serviceId: string;
  choices: DeployChoices;
  onLoad: (choices: DeployChoices) => void;
}) {
  const context = useMemo(() => ({ additionalTypenames: ["DeployConfig"] }), []);
  const [{ data, error }] = useQuery({ query: DeployConfigsDocument, variables: { serviceId }, context });
  const [saving, create] = useMutation(CreateDeployConfigDocument);
  const [updating, update] = useMutation(UpdateDeployConfigDocument);
  const [name, setName] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const configs = data?.deployConfigs ?? [];

  async function save() {
    const trimmed = name.trim();
    if (!trimmed) {
      setMessage({ ok: false, text: "Enter a name to save these settings under." });
      return;
    }
    const settings = toSettings(choices);
    const existing = configs.find((config) => config.name === trimmed);
    const outcome = existing
      ? await update({ id: existing.id, input: { settings } }).then((r) => toOutcome(r.error, r.data?.updateDeployConfig))
      : await create({ input: { serviceId, name: trimmed, settings } }).then((r) => toOutcome(r.error, r.data?.createDeployConfig));
    setMessage(
      outcome.ok
        ? { ok: true, text: `Saved “${trimmed}”.` }
        : { ok: false, text: Object.values(outcome.problem.fieldErrors)[0] ?? outcome.problem.message },
    );
  }

  return (
    <div className="form--inline-panel configs">
      <p className="form__legend">Saved configs</p>
      {error && !data ? <p className="form-error">{describeRequestError(error)}</p> : null}
      <div className="configs__row">
        <SelectField
          label="Load a config"
          value=""
          disabled={configs.length === 0}
          onChange={(event) => {
            const picked = configs.find((config) => config.id === event.currentTarget.value);
            if (!picked) return;
            onLoad(fromSettings(picked.settings));
            setName(picked.name);
            setMessage({ ok: true, text: `Loaded “${picked.name}”.` });
          }}
          options={[
            { value: "", label: configs.length === 0 ? "None saved yet" : "Choose…" },
            ...configs.map((config) => ({ value: config.id, label: config.name })),
          ]}
        />
        <TextField
          label="Save as"
          name="configName"
          value={name}
          maxLength={64}
          autoComplete="off"
          onChange={(event) => setName(event.currentTarget.value)}
        />
        <button
          type="button"
          className="button button--secondary configs__save"
          disabled={saving.fetching || updating.fetching}
          onClick={save}
        >
          {saving.fetching || updating.fetching ? "Saving…" : "Save config"}
        </button>
      </div>
      <div role="status">
        {message ? <p className={message.ok ? "form-success" : "form-error"}>{message.text}</p> : null}
      </div>
    </div>
  );
}
