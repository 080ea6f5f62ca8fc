// The Docker Engine API over node:http: what publishing asks of an engine (ping, inspect, build,
// tag, push, pull, remove) as plain requests on a kept-alive connection. Loading dockerode costs
// more than a code-change build on this machine (its SSH and gRPC dependencies load with it), so
// only container runs load it (clients/docker.ts).
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type https from 'node:https';
import path from 'node:path';
import type {Duplex, Readable} from 'node:stream';
import {text} from 'node:stream/consumers';
import type {UpgradeConnection} from './buildkit-session.js';

/** Where the engine listens: a unix socket, or host and port. */
export type EngineAddress =
  | {socketPath: string}
  | {host: string; port: number; protocol: 'http' | 'https'};

/** A refused request, worded as dockerode words it: `(HTTP code 404) no such image - MESSAGE`. */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    reason: string,
    readonly json: {message?: string} | undefined,
    body: string,
  ) {
    super(`(HTTP code ${statusCode}) ${reason} - ${json?.message ?? body.trim()} `);
  }
}

export type EngineRequest = {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path without the query: `/images/NAME/json`. */
  path: string;
  query?: Record<string, string | number | boolean | object | undefined>;
  headers?: Record<string, string>;
  /** Streamed as the request body (a build context). */
  body?: Readable;
  signal?: AbortSignal;
  /** Why each refusal code happens, for the message; anything 2xx is success. */
  reasons?: Record<number, string>;
};

export type EngineTransport = {
  /** The response of a successful request, its body unread. */
  request(request: EngineRequest): Promise<http.IncomingMessage>;
  /** A successful request's body as JSON (undefined when empty). */
  json<T>(request: EngineRequest): Promise<T | undefined>;
  /** `POST path` switched to HTTP/2 (`Upgrade: h2c`): the connection, for a BuildKit session. */
  upgrade: UpgradeConnection;
};

/** Docker's own TLS files (`DOCKER_CERT_PATH`), as the docker CLI and dockerode read them. */
function tlsFiles(env: NodeJS.ProcessEnv): {ca?: Buffer; cert?: Buffer; key?: Buffer} {
  const dir = env.DOCKER_CERT_PATH;
  if (!dir) return {};
  return {
    ca: readFileSync(path.join(dir, 'ca.pem')),
    cert: readFileSync(path.join(dir, 'cert.pem')),
    key: readFileSync(path.join(dir, 'key.pem')),
  };
}

function queryString(query: EngineRequest['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    params.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : '';
}

export function createEngineTransport(
  address: EngineAddress,
  env: NodeJS.ProcessEnv = process.env,
): EngineTransport {
  const secure = 'protocol' in address && address.protocol === 'https';
  // TLS loads only for an engine that speaks it (a local socket does not).
  let connection: Promise<{transport: typeof http | typeof https; agent: http.Agent}> | undefined;
  const connect = () =>
    (connection ??= secure
      ? import('node:https').then((https) => ({
          transport: https,
          agent: new https.Agent({keepAlive: true, ...tlsFiles(env)}),
        }))
      : Promise.resolve({transport: http, agent: new http.Agent({keepAlive: true})}));
  // No TLS server name for a socket: Node's agent would otherwise work one out from the host
  // ('localhost') on every request, through an IPv6 regular expression that costs 8 ms to
  // compile and 2 ms a call.
  const target =
    'socketPath' in address
      ? {socketPath: address.socketPath, servername: ''}
      : {host: address.host, port: address.port};
  /** A refusal's body, worded; `reasons` say why each code happens. */
  const refusal = (response: http.IncomingMessage, reasons: EngineRequest['reasons']) =>
    text(response).then((body) => {
      const code = response.statusCode ?? 0;
      let json: {message?: string} | undefined;
      try {
        json = JSON.parse(body) as {message?: string};
      } catch {
        json = undefined;
      }
      return new EngineHttpError(code, reasons?.[code] ?? 'unexpected', json, body);
    });
  const request = async (options: EngineRequest) => {
    const {transport, agent} = await connect();
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const headers: Record<string, string> = {...options.headers};
      if (options.body) {
        headers['Content-Type'] ??= 'application/x-tar';
        headers['Transfer-Encoding'] = 'chunked';
      }
      const outgoing = transport.request(
        {
          ...target,
          agent,
          method: options.method,
          path: `${options.path}${queryString(options.query)}`,
          headers,
          ...(options.signal ? {signal: options.signal} : {}),
        },
        (response) => {
          const code = response.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve(response);
          refusal(response, options.reasons).then(reject, reject);
        },
      );
      outgoing.on('error', reject);
      if (options.body) {
        options.body.on('error', (error) => outgoing.destroy(error));
        options.body.pipe(outgoing);
      } else outgoing.end();
    });
  };
  const upgrade: UpgradeConnection = async (options) => {
    const {transport, agent} = await connect();
    return new Promise<Duplex>((resolve, reject) => {
      const outgoing = transport.request({
        ...target,
        agent,
        method: 'POST',
        path: options.path,
        headers: {...options.headers, Connection: 'Upgrade', Upgrade: 'h2c'},
        ...(options.signal ? {signal: options.signal} : {}),
      });
      outgoing.on('upgrade', (_response, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      // Anything but "101 Switching Protocols": an engine (or a proxy) without sessions.
      outgoing.on('response', (response) => {
        refusal(response, {404: 'no such endpoint', 400: 'bad parameter'}).then(reject, reject);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  };
  return {
    request,
    upgrade,
    async json<T>(options: EngineRequest) {
      const body = await text(await request(options));
      return body.trim() ? (JSON.parse(body) as T) : undefined;
    },
  };
}
