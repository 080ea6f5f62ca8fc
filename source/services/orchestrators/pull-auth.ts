// The registry credentials an engine needs to pull a module's image: the stack's container
// registry login (from the keychain), only for images that live in that registry.
import type {RegistryAuthConfig} from '../../clients/docker.js';
import type {Deps} from '../../deps.js';
import type {ActiveContext} from '../context.js';

export async function pullAuthFor(
  deps: Deps,
  context: ActiveContext,
  components: {container_registry?: string},
  image: string,
): Promise<RegistryAuthConfig | undefined> {
  if (!components.container_registry) return undefined;
  const {resolvePublishTarget} = await import('../publish/publish.js');
  const target = await resolvePublishTarget(
    deps,
    context,
    await deps.openStore(context.profile),
  ).catch(() => undefined);
  if (target?.credentials && image.startsWith(`${target.registryHost}/`)) {
    return {...target.credentials, serveraddress: target.registryHost};
  }
  return undefined;
}
