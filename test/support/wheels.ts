// Pure-Python wheels written from scratch (no internet, no pip on the host), for pip installs
// with `--no-index --find-links DIR` inside offline image builds.
import {createHash} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {crc32, deflateRawSync} from 'node:zlib';
import {tempDir} from './cli.js';

export type WheelSpec = {
  /** Distribution name, e.g. `berthdemo`. */
  name: string;
  version: string;
  /** Files by path inside the wheel; default: `NAME/__init__.py` with `VALUE = 42`. */
  files?: Record<string, string>;
  /** `Requires-Dist` lines, e.g. `['otherpkg==1.0.0']`. */
  requires?: string[];
};

export const demoWheel: WheelSpec = {name: 'berthdemo', version: '1.0.0'};

/** The `name-version` stem of a wheel file name (PEP 427 escapes `-` as `_`). */
function escape(part: string): string {
  return part.replace(/[^\w\d.]+/g, '_');
}

function recordHash(data: Buffer): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** A zip archive (deflate, fixed 1980 timestamps so equal input gives equal bytes). */
export function zip(entries: Array<{name: string; data: Buffer}>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const {name, data} of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(((0o100644 << 16) >>> 0) as number, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** The wheel's file name and bytes, with METADATA, WHEEL and a RECORD of sha256 hashes. */
export function buildWheel(spec: WheelSpec): {fileName: string; data: Buffer} {
  const stem = `${escape(spec.name)}-${escape(spec.version)}`;
  const distInfo = `${stem}.dist-info`;
  const files = spec.files ?? {[`${escape(spec.name)}/__init__.py`]: 'VALUE = 42\n'};
  const metadata = [
    'Metadata-Version: 2.1',
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    ...(spec.requires ?? []).map((requirement) => `Requires-Dist: ${requirement}`),
    '',
  ].join('\n');
  const wheel = [
    'Wheel-Version: 1.0',
    'Generator: berth-test',
    'Root-Is-Purelib: true',
    'Tag: py3-none-any',
    '',
  ].join('\n');
  const entries = [
    ...Object.entries(files).map(([name, text]) => ({name, data: Buffer.from(text)})),
    {name: `${distInfo}/METADATA`, data: Buffer.from(metadata)},
    {name: `${distInfo}/WHEEL`, data: Buffer.from(wheel)},
  ];
  const record = [
    ...entries.map(({name, data}) => `${name},${recordHash(data)},${data.length}`),
    `${distInfo}/RECORD,,`,
    '',
  ].join('\n');
  entries.push({name: `${distInfo}/RECORD`, data: Buffer.from(record)});
  return {fileName: `${stem}-py3-none-any.whl`, data: zip(entries)};
}

/** Writes the wheel into `dir` and returns its path. */
export async function writeWheel(dir: string, spec: WheelSpec): Promise<string> {
  const {fileName, data} = buildWheel(spec);
  const file = path.join(dir, fileName);
  await writeFile(file, data);
  return file;
}

/**
 * A new temp directory holding wheels (default: `berthdemo-1.0.0`, whose package defines
 * `VALUE = 42`), usable as `pip install --no-index --find-links DIR berthdemo==1.0.0`.
 */
export async function makeWheelDir(specs: WheelSpec[] = [demoWheel]): Promise<string> {
  const dir = tempDir('berth-wheels-');
  for (const spec of specs) await writeWheel(dir, spec);
  return dir;
}
