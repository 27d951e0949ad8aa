"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { SetServiceEnvDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { TextField } from "../TextField";
import { useFormProblem } from "../useFormProblem";

interface EnvVar {
  key: string;
  secret: boolean;
  value: string | null;
}

interface Row {
  id: number;
  key: string;
  value: string;
  secret: boolean;
  /** A secret already stored: its value never comes back from the API. */
  storedSecret: boolean;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_FIELDS: string[] = [];
let nextRowId = 1;

function toRows(vars: EnvVar[]): Row[] {
  return vars.map((v) => ({ id: nextRowId++, key: v.key, value: v.value ?? "", secret: v.secret, storedSecret: v.secret }));
}

function checkRows(rows: Row[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    if (!KEY.test(row.key)) errors[`key-${row.id}`] = "Use letters, digits and underscores; don't start with a digit.";
    else if (seen.has(row.key)) errors[`key-${row.id}`] = "This key appears twice.";
    seen.add(row.key);
  }
  return errors;
}

export function EnvVarList({ vars }: { vars: EnvVar[] }) {
  if (vars.length === 0) return <p className="muted">No environment variables.</p>;
  return (
    <dl className="kv" aria-label="Environment variables">
      {vars.map((v) => (
        <div key={v.key} className="kv__row">
          <dt>
            <code>{v.key}</code>
          </dt>
          <dd>
            {v.secret ? (
              <span className="secret-mask">
                <span aria-hidden="true">••••••••</span>
                <span className="visually-hidden">hidden</span> <span className="badge badge--quiet">secret</span>
              </span>
            ) : (
              <code>{v.value}</code>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * Edits every variable at once. Stored secrets never come back from the API; left empty, they
 * are sent without a value, which keeps what is stored.
 */
export function EnvEditor({ serviceId, vars, onDone }: { serviceId: string; vars: EnvVar[]; onDone: () => void }) {
  const [rows, setRows] = useState<Row[]>(() => toRows(vars));
  const [{ fetching }, setEnv] = useMutation(SetServiceEnvDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(NO_FIELDS);

  const patch = (id: number, change: Partial<Row>) =>
    setRows((list) => list.map((row) => (row.id === id ? { ...row, ...change } : row)));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = rows.map((row) => ({ ...row, key: row.key.trim() }));
    if (!check(checkRows(trimmed))) return;
    const result = await setEnv({
      serviceId,
      vars: trimmed.map(({ key, value, secret, storedSecret }) => (storedSecret && value === "" ? { key, secret } : { key, value, secret })),
    });
    if (settle(toOutcome(result.error, result.data?.setServiceEnv))) onDone();
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Edit environment variables">
      {rows.length === 0 ? <p className="muted">No variables. Add one below.</p> : null}
      <ul className="env-rows">
        {rows.map((row, index) => (
          <li key={row.id} className="env-row">
            <EnvInput
              label={`Key ${index + 1}`}
              value={row.key}
              error={errors[`key-${row.id}`]}
              onChange={(key) => patch(row.id, { key })}
              placeholder="DATABASE_URL"
            />
            <EnvInput
              label={`Value ${index + 1}`}
              value={row.value}
              type={row.secret ? "password" : "text"}
              error={errors[`value-${row.id}`]}
              onChange={(value) => patch(row.id, { value })}
              placeholder={row.storedSecret ? "Stored secret: leave empty to keep it" : ""}
            />
            <label className="check env-row__secret">
              <input
                type="checkbox"
                checked={row.secret}
                onChange={(event) => patch(row.id, { secret: event.currentTarget.checked })}
              />
              <span>Secret</span>
            </label>
            <button
              type="button"
              className="button button--danger-quiet button--small"
              onClick={() => setRows((list) => list.filter((r) => r.id !== row.id))}
            >
              Remove<span className="visually-hidden"> variable {index + 1}</span>
            </button>
          </li>
        ))}
      </ul>
      <div>
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={() => setRows((list) => [...list, { id: nextRowId++, key: "", value: "", secret: false, storedSecret: false }])}
        >
          Add variable
        </button>
      </div>
      <FormFooter problem={problem} busy={fetching} submit="Save variables" busyLabel="Saving…" onCancel={onDone} />
    </form>
  );
}

function EnvInput({ onChange, ...props }: { label: string; value: string; error?: string; onChange: (value: string) => void; type?: string; placeholder?: string }) {
  return (
    <TextField
      {...props}
      className="field--compact"
      autoComplete="off"
      spellCheck={false}
      onChange={(event) => onChange(event.currentTarget.value)}
    />
  );
}
