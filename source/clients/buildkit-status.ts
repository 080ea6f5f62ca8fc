// BuildKit's progress as the Docker Engine API streams it: `{"id":"moby.buildkit.trace",
// "aux":"<base64>"}`, the base64 being a protobuf `moby.buildkit.v1.StatusResponse` as published
// in moby/buildkit's api/services/control/control.proto. Decoded with protobufjs (light: the
// schema below is that file's StatusResponse part as a JSON descriptor, so nothing parses a
// .proto file at run time). Fields berth does not show (progress groups, source ranges) are left
// out of the schema; protobuf decoders skip fields they do not know.
import protobuf from 'protobufjs/light.js';

export const buildkitTraceId = 'moby.buildkit.trace';

export type BuildkitVertex = {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch on the engine's clock; undefined until it started. */
  started?: number;
  completed?: number;
  /** Non-empty when the vertex failed. */
  error: string;
};

export type BuildkitVertexStatus = {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  started?: number;
  completed?: number;
};

export type BuildkitVertexLog = {
  vertex: string;
  /** 1 stdout, 2 stderr. */
  stream: number;
  data: Buffer;
};

export type BuildkitWarning = {vertex: string; level: number; short: string; url: string};

export type BuildkitStatus = {
  vertexes: BuildkitVertex[];
  statuses: BuildkitVertexStatus[];
  logs: BuildkitVertexLog[];
  warnings: BuildkitWarning[];
};

const timestamp = {fields: {seconds: {type: 'int64', id: 1}, nanos: {type: 'int32', id: 2}}};

/** control.proto (moby.buildkit.v1) and google/protobuf/timestamp.proto, as protobufjs JSON. */
export const statusResponseDescriptor = {
  nested: {
    google: {nested: {protobuf: {nested: {Timestamp: timestamp}}}},
    moby: {
      nested: {
        buildkit: {
          nested: {
            v1: {
              nested: {
                StatusResponse: {
                  fields: {
                    vertexes: {rule: 'repeated', type: 'Vertex', id: 1},
                    statuses: {rule: 'repeated', type: 'VertexStatus', id: 2},
                    logs: {rule: 'repeated', type: 'VertexLog', id: 3},
                    warnings: {rule: 'repeated', type: 'VertexWarning', id: 4},
                  },
                },
                Vertex: {
                  fields: {
                    digest: {type: 'string', id: 1},
                    inputs: {rule: 'repeated', type: 'string', id: 2},
                    name: {type: 'string', id: 3},
                    cached: {type: 'bool', id: 4},
                    started: {type: 'google.protobuf.Timestamp', id: 5},
                    completed: {type: 'google.protobuf.Timestamp', id: 6},
                    error: {type: 'string', id: 7},
                  },
                },
                VertexStatus: {
                  fields: {
                    ID: {type: 'string', id: 1},
                    vertex: {type: 'string', id: 2},
                    name: {type: 'string', id: 3},
                    current: {type: 'int64', id: 4},
                    total: {type: 'int64', id: 5},
                    timestamp: {type: 'google.protobuf.Timestamp', id: 6},
                    started: {type: 'google.protobuf.Timestamp', id: 7},
                    completed: {type: 'google.protobuf.Timestamp', id: 8},
                  },
                },
                VertexLog: {
                  fields: {
                    vertex: {type: 'string', id: 1},
                    timestamp: {type: 'google.protobuf.Timestamp', id: 2},
                    stream: {type: 'int64', id: 3},
                    msg: {type: 'bytes', id: 4},
                  },
                },
                VertexWarning: {
                  fields: {
                    vertex: {type: 'string', id: 1},
                    level: {type: 'int64', id: 2},
                    short: {type: 'bytes', id: 3},
                    detail: {rule: 'repeated', type: 'bytes', id: 4},
                    url: {type: 'string', id: 5},
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

let statusType: protobuf.Type | undefined;

/** The StatusResponse type (built once, on first use). */
export function statusResponseType(): protobuf.Type {
  statusType ??= protobuf.Root.fromJSON(statusResponseDescriptor).lookupType(
    'moby.buildkit.v1.StatusResponse',
  );
  return statusType;
}

type RawTimestamp = {seconds?: number | {toNumber(): number}; nanos?: number} | null | undefined;

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof (value as {toNumber?: unknown}).toNumber === 'function')
    return (value as {toNumber(): number}).toNumber();
  return Number(value ?? 0);
}

function millis(value: RawTimestamp): number | undefined {
  if (!value) return undefined;
  return toNumber(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
}

/** Decodes one trace message's `aux` (base64 or raw bytes). Throws on a malformed message. */
export function decodeBuildkitStatus(aux: string | Uint8Array): BuildkitStatus {
  const bytes = typeof aux === 'string' ? Buffer.from(aux, 'base64') : aux;
  const message = statusResponseType().decode(bytes) as unknown as {
    vertexes?: Array<Record<string, unknown>>;
    statuses?: Array<Record<string, unknown>>;
    logs?: Array<Record<string, unknown>>;
    warnings?: Array<Record<string, unknown>>;
  };
  return {
    vertexes: (message.vertexes ?? []).map((v) => ({
      digest: String(v.digest ?? ''),
      inputs: ((v.inputs as string[] | undefined) ?? []).map(String),
      name: String(v.name ?? ''),
      cached: v.cached === true,
      ...optional('started', millis(v.started as RawTimestamp)),
      ...optional('completed', millis(v.completed as RawTimestamp)),
      error: String(v.error ?? ''),
    })),
    statuses: (message.statuses ?? []).map((s) => ({
      id: String(s.ID ?? ''),
      vertex: String(s.vertex ?? ''),
      name: String(s.name ?? ''),
      current: toNumber(s.current),
      total: toNumber(s.total),
      ...optional('started', millis(s.started as RawTimestamp)),
      ...optional('completed', millis(s.completed as RawTimestamp)),
    })),
    logs: (message.logs ?? []).map((l) => ({
      vertex: String(l.vertex ?? ''),
      stream: toNumber(l.stream),
      data: Buffer.from((l.msg as Uint8Array | undefined) ?? []),
    })),
    warnings: (message.warnings ?? []).map((w) => ({
      vertex: String(w.vertex ?? ''),
      level: toNumber(w.level),
      short: Buffer.from((w.short as Uint8Array | undefined) ?? []).toString('utf8'),
      url: String(w.url ?? ''),
    })),
  };
}

function optional<K extends string>(key: K, value: number | undefined): {[P in K]?: number} {
  return (value === undefined ? {} : {[key]: value}) as {[P in K]?: number};
}
