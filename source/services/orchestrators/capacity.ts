// How many runs an orchestrator takes at once, for a sweep's default `--parallel`: the CPUs of
// a swarm's ready, active nodes; the CPUs of the docker orchestrator's engine; one for `local`
// (its runs share this machine with berth).
import type {Deps} from '../../deps.js';
import type {Component} from '../../models/stack.js';
import {getComponent} from '../components.js';
import type {ActiveContext} from '../context.js';
import {swarmCapacity, swarmHostOf} from './swarm.js';

export async function orchestratorCapacity(
  deps: Deps,
  context: ActiveContext,
  orchestrator: Component,
  components: {image_builder?: string},
): Promise<number> {
  switch (orchestrator.flavor) {
    case 'swarm':
      return swarmCapacity(await swarmHostOf(deps, context, orchestrator, components));
    case 'docker': {
      const builder = components.image_builder
        ? await getComponent(deps, context, 'image_builder', components.image_builder)
        : undefined;
      const {engineHostOf} = await import('../publish/publish.js');
      const {createSwarmClient} = await import('../../clients/swarm.js');
      return createSwarmClient(engineHostOf(deps, builder)).cpus();
    }
    default:
      return 1;
  }
}
