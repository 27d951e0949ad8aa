export type { BuildSpec, ContainerDetails, ContainerEngine, ContainerSummary, EngineLine, ImageDetails } from "./types.js";
export { createDockerEngine, EngineError } from "./docker.js";
export { RecordingEngine, type EngineCall, type RecordingEngineOptions } from "./recording.js";
