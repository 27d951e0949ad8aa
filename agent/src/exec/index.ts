export type { Command, Executor, FileWrite, RunResult } from "./types.js";
export { createSystemExecutor } from "./system.js";
export { RecordingExecutor, type RecordedCall, type RecordingOptions } from "./recording.js";
