// HPACK (RFC 7541), the header compression of HTTP/2, as far as the BuildKit session needs it
// (h2-server.ts): every header block the engine's Go client can send is decoded (the static and
// dynamic tables, Huffman-coded strings), and berth's own few headers are encoded as literals
// that index nothing, which every decoder accepts.

/** RFC 7541 Appendix A: the static table (index 1 first). */
const staticTable: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ...[
    'accept-charset',
    'accept-encoding',
    'accept-language',
    'accept-ranges',
    'accept',
    'access-control-allow-origin',
    'age',
    'allow',
    'authorization',
    'cache-control',
    'content-disposition',
    'content-encoding',
    'content-language',
    'content-length',
    'content-location',
    'content-range',
    'content-type',
    'cookie',
    'date',
    'etag',
    'expect',
    'expires',
    'from',
    'host',
    'if-match',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'last-modified',
    'link',
    'location',
    'max-forwards',
    'proxy-authenticate',
    'proxy-authorization',
    'range',
    'referer',
    'refresh',
    'retry-after',
    'server',
    'set-cookie',
    'strict-transport-security',
    'transfer-encoding',
    'user-agent',
    'vary',
    'via',
    'www-authenticate',
  ].map((name): [string, string] => [name, name === 'accept-encoding' ? 'gzip, deflate' : '']),
];

/**
 * RFC 7541 Appendix B's code lengths, symbol 0 to 255 and EOS, one letter each ('A' = 5 bits).
 * The code is canonical: the codes themselves follow from the lengths (huffmanDecoder below).
 */
const huffmanLengths =
  'ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHFIBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKABABABBBACCBBBABCBAABCCCCCKGJIXPRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRSVVPORSRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWVZ';

const eos = 256;

/** Canonical decoding tables: for each length, its first code, how many, and where they start. */
const huffmanDecoder = (() => {
  const lengths = [...huffmanLengths].map((letter) => letter.charCodeAt(0) - 60);
  const symbols = lengths
    .map((_, symbol) => symbol)
    .sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const first: number[] = [];
  const count: number[] = [];
  const offset: number[] = [];
  let code = 0;
  let previous = 0;
  symbols.forEach((symbol, index) => {
    const length = lengths[symbol]!;
    if (index > 0) code = (code + 1) * 2 ** (length - previous);
    if (count[length] === undefined) {
      first[length] = code;
      count[length] = 0;
      offset[length] = index;
    }
    count[length]! += 1;
    previous = length;
  });
  return {symbols, first, count, offset};
})();

export class HpackError extends Error {}

function huffmanDecode(bytes: Uint8Array): string {
  const {symbols, first, count, offset} = huffmanDecoder;
  const out: number[] = [];
  let code = 0;
  let length = 0;
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      length++;
      const index = code - (first[length] ?? Infinity);
      if (index >= 0 && index < (count[length] ?? 0)) {
        const symbol = symbols[offset[length]! + index]!;
        if (symbol === eos) throw new HpackError('a Huffman string holds EOS');
        out.push(symbol);
        code = 0;
        length = 0;
      } else if (length > 30) throw new HpackError('a Huffman code is too long');
    }
  }
  // What is left must be the start of EOS (all ones), shorter than a byte.
  if (length > 7 || code !== 2 ** length - 1) throw new HpackError('bad Huffman padding');
  return Buffer.from(out).toString('latin1');
}

/** One header block's decoder state: the dynamic table lives as long as the connection. */
export class HpackDecoder {
  private table: Array<[string, string]> = [];
  private size = 0;
  private maxSize = 4096;

  decode(block: Uint8Array): Array<[string, string]> {
    const headers: Array<[string, string]> = [];
    let at = 0;
    const integer = (prefixBits: number): number => {
      const mask = 2 ** prefixBits - 1;
      let value = block[at++]! & mask;
      if (value < mask) return value;
      for (let shift = 0; ; shift += 7) {
        if (at >= block.length || shift > 28) throw new HpackError('a bad integer');
        const byte = block[at++]!;
        value += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) return value;
      }
    };
    const string = (): string => {
      if (at >= block.length) throw new HpackError('a string past the block');
      const huffman = (block[at]! & 0x80) !== 0;
      const length = integer(7);
      if (at + length > block.length) throw new HpackError('a string past the block');
      const bytes = block.subarray(at, (at += length));
      return huffman ? huffmanDecode(bytes) : Buffer.from(bytes).toString('latin1');
    };
    while (at < block.length) {
      const byte = block[at]!;
      if (byte & 0x80) {
        headers.push(this.entry(integer(7)));
      } else if (byte & 0x40) {
        const index = integer(6);
        const name = index === 0 ? string() : this.entry(index)[0];
        const field: [string, string] = [name, string()];
        headers.push(field);
        this.add(field);
      } else if (byte & 0x20) {
        const size = integer(5);
        if (size > 4096) throw new HpackError('a table larger than allowed');
        this.maxSize = size;
        this.evict(0);
      } else {
        // Without indexing (0000) or never indexed (0001): the same to a decoder.
        const index = integer(4);
        const name = index === 0 ? string() : this.entry(index)[0];
        headers.push([name, string()]);
      }
    }
    return headers;
  }

  private entry(index: number): [string, string] {
    if (index >= 1 && index <= staticTable.length) return [...staticTable[index - 1]!];
    const field = this.table[index - staticTable.length - 1];
    if (index === 0 || !field) throw new HpackError(`no header at index ${index}`);
    return [...field];
  }

  private add(field: [string, string]): void {
    const size = field[0].length + field[1].length + 32;
    this.evict(size);
    if (size > this.maxSize) return;
    this.table.unshift(field);
    this.size += size;
  }

  private evict(room: number): void {
    while (this.table.length > 0 && this.size + room > this.maxSize) {
      const [name, value] = this.table.pop()!;
      this.size -= name.length + value.length + 32;
    }
  }
}

/** A header block of literals that index nothing (names lower case, as HTTP/2 requires). */
export function encodeHeaders(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  const integer = (value: number, prefixBits: number, firstByte: number) => {
    const mask = 2 ** prefixBits - 1;
    if (value < mask) return parts.push(Buffer.from([firstByte | value]));
    const bytes = [firstByte | mask];
    for (value -= mask; value >= 0x80; value = Math.floor(value / 0x80))
      bytes.push(value % 0x80 | 0x80);
    bytes.push(value);
    return parts.push(Buffer.from(bytes));
  };
  const string = (text: string) => {
    const bytes = Buffer.from(text, 'latin1');
    integer(bytes.length, 7, 0);
    parts.push(bytes);
  };
  for (const [name, value] of headers) {
    parts.push(Buffer.from([0]));
    string(name);
    string(value);
  }
  return Buffer.concat(parts);
}
