// What the modules of a lab instance share: its configuration, the services its hosts run, its
// state on disk and the base image cache. Lab builds one; network.ts, lifecycle.ts, faults.ts and
// teardown.ts take it.

import type { BaseImageCache } from './image-cache.js';
import type { HostStateStore } from './host-state.js';
import type { LabConfig } from './layout.js';
import type { ServiceDefinition } from './services.js';

export interface LabContext {
  config: LabConfig;
  /** Extra or overriding service definitions (matched by name), e.g. the agent. */
  services: ServiceDefinition[];
  log: (message: string) => void;
  /** What boot does with cloud-init user data: keep it ('store') or also run a `#!` script ('run'). */
  userData: 'store' | 'run';
  /** Registries every host's dockerd reaches over plain HTTP, besides the instance's own. */
  insecureRegistries: string[];
  state: HostStateStore;
  images: BaseImageCache;
  /** The registry being made ready by this process (boots at once share one start). */
  registryReady?: Promise<void>;
}
