// The TUI entry, imported lazily by cli.tsx so that plain commands never load React or Ink.
export async function runTui(_options: {screen?: string}): Promise<number> {
  const {runCli} = await import('./commands/program.js');
  return runCli({argv: ['status']});
}
