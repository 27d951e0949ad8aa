export * from "./reduce-progress.js";
export * from "./next-actions.js";
