export const componentTypes = [
  'orchestrator',
  'artifact_store',
  'container_registry',
  'image_builder',
] as const;
export type ComponentType = (typeof componentTypes)[number];

export const componentFlavors: Record<ComponentType, readonly string[]> = {
  orchestrator: ['local', 'docker', 'swarm'],
  artifact_store: ['local'],
  container_registry: ['oci', 'local'],
  image_builder: ['docker'],
};

export type ComponentOptionRules = {allowed: readonly string[]; required: readonly string[]};

/** Options each type accepts; anything else is refused at registration. */
export const componentOptions: Record<ComponentType, ComponentOptionRules> = {
  orchestrator: {allowed: [], required: []},
  artifact_store: {allowed: ['path'], required: []},
  container_registry: {allowed: ['uri', 'credentials', 'snapshot_max_size'], required: ['uri']},
  image_builder: {allowed: ['host'], required: []},
};

/** Flavors whose options differ from their type's, keyed `type/flavor`. */
export const flavorOptions: Readonly<Record<string, ComponentOptionRules>> = {
  // The swarm manager's Docker endpoint; default: the image builder's.
  'orchestrator/swarm': {allowed: ['host'], required: []},
  // The image builder's own image store: nothing is pushed, the image ID is the digest.
  'container_registry/local': {allowed: ['snapshot_max_size'], required: []},
};

/** The options a component of `type` and `flavor` accepts and needs. */
export function optionRulesOf(type: ComponentType, flavor: string): ComponentOptionRules {
  return flavorOptions[`${type}/${flavor}`] ?? componentOptions[type];
}

export type Component = {
  type: ComponentType;
  name: string;
  flavor: string;
  options: Record<string, string>;
  createdAt: string;
};

export type Stack = {
  name: string;
  components: {
    orchestrator: string;
    artifact_store: string;
    container_registry?: string;
    image_builder?: string;
  };
  /** Publishing or running on it needs the stack's name confirmed. */
  protected?: boolean;
  createdAt: string;
};

export function componentKey(type: ComponentType, name: string): string {
  return `${type}/${name}`;
}

export function isComponentType(value: string): value is ComponentType {
  return (componentTypes as readonly string[]).includes(value);
}
