"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { DeployDocument, ServersDocument, ServiceDocument, type ServerFieldsFragment } from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { operationPath } from "@/lib/paths";
import { Loaded } from "../Loaded";
import { ServicePicker } from "../ServicePicker";
import { FormFooter } from "../FormFooter";
import { useFormProblem } from "../useFormProblem";
import { checkChoices, EMPTY_CHOICES, type DeployChoices } from "./deploy-settings";
import { DeployConfigs } from "./DeployConfigs";
import { ServerPicker } from "./ServerPicker";
import { SourcePicker } from "./SourcePicker";

// Not "serverIds": for the servers the API's own sentence ("Choose at least one server...") says
// more than "Fix the highlighted field", so it is kept, and the picker is highlighted as well.
const FIELDS = ["serviceId", "archive", "repository", "ref", "image"];

export function DeployForm() {
  const servers = useQuery({ query: ServersDocument, variables: { first: 100 } });
  return (
    <Loaded query={servers} what="servers">
      {(data) => <DeployFormFields servers={data.servers.edges.map((edge) => edge.node)} />}
    </Loaded>
  );
}

function DeployFormFields({ servers }: { servers: ServerFieldsFragment[] }) {
  const router = useRouter();
  const params = useSearchParams();
  const [serviceId, setServiceId] = useState(params.get("service") ?? "");
  const [choices, setChoices] = useState<DeployChoices>(EMPTY_CHOICES);
  const [file, setFile] = useState<File | null>(null);
  const [{ fetching }, deploy] = useMutation(DeployDocument);
  const { problem, setProblem, formRef, check, settle, errors } = useFormProblem(FIELDS);
  // Which servers run the chosen service now: none picked deploys there.
  const [service] = useQuery({ query: ServiceDocument, variables: { id: serviceId }, pause: !serviceId });
  const node = service.data?.node;
  const runsOn = node && "servers" in node ? node.servers.length : null;
  const noServers = servers.length === 0;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (noServers) return;
    const fieldErrors = checkChoices(choices, file);
    if (!serviceId) fieldErrors.serviceId = "Pick a service. Create one in a project first if there is none.";
    // Checked before anything is uploaded: the API would refuse it after the upload.
    if (serviceId && choices.serverIds.length === 0 && runsOn === 0) {
      fieldErrors.serverIds = "Tick at least one server: this service does not run anywhere yet.";
    }
    if (!check(fieldErrors)) return;
    const source =
      choices.sourceType === "GIT"
        ? { type: choices.sourceType, repository: choices.repository.trim(), ref: choices.ref.trim() }
        : choices.sourceType === "IMAGE"
          ? { type: choices.sourceType, image: choices.image.trim() }
          : { type: choices.sourceType };
    const result = await deploy({
      input: { serviceId, source, serverIds: choices.serverIds.length > 0 ? choices.serverIds : null },
      archive: choices.sourceType === "ARCHIVE" ? file : null,
    });
    const started = settle(toOutcome(result.error, result.data?.deploy));
    if (started) router.push(operationPath(started.operation.id));
  }

  return (
    <form ref={formRef} className="form form--panel form--wide" onSubmit={onSubmit}>
      <div className="form__grid form__grid--halves">
        <ServicePicker
          projectId={params.get("project") ?? ""}
          serviceId={serviceId}
          onChange={setServiceId}
          error={errors.serviceId}
        />
      </div>
      {serviceId ? <DeployConfigs serviceId={serviceId} choices={choices} onLoad={setChoices} /> : null}
      <SourcePicker
        choices={choices}
        onChange={(patch) => {
          // Errors about the other source no longer apply.
          if (patch.sourceType && patch.sourceType !== choices.sourceType) setProblem(null);
          setChoices((current) => ({ ...current, ...patch }));
        }}
        file={file}
        onFile={(picked) => {
          setFile(picked);
          setProblem(null);
        }}
        errors={errors}
      />
      <ServerPicker
        servers={servers}
        picked={choices.serverIds}
        onChange={(serverIds) => setChoices((current) => ({ ...current, serverIds }))}
        error={errors.serverIds}
      />
      {noServers ? (
        <div className="notice" role="note">
          <p>
            Deploying needs a server to run on, and there is none yet. <Link href="/infrastructure">Add one under Infrastructure</Link>: provision a
            droplet or adopt an SSH host.
          </p>
        </div>
      ) : (
        <FormFooter problem={problem} busy={fetching} submit="Deploy" busyLabel="Starting deploy…" />
      )}
    </form>
  );
}
