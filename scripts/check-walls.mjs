// The import walls as a lint step (`npm run lint` runs it over source/): the same checker as
// test/import-walls.test.ts (test/support/import-walls.ts, read with Node's type stripping), so
// a crossing fails the lint gate before any test runs. Exit 1 names every crossing. It also
// names any file that opens a store collection owned by one service (the repositories).
import path from 'node:path';

const {describeCrossing, describeReader, findCollectionReaders, findWallCrossings} = await import(
  '../test/support/import-walls.ts'
);

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
