// The Python parser (@lezer/python) ships its tables as text in lezer's own number encoding, which
// @lezer/lr decodes into typed arrays when the module loads: 18,000 numbers through a loop of
// JavaScript that has not been compiled yet, 2.5-4 ms on every publish. This esbuild plugin
// decodes them at build time; the bundle carries their bytes as base64, which Node's Buffer turns
// back into the same arrays in a tenth of a millisecond (lezer takes an array as it is).
// test/lezer-tables.test.ts compares the parser built from these tables with the original.
import {readFile} from 'node:fs/promises';

/** The tables `LRParser.deserialize` decodes, and the array type it decodes each into. */
const tables = {
  states: Uint32Array,
  stateData: Uint16Array,
  goto: Uint16Array,
  tokenData: Uint16Array,
};

/** @lezer/lr's decodeArray (src/decode.ts), as published. */
function decodeArray(input, Type) {
  let array = null;
  for (let pos = 0, out = 0; pos < input.length; ) {
    let value = 0;
    for (;;) {
      let next = input.charCodeAt(pos++);
      let stop = false;
      if (next === 126) {
        value = 65535;
        break;
      }
      if (next >= 92) next--;
      if (next >= 34) next--;
      let digit = next - 32;
      if (digit >= 46) {
        digit -= 46;
        stop = true;
      }
      value += digit;
      if (stop) break;
      value *= 46;
    }
    if (array) array[out++] = value;
    else array = new Type(value);
  }
  return array;
}

/** Little-endian bytes whatever the machine (an s390x builds the same bundle). */
function littleEndianBase64(array) {
  const bytes = Buffer.alloc(array.length * array.BYTES_PER_ELEMENT);
  array.forEach((value, index) =>
    array.BYTES_PER_ELEMENT === 4
      ? bytes.writeUInt32LE(value, index * 4)
      : bytes.writeUInt16LE(value, index * 2),
  );
  return bytes.toString('base64');
}

const helper = `
const __lezerTable = (text, Type) => {
  const bytes = Buffer.from(text, 'base64');
  const array = new Type(bytes.length / Type.BYTES_PER_ELEMENT);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) new Uint8Array(array.buffer).set(bytes);
  else for (let i = 0; i < array.length; i++) array[i] = Type === Uint32Array ? bytes.readUInt32LE(i * 4) : bytes.readUInt16LE(i * 2);
  return array;
};
`;

/** The module's source with each table as base64 bytes; throws when one is not found. */
export function predecodeLezerTables(source) {
  let edited = source;
  for (const [name, Type] of Object.entries(tables)) {
    const pattern = new RegExp(`\\n  ${name}: ("(?:[^"\\\\]|\\\\.)*")`);
    const match = pattern.exec(edited);
    if (!match)
      throw new Error(`@lezer/python: no ${name} table to decode (has the package changed?)`);
    const array = decodeArray(JSON.parse(match[1]), Type);
    edited = edited.replace(
      pattern,
      `\n  ${name}: __lezerTable(${JSON.stringify(littleEndianBase64(array))}, ${Type.name})`,
    );
  }
  return `${helper}${edited}`;
}

export const lezerTables = {
  name: 'lezer-tables',
  setup(builder) {
    builder.onLoad({filter: /[\\/]@lezer[\\/]python[\\/]dist[\\/]index\.js$/}, async (args) => ({
      contents: predecodeLezerTables(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};
