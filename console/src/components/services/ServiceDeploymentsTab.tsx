"use client";

import { DeploymentsPage } from "../deployments/DeploymentsPage";
import { ServiceShell, type ServiceAddress } from "./ServiceShell";

/** The service's history, newest first, with "Roll back" on earlier releases. */
export function ServiceDeploymentsTab({ service: address }: { service: ServiceAddress }) {
  return <ServiceShell service={address} tab="deployments">{(service) => <DeploymentsPage fixedServiceId={service.id} />}</ServiceShell>;
}
