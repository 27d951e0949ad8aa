import Link from "next/link";
import type { ProjectWithServicesFragment } from "@slipway/sdk";
import { servicePath } from "@/lib/paths";
import { EmptyState } from "../EmptyState";
import { RelativeTime } from "../RelativeTime";

type Service = ProjectWithServicesFragment["services"]["edges"][number]["node"];

export function ServiceList({ project, services, addHref }: { project: { name: string }; services: Service[]; addHref: string }) {
  if (services.length === 0) {
    return (
      <EmptyState title="No services yet">
        <p>A service is one deployable app: its source, port and health check.</p>
        <Link className="button button--primary" href={addHref}>
          Add the first service
        </Link>
      </EmptyState>
    );
  }
  return (
    <ul className="card-list" aria-label="Services">
      {services.map((service) => (
        <li key={service.id} className="card">
          <h3 className="card__title">
            <Link href={servicePath({ name: service.name, project })}>{service.name}</Link>
          </h3>
          <dl className="facts">
            <div>
              <dt>Port</dt>
              <dd>{service.port}</dd>
            </div>
            <div>
              <dt>Health check</dt>
              <dd>
                <code>{service.healthCheckPath}</code>
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <RelativeTime iso={service.createdAt} />
              </dd>
            </div>
          </dl>
        </li>
      ))}
    </ul>
  );
}
