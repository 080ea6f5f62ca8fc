// Protocol Buffers' wire format by hand, for the few BuildKit messages berth reads and writes
// (progress, file sync): five rules, where a protobuf library costs more to load than a
// code-change build takes. Fields are read by number; unknown ones are skipped as protobuf
// decoders skip them.

/** Thrown for bytes that are not a well-formed message (truncated, or another format). */
export function malformed(why: string): Error {
  return new RangeError(`not a protobuf message: ${why}`);
}

/** A protobuf message's fields in order: number, wire type and the value's bytes or varint. */
class Fields {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** The next field, or undefined at the end. */
  next(): {field: number; varint?: number; bytes?: Uint8Array} | undefined {
    if (this.offset >= this.bytes.length) return undefined;
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) throw malformed('field number 0');
    switch (key % 8) {
      case 0:
        return {field, varint: this.varint()};
      case 1:
        this.skip(8);
        return {field};
      case 2: {
        const length = this.varint();
        const start = this.offset;
        this.skip(length);
        return {field, bytes: this.bytes.subarray(start, start + length)};
      }
      case 5:
        this.skip(4);
        return {field};
      default:
        throw malformed(`wire type ${key % 8}`);
    }
  }

  private skip(length: number): void {
    if (length > this.bytes.length - this.offset) throw malformed('truncated');
    this.offset += length;
  }

  /** A varint as a number; 64-bit values past 2^53 lose precision, negative ones keep their sign. */
  private varint(): number {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.bytes.length) throw malformed('truncated');
      const byte = this.bytes[this.offset++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return Number(BigInt.asIntN(64, value));
    }
    throw malformed('a varint longer than ten bytes');
  }
}

/** Each field of `bytes` in order. */
export function fieldsOf(
  bytes: Uint8Array,
  read: (field: number, value: {varint?: number; bytes?: Uint8Array}) => void,
): void {
  const fields = new Fields(bytes);
  for (let next = fields.next(); next; next = fields.next()) read(next.field, next);
}

/** A message being written: fields appended in order (proto3: zero values are left out). */
export class MessageWriter {
  private readonly parts: Buffer[] = [];

  /** A varint field (uint32, int64 >= 0, an enum); 0 is the default and is not written. */
  varint(field: number, value: number | bigint): this {
    if (value === 0 || value === 0n) return this;
    this.parts.push(varintBytes(field * 8), varintBytes(value));
    return this;
  }

  /** A length-delimited field: bytes, a string, or a nested message. An empty one is not written. */
  bytes(field: number, value: Uint8Array | string | MessageWriter | undefined): this {
    if (value === undefined) return this;
    const bytes =
      value instanceof MessageWriter
        ? value.toBuffer()
        : typeof value === 'string'
          ? Buffer.from(value)
          : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (bytes.length === 0 && !(value instanceof MessageWriter)) return this;
    this.parts.push(varintBytes(field * 8 + 2), varintBytes(bytes.length), bytes);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function varintBytes(value: number | bigint): Buffer {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (rest > 0x7fn) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Buffer.from(out);
}
