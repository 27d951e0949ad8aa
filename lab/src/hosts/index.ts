// The lab's real hosts (network namespace + private mount namespace + dockerd, nginx, sshd).
export { Lab, setupLab, teardownLab } from './lab.js';
export type { HostInfo, HostState, LabOptions, TeardownReport } from './lab.js';
export { AGENT_SERVICE, builtinServices, serviceTable } from './services.js';
export type { BuiltinServiceName, Readiness, ServiceDefinition, ServiceName } from './services.js';
export { PRELOADED_IMAGES, SERVED_IMAGES, labBaseImages, type LabBaseImages } from './images.js';
export { DEFAULT_LAB_CONFIG, TEST_LAB_CONFIG, HOST_BIND_PATHS, CAPTURED_PATHS, labMatchers, registryAddress } from './layout.js';
export type { LabConfig, LabMatchers } from './layout.js';
export { FIXED_INSTANCES, labConfigFor, labInstanceName, labRootFor } from './instances.js';
