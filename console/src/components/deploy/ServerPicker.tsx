"use client";

import Link from "next/link";
import type { ServerFieldsFragment } from "@slipway/sdk";
import { ChoiceList } from "../ChoiceList";
import { Fieldset } from "../Fieldset";
import { StatusBadge } from "../StatusBadge";

/** Target servers as checkboxes; none picked means "the servers already running the service". */
export function ServerPicker({
  servers,
  picked,
  onChange,
  error,
}: {
  servers: ServerFieldsFragment[];
  picked: string[];
  onChange: (ids: string[]) => void;
  error?: string | null;
}) {
  if (servers.length === 0) {
    return (
      <p className="muted">
        There are no servers yet. Add one under <Link href="/infrastructure">Infrastructure</Link> first.
      </p>
    );
  }
  return (
    <Fieldset legend="Target servers" error={error} hint="Leave all unticked to deploy to the servers already running the service.">
      <ChoiceList
        type="checkbox"
        name="serverIds"
        choices={servers.map((server) => ({
          value: server.id,
          label: (
            <span>
              {server.name} <StatusBadge status={server.status} />
            </span>
          ),
          description: server.publicIpv4 ?? "no address yet",
        }))}
        isChecked={(id) => picked.includes(id)}
        onToggle={(id, checked) => onChange(checked ? [...picked, id] : picked.filter((p) => p !== id))}
      />
    </Fieldset>
  );
}
