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

/** Runs publishStackCommands in `env`'s config dir, each one checked. */
export async function registerPublishStack(
  uri: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<void> {
  const {runBerth} = await import('./cli.js');
  for (const args of publishStackCommands(uri)) {
    const result = await runBerth(args, {env, cwd});
    if (result.code !== 0) throw new Error(`berth ${args.join(' ')}: ${result.stderr}`);
  }
}
