// The import walls as a lint step (`npm run lint` runs it over source/): the same checker as
// test/import-walls.test.ts (test/support/import-walls.ts, read with Node's type stripping), so
// a crossing fails the lint gate before any test runs. Exit 1 names every crossing.
import path from 'node:path';

const {describeCrossing, findWallCrossings} = await import('../test/support/import-walls.ts');

const root = path.resolve(process.argv[2] ?? 'source');
const crossings = findWallCrossings(root);
for (const crossing of crossings) console.error(`import wall: ${describeCrossing(crossing)}`);
if (crossings.length > 0) {
  console.error(
    `${crossings.length} import${crossings.length === 1 ? '' : 's'} cross${crossings.length === 1 ? 'es' : ''} a wall (readme: Architecture).`,
  );
  process.exitCode = 1;
}
