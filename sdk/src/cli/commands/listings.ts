import type { Command } from "commander";
import { ProjectsDocument } from "../../generated/graphql.js";
import { findProject, listServices } from "../lookup.js";
import { formatProjects, formatServices } from "../output/listings.js";
import { printListing } from "../print.js";
import { connect } from "../session.js";

export function registerListings(program: Command): void {
  program
    .command("projects")
    .description("List projects")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const client = await connect();
      const projects = [];
      let after: string | null | undefined;
      do {
        const page = (await client.request(ProjectsDocument, { first: 100, after })).projects;
        projects.push(...page.edges.map((e) => e.node));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
      } while (after);
      printListing(options.json, projects, formatProjects(projects));
    });

  program
    .command("services")
    .description("List a project's services")
    .argument("<project>", "the project's name or id")
    .option("--json", "print JSON")
    .action(async (name: string, options: { json?: boolean }) => {
      const client = await connect();
      const project = await findProject(client, name);
      const services = await listServices(client, project.id);
      printListing(options.json, services, formatServices(project.name, services));
    });
}
