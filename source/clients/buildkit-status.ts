// BuildKit's progress as the Docker Engine API streams it: `{"id":"moby.buildkit.trace",
// "aux":"<base64>"}`, the base64 being a protobuf `moby.buildkit.v1.StatusResponse` as published
// in moby/buildkit's api/services/control/control.proto. Decoded here by hand (the wire format is
// five rules; a protobuf library costs a code-change publish more to load than its build takes to
// report): the fields berth shows are read by number, everything else (progress groups, source
// ranges, fields added later) is skipped as protobuf decoders skip fields they do not know.

import {fieldsOf, malformed} from './protobuf.js';

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

const utf8 = new TextDecoder('utf-8');
const text = (value: {bytes?: Uint8Array}) => (value.bytes ? utf8.decode(value.bytes) : '');
const bytesOf = (value: {bytes?: Uint8Array}) => Buffer.from(value.bytes ?? []);
const number = (value: {varint?: number}) => value.varint ?? 0;

/** google.protobuf.Timestamp (seconds 1, nanos 2) in milliseconds since the epoch. */
function millis(value: {bytes?: Uint8Array}): number {
  let seconds = 0;
  let nanos = 0;
  fieldsOf(value.bytes ?? new Uint8Array(), (field, inner) => {
    if (field === 1) seconds = number(inner);
    else if (field === 2) nanos = number(inner);
  });
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function vertexOf(bytes: Uint8Array): BuildkitVertex {
  const vertex: BuildkitVertex = {digest: '', inputs: [], name: '', cached: false, error: ''};
  const times: {started?: number; completed?: number} = {};
  fieldsOf(bytes, (field, value) => {
    if (field === 1) vertex.digest = text(value);
    else if (field === 2) vertex.inputs.push(text(value));
    else if (field === 3) vertex.name = text(value);
    else if (field === 4) vertex.cached = number(value) !== 0;
    else if (field === 5) times.started = millis(value);
    else if (field === 6) times.completed = millis(value);
    else if (field === 7) vertex.error = text(value);
  });
  return {...vertex, ...times};
}

function vertexStatusOf(bytes: Uint8Array): BuildkitVertexStatus {
  const status = {id: '', vertex: '', name: '', current: 0, total: 0};
  const times: {started?: number; completed?: number} = {};
  fieldsOf(bytes, (field, value) => {
    if (field === 1) status.id = text(value);
    else if (field === 2) status.vertex = text(value);
    else if (field === 3) status.name = text(value);
    else if (field === 4) status.current = number(value);
    else if (field === 5) status.total = number(value);
    else if (field === 7) times.started = millis(value);
    else if (field === 8) times.completed = millis(value);
  });
  return {...status, ...times};
}

function vertexLogOf(bytes: Uint8Array): BuildkitVertexLog {
  const log: BuildkitVertexLog = {vertex: '', stream: 0, data: Buffer.alloc(0)};
  fieldsOf(bytes, (field, value) => {
    if (field === 1) log.vertex = text(value);
    else if (field === 3) log.stream = number(value);
    else if (field === 4) log.data = bytesOf(value);
  });
  return log;
}

function warningOf(bytes: Uint8Array): BuildkitWarning {
  const warning: BuildkitWarning = {vertex: '', level: 0, short: '', url: ''};
  fieldsOf(bytes, (field, value) => {
    if (field === 1) warning.vertex = text(value);
    else if (field === 2) warning.level = number(value);
    else if (field === 3) warning.short = text(value);
    else if (field === 5) warning.url = text(value);
  });
  return warning;
}

/** Decodes one trace message's `aux` (base64 or raw bytes). Throws on a malformed message. */
export function decodeBuildkitStatus(aux: string | Uint8Array): BuildkitStatus {
  const bytes = typeof aux === 'string' ? Buffer.from(aux, 'base64') : aux;
  const status: BuildkitStatus = {vertexes: [], statuses: [], logs: [], warnings: []};
  // StatusResponse: vertexes 1, statuses 2, logs 3, warnings 4 (all repeated messages).
  fieldsOf(bytes, (field, value) => {
    const inner = value.bytes;
    if (!inner) {
      if (field >= 1 && field <= 4) throw malformed(`field ${field} is not a message`);
      return;
    }
    if (field === 1) status.vertexes.push(vertexOf(inner));
    else if (field === 2) status.statuses.push(vertexStatusOf(inner));
    else if (field === 3) status.logs.push(vertexLogOf(inner));
    else if (field === 4) status.warnings.push(warningOf(inner));
  });
  return status;
}
