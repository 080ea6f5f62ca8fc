// Real services for tests, started lazily by the test files that need them. See each module
// for details; everything listens on 127.0.0.1 or a unix socket.
export {
  baseImage,
  buildImage,
  contextTar,
  demux,
  dockerClient,
  engineWithoutSessions,
  dockerHost,
  dockerSocket,
  ensureBaseImage,
  pingDocker,
  removeRegistryImages,
  runContainer,
  startDocker,
  startPrivateDocker,
  stopDocker,
} from './services/docker.js';
export type {PrivateDocker} from './services/docker.js';
export {registryDigest, registryTags, startRegistry} from './services/registry.js';
export type {Registry, RegistryAuth} from './services/registry.js';
export {missingBusEnv, startBusWithoutSecretService, startKeychain} from './services/keychain.js';
export type {Keychain, SessionBus} from './services/keychain.js';
export {freePort} from './services/common.js';
