"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { DeployDocument, ServersDocument, type ServerFieldsFragment } from "@slipway/sdk";
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

const FIELDS = ["serviceId", "archive", "repository", "ref", "image", "serverIds"];

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

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const fieldErrors = checkChoices(choices, file);
    if (!serviceId) fieldErrors.serviceId = "Pick a service. Create one in a project first if there is none.";
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
        onChange={(patch) => setChoices((current) => ({ ...current, ...patch }))}
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
      <FormFooter problem={problem} busy={fetching} submit="Deploy" busyLabel="Starting deploy…" />
    </form>
  );
}
