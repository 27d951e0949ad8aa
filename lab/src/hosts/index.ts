// The lab's real hosts (network namespace + private mount namespace + dockerd, nginx, sshd).
export { Lab, setupLab, teardownLab } from './lab.js';
export type { HostInfo, HostState, LabOptions, TeardownReport } from './lab.js';
export { AGENT_SERVICE, builtinServices, serviceTable } from './services.js';
export type { BuiltinServiceName, Readiness, ServiceDefinition, ServiceName } from './services.js';
export { BASE_IMAGES } from './images.js';
export { DEFAULT_LAB_CONFIG, TEST_LAB_CONFIG, LAB_INSTANCES, HOST_BIND_PATHS, CAPTURED_PATHS, labConfigFor, labMatchers } from './layout.js';
export type { LabConfig, LabMatchers } from './layout.js';
