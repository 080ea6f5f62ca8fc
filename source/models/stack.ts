export const componentTypes = [
  'orchestrator',
  'artifact_store',
  'container_registry',
  'image_builder',
] as const;
export type ComponentType = (typeof componentTypes)[number];

export const componentFlavors: Record<ComponentType, readonly string[]> = {
  orchestrator: ['local', 'docker'],
  artifact_store: ['local'],
  container_registry: ['oci'],
  image_builder: ['docker'],
};

/** Options each flavor accepts; anything else is refused at registration. */
export const componentOptions: Record<
  ComponentType,
  {allowed: readonly string[]; required: readonly string[]}
> = {
  orchestrator: {allowed: [], required: []},
  artifact_store: {allowed: ['path'], required: []},
  container_registry: {allowed: ['uri', 'credentials'], required: ['uri']},
  image_builder: {allowed: ['host'], required: []},
};

/** Required component types of every stack. */
export const requiredComponentTypes: readonly ComponentType[] = ['orchestrator', 'artifact_store'];

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
