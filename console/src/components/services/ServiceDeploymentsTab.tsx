"use client";

import { DeploymentsPage } from "../deployments/DeploymentsPage";
import { ServiceShell } from "./ServiceShell";

/** The service's history, newest first, with "Roll back" on earlier releases. */
export function ServiceDeploymentsTab({ id }: { id: string }) {
  return <ServiceShell id={id} tab="deployments">{(service) => <DeploymentsPage fixedServiceId={service.id} />}</ServiceShell>;
}
