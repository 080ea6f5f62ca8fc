// The commands that give a config dir a stack publishing with the engine in DOCKER_HOST to a
// registry (`uri` = `host:port[/namespace]`), active. Run them with runBerth in order.
export function publishStackCommands(uri: string, stack = 'publishing'): string[][] {
  return [
    ['component', 'register', 'image_builder', 'engine', '--flavor', 'docker'],
    [
      'component',
      'register',
      'container_registry',
      'reg',
      '--flavor',
      'oci',
      '--option',
      `uri=${uri}`,
    ],
    ['stack', 'register', stack, '-i', 'engine', '-c', 'reg', '--set'],
  ];
}
