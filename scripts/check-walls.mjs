// The walls as a lint step (`npm run lint` runs it over source/), so a crossing fails the lint
// gate before any test runs. Exit 1 names every crossing. Checkers are read with Node's type
// stripping:
// - Imports: the same checker as test/import-walls.test.ts (test/support/import-walls.ts).
// - Collections: any file that opens a store collection owned by one service (the repositories).
// - CLI text: services, clients, the store, lib and models name fields and actions, never
//   `berth <command>` or a berth flag (test/support/cli-words.ts, test/cli-words.test.ts).
import path from 'node:path';

const {describeCrossing, describeReader, findCollectionReaders, findWallCrossings} = await import(
  '../test/support/import-walls.ts'
);
const {describeCliText, findCliText} = await import('../test/support/cli-words.ts');

const root = path.resolve(process.argv[2] ?? 'source');
const crossings = findWallCrossings(root);
for (const crossing of crossings) console.error(`import wall: ${describeCrossing(crossing)}`);
if (crossings.length > 0) {
  console.error(
    `${crossings.length} import${crossings.length === 1 ? '' : 's'} cross${crossings.length === 1 ? 'es' : ''} a wall (readme: Architecture).`,
  );
  process.exitCode = 1;
}
const readers = findCollectionReaders(root);
for (const reader of readers) console.error(`collection wall: ${describeReader(reader)}`);
if (readers.length > 0) process.exitCode = 1;
const cliText = findCliText(root);
for (const found of cliText) console.error(`CLI text: ${describeCliText(found)}`);
if (cliText.length > 0) {
  console.error(
    `${cliText.length} string${cliText.length === 1 ? '' : 's'} below the commands spell${cliText.length === 1 ? 's' : ''} berth's command line: name a field (f('name')) or an action (act({kind: ...}), lib/remedies.ts) instead.`,
  );
  process.exitCode = 1;
}
