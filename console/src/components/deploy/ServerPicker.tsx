"use client";

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
  // The form says what to do instead (see DeployForm).
  if (servers.length === 0) return null;
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
