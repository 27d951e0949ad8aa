import type { ConsoleOverviewQuery } from "@slipway/sdk";
import { deployPath, newServicePath, projectPath, servicePath } from "./paths";

export interface ChecklistStep {
  id: string;
  title: string;
  /** What the step is for, in one sentence. */
  why: string;
  done: boolean;
  href: string;
  action: string;
}

type Overview = ConsoleOverviewQuery["overview"];

/**
 * The getting-started steps, each ticked off from what exists (never from what was clicked).
 * Pure: tested directly.
 */
export function checklistSteps(o: Overview): ChecklistStep[] {
  return [
    {
      id: "credential",
      title: "Add a DigitalOcean token, or adopt a server you have",
      why: "Slipway creates droplets with a DigitalOcean token; any Linux host reachable over SSH works too.",
      done: o.verifiedDigitalOcean || o.servers > 0,
      href: "/settings/credentials",
      action: "Add a token",
    },
    {
      id: "servers",
      title: "Get a server",
      why: "Provision a droplet from a snapshot, or adopt an SSH host: the agent goes onto it.",
      done: o.servers > 0,
      href: "/infrastructure",
      action: "Open Infrastructure",
    },
    {
      id: "project",
      title: "Create a project",
      why: "A project groups the services you deploy together.",
      done: o.projects > 0,
      href: "/projects/new",
      action: "Create a project",
    },
    {
      id: "service",
      title: "Add a service",
      why: "A service is one app: its port, health check, env vars and domains.",
      done: o.services > 0,
      href: o.firstProject ? newServicePath(o.firstProject) : "/projects/new",
      action: "Add a service",
    },
    {
      id: "deploy",
      title: "Deploy it",
      why: "Upload a folder, build from git, or run an image; the live view follows every step.",
      done: o.succeededDeployments > 0,
      href: o.firstService ? deployPath({ id: o.firstService.id, projectId: o.firstService.project.id }) : "/deploy",
      action: "Deploy",
    },
    {
      id: "domain",
      title: "Give it a domain",
      why: o.verifiedCloudflare
        ? "Your Cloudflare token makes its DNS records and HTTPS certificate at the next deploy."
        : "With a Cloudflare token, Slipway also makes its DNS records and HTTPS certificate.",
      done: o.domains > 0,
      href: o.firstService ? servicePath(o.firstService) : o.firstProject ? projectPath(o.firstProject) : "/projects/new",
      action: "Add a domain",
    },
  ];
}
