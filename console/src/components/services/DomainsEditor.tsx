"use client";

import Link from "next/link";
import { useEffect, useState, type FormEvent } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { DomainsPreviewDocument, SetDomainsDocument } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { FormFooter } from "../FormFooter";
import { TextAreaField } from "../TextAreaField";
import { useFormProblem } from "../useFormProblem";

const FIELDS = ["hostnames"];

/** The editor's lines, as typed (blank ones dropped). */
export function editorLines(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * One host name per line; the whole list replaces the service's domains. While typing, the API
 * reads the lines (https:// and a trailing / are dropped) and says, for each, what DNS the next
 * deploy makes and whether the Cloudflare token covers it; every bad line is named.
 */
export function DomainsEditor({ serviceId, domains, onDone }: { serviceId: string; domains: string[]; onDone: () => void }) {
  const client = useClient();
  const [{ fetching }, setDomains] = useMutation(SetDomainsDocument);
  const { problem, formRef, check, settle, errors } = useFormProblem(FIELDS);
  const [text, setText] = useState(domains.join("\n"));
  const lines = useDebounced(editorLines(text), 300);
  const [preview] = useQuery({ query: DomainsPreviewDocument, variables: { serviceId, lines }, pause: lines.length === 0, requestPolicy: "network-only" });
  const previews = lines.length === 0 ? [] : (preview.data?.domainsPreview ?? []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const current = editorLines(text);
    // Read again, now: the preview on screen may lag the last keystroke.
    const read = current.length === 0 ? [] : ((await client.query(DomainsPreviewDocument, { serviceId, lines: current }, { requestPolicy: "network-only" })).data?.domainsPreview ?? null);
    if (read === null) {
      check({ hostnames: "The lines could not be checked: try again." });
      return;
    }
    const bad = read.filter((p) => p.problem).map((p) => p.problem!);
    if (!check(bad.length > 0 ? { hostnames: `${bad.join(". ")}.` } : {})) return;
    const hostnames = read.map((p) => p.hostname!);
    const saved = await setDomains({ serviceId, hostnames });
    if (settle(toOutcome(saved.error, saved.data?.setDomains))) onDone();
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} aria-label="Edit domains">
      <TextAreaField
        label="Domains"
        name="hostnames"
        rows={4}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        spellCheck={false}
        hint="One host name per line (a pasted https://… address works too). DNS records and HTTPS follow with the next deployment."
        error={errors.hostnames}
      />
      {previews.some((p) => p.coverage === "NO_TOKEN" || p.coverage === "TOKEN_NOT_VERIFIED") ? (
        <p className="muted">
          With a verified Cloudflare token Slipway makes these records and HTTPS certificates itself:{" "}
          <Link href="/settings/credentials">add one in Settings → Credentials</Link>.
        </p>
      ) : null}
      {previews.length > 0 ? (
        <ul className="plain-list domain-preview" aria-label="What saving does" aria-live="polite">
          {previews.map((p) => (
            <li key={p.line} className={p.problem ? "domain-preview__bad" : undefined}>
              <code>{p.hostname ?? p.line}</code>: {p.problem ? `${p.problem}.` : p.dns}
            </li>
          ))}
        </ul>
      ) : null}
      <FormFooter problem={problem} busy={fetching} submit="Save domains" busyLabel="Saving…" onCancel={onDone} />
    </form>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const key = JSON.stringify(value);
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(key) as T), ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return settled;
}
