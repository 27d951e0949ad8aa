import type { Command } from "commander";
import { CreateProjectDocument, DeleteProjectDocument, ProjectsDocument, UpdateProjectDocument } from "../../generated/graphql.js";
import { confirmByName } from "../confirm.js";
import { examples } from "../help.js";
import { findProject } from "../lookup.js";
import { formatProjects } from "../output/listings.js";
import { printListing, printResult } from "../print.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

export function registerProjects(program: Command): void {
  const projects = program
    .command("projects")
    .description("List, create, rename and delete projects")
    .addHelpText("after", examples("slipway projects", "slipway projects create shop --description 'The web shop'", "slipway projects rename shop store", "slipway projects delete store --yes"));

  projects
    .command("list", { isDefault: true })
    .description("List projects (the default)")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway projects", "slipway projects list --json"))
    .action(async (options: { json?: boolean }) => {
      const client = await connect();
      const list = [];
      let after: string | null | undefined;
      do {
        const page = (await client.request(ProjectsDocument, { first: 100, after })).projects;
        list.push(...page.edges.map((e) => e.node));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
      } while (after);
      printListing(options.json, list, formatProjects(list));
    });

  projects
    .command("create")
    .description("Create a project")
    .argument("<name>", "lowercase letters, digits and hyphens")
    .option("--description <text>", "what it is for")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway projects create shop", "slipway projects create shop --description 'The web shop'"))
    .action(async (name: string, options: { description?: string; json?: boolean }) => {
      const client = await connect();
      const project = unwrap((await client.request(CreateProjectDocument, { input: { name, description: options.description } })).createProject);
      printResult(options.json, project, `Created project ${project.name}. Next: slipway services create ${project.name}/web`);
    });

  projects
    .command("rename")
    .description("Rename a project (its services keep running)")
    .argument("<project>", "its name or id")
    .argument("<new-name>", "the new name")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway projects rename shop store"))
    .action(async (current: string, name: string, options: { json?: boolean }) => {
      const client = await connect();
      const project = await findProject(client, current);
      const renamed = unwrap((await client.request(UpdateProjectDocument, { input: { id: project.id, name } })).updateProject);
      printResult(options.json, renamed, `Renamed project ${project.name} to ${renamed.name}`);
    });

  projects
    .command("delete")
    .description("Delete a project that has no services")
    .argument("<project>", "its name or id")
    .option("--yes", "do not ask to type the name")
    .option("--json", "print JSON")
    .addHelpText("after", `${examples("slipway projects delete shop", "slipway projects delete shop --yes")}\nA project with services is refused: delete them first (slipway services delete).`)
    .action(async (name: string, options: { yes?: boolean; json?: boolean }) => {
      const client = await connect();
      const project = await findProject(client, name);
      await confirmByName(`delete project ${project.name}`, project.name, options.yes);
      const deleted = unwrap((await client.request(DeleteProjectDocument, { id: project.id })).deleteProject);
      printResult(options.json, deleted, `Deleted project ${deleted.name}`);
    });
}
