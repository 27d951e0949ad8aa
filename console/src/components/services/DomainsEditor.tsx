"use client";

import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { SetDomainsDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { TextAreaField } from "../TextAreaField";
import { useFormProblem } from "../useFormProblem";

const FIELDS = ["hostnames"];
const HOST = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

export function parseHostnames(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** One host name per line; the whole list replaces the service's domains. */
export function DomainsEditor({ serviceId, domains, onDone }: { serviceId: string; domains: string[]; onDone: () => void }) {
  const [{ fetching }, setDomains] = useMutation(SetDomainsDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const hostnames = parseHostnames(String(new FormData(event.currentTarget).get("hostnames")));
    const bad = hostnames.find((h) => !HOST.test(h));
    if (!check(bad ? { hostnames: `“${bad}” is not a host name like app.example.com.` } : {})) return;
    const result = await setDomains({ serviceId, hostnames });
    if (settle(toOutcome(result.error, result.data?.setDomains))) onDone();
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Edit domains">
      <TextAreaField
        label="Domains"
        name="hostnames"
        rows={4}
        defaultValue={domains.join("\n")}
        spellCheck={false}
        hint="One host name per line. DNS records and HTTPS follow with the next deployment."
        error={errors.hostnames}
      />
      <FormFooter problem={problem} busy={fetching} submit="Save domains" busyLabel="Saving…" onCancel={onDone} />
    </form>
  );
}
