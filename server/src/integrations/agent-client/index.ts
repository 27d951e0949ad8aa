export { AgentClient, AgentRequestError, streamResult, type AgentClientOptions } from "./agent-client.js";
