import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRandom } from '../../src/demo/random.js';

/**
 * An HTTP proxy on 127.0.0.1 in front of one service (s3rver's shim, dynalite, the fake CBBD API or GitHub) that
 * answers some requests with a fault instead. Requests are forwarded byte for byte with their Host header, so
 * SigV4 signatures still verify. Rules fire by schedule (`nth`) or at random from a seeded PRNG (`chance`).
 */

export type ProxyFault =
  /** The service's own error answer (see `s3Error`, `dynamoError`). */
  | { kind: 'status'; status: number; contentType: string; body: string }
  /** The connection reset before the request reaches the service. */
  | { kind: 'reset' }
  /** The request reaches the service and is carried out, then the connection resets: the answer is lost. */
  | { kind: 'lost-answer' }
  /** No answer; after `ms` the connection is dropped, as an idle timeout in between would. */
  | { kind: 'stall'; ms: number }
  /** The service's status and Content-Length, then half the body, then the connection closes. */
  | { kind: 'truncate' }
  /** Forwarded after `ms`. */
  | { kind: 'delay'; ms: number };

export interface ProxyRule {
  fault: ProxyFault;
  method?: string;
  /** Tested against the request target (path and query). */
  path?: RegExp;
  /** A substring of `x-amz-target`, DynamoDB's operation: `UpdateItem`, `BatchGetItem`. */
  target?: string;
  /**
   * By schedule: the `nth` matching request (1-based) and the `times - 1` after it get the fault (`times` defaults
   * to 1 with `nth`, to every request without).
   */
  nth?: number;
  times?: number;
  /** At random: each matching request with this probability (after `nth`, if given). */
  chance?: number;
}

export interface ProxyLogEntry {
  /** `performance.now()` when the request arrived. */
  at: number;
  method: string;
  path: string;
  target: string | undefined;
  /** The status the client saw; undefined when it saw none. */
  status?: number;
  injected?: ProxyFault['kind'];
  /** The client closed the connection before the proxy answered or dropped it (its own timeout fired). */
  clientGaveUp?: boolean;
}

export interface FaultProxy {
  url: string;
  readonly log: readonly ProxyLogEntry[];
  /** How many requests got a fault. */
  injected(): number;
  /** Replaces the rules (and their counts); `[]` makes the proxy transparent. */
  setRules(rules: readonly ProxyRule[]): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`http://127.0.0.1:PORT`) on a free port. */
export async function startFaultProxy(
  target: string,
  options: { rules?: readonly ProxyRule[]; seed?: number } = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const random = createRandom(options.seed ?? 1);
  let rules: { rule: ProxyRule; seen: number }[] = [];
  const setRules = (next: readonly ProxyRule[]) => void (rules = next.map((rule) => ({ rule, seen: 0 })));
  setRules(options.rules ?? []);
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();

  const pick = (entry: ProxyLogEntry): ProxyFault | undefined => {
    let fault: ProxyFault | undefined;
    for (const r of rules) {
      const { rule } = r;
      if (rule.method !== undefined && rule.method !== entry.method) continue;
      if (rule.path && !rule.path.test(entry.path)) continue;
      if (rule.target !== undefined && !entry.target?.includes(rule.target)) continue;
      r.seen++;
      const first = rule.nth ?? 1;
      const times = rule.times ?? (rule.nth === undefined ? Infinity : 1);
      const scheduled = r.seen >= first && r.seen < first + times;
      const drawn = rule.chance === undefined || random.chance(rule.chance);
      if (!fault && scheduled && drawn) fault = rule.fault;
    }
    return fault;
  };

  const forward = (req: http.IncomingMessage, onAnswer: (up: http.IncomingMessage) => void) =>
    forwardTo(upstream, req, onAnswer);

  const server = http.createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    const entry: ProxyLogEntry = {
      at: performance.now(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      target: typeof target === 'string' ? target : undefined,
    };
    log.push(entry);
    const fault = pick(entry);
    if (fault) entry.injected = fault.kind;
    const relay = (up: http.IncomingMessage) => {
      entry.status = up.statusCode ?? 502;
      res.writeHead(entry.status, up.headers);
      up.pipe(res);
    };
    const afterBody = (then: () => void) => {
      req.resume();
      if (req.readableEnded) then();
      else req.once('end', then);
    };
    switch (fault?.kind) {
      case undefined:
        return forward(req, relay);
      case 'delay':
        return void setTimeout(() => forward(req, relay), fault.ms);
      case 'status':
        return afterBody(() => {
          entry.status = fault.status;
          res.writeHead(fault.status, { 'content-type': fault.contentType, 'x-amzn-requestid': 'FAULT' });
          res.end(req.method === 'HEAD' ? undefined : fault.body);
        });
      case 'reset':
        return void req.socket.resetAndDestroy();
      case 'lost-answer':
        return forward(req, (up) => {
          up.resume();
          up.once('end', () => req.socket.resetAndDestroy());
        });
      case 'stall':
        return afterBody(() => {
          let dropped = false;
          const timer = setTimeout(() => {
            dropped = true;
            req.socket.destroy();
          }, fault.ms);
          req.socket.once('close', () => {
            clearTimeout(timer);
            entry.clientGaveUp = !dropped;
          });
        });
      case 'truncate':
        return forward(req, (up) => {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.once('end', () => {
            const body = Buffer.concat(chunks);
            entry.status = up.statusCode ?? 502;
            res.writeHead(entry.status, { ...up.headers, 'content-length': String(body.length + 1) });
            res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
          });
        });
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    injected: () => log.filter((e) => e.injected).length,
    setRules,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Sends `req` on to `upstream` byte for byte, Host header and all (SigV4 signatures survive), and hands the answer
 * to `onAnswer`; a failed upstream connection drops the client's.
 */
export function forwardTo(
  upstream: URL,
  req: http.IncomingMessage,
  onAnswer: (up: http.IncomingMessage) => void,
): void {
  const out = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    onAnswer,
  );
  out.on('error', () => req.socket.destroy());
  req.pipe(out);
}

const S3_ERRORS = {
  SlowDown: [503, 'Please reduce your request rate.'],
  ServiceUnavailable: [503, 'Service is unable to handle request.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
} as const;

/** S3's XML error answer for `code`, with the status S3 sends it with. */
export function s3Error(code: keyof typeof S3_ERRORS): ProxyFault {
  const [status, message] = S3_ERRORS[code];
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
    '<RequestId>FAULT</RequestId><HostId>fault-proxy</HostId></Error>';
  return { kind: 'status', status, contentType: 'application/xml', body };
}

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810';
const DYNAMODB_ERRORS = {
  ProvisionedThroughputExceededException: [
    400,
    DYNAMODB,
    'The level of configured provisioned throughput for the table was exceeded.',
  ],
  ThrottlingException: [400, DYNAMODB, 'Rate of requests exceeds the allowed throughput.'],
  InternalServerError: [500, DYNAMODB, 'Internal server error'],
  /** Retried by no one: asking again gets the same answer. */
  ValidationException: [400, 'com.amazon.coral.validate', 'Item size has exceeded the maximum allowed size'],
} as const;

/** DynamoDB's JSON error answer for `type`, with its status. */
export function dynamoError(type: keyof typeof DYNAMODB_ERRORS): ProxyFault {
  const [status, namespace, message] = DYNAMODB_ERRORS[type];
  const body = JSON.stringify({ __type: `${namespace}#${type}`, message });
  return { kind: 'status', status, contentType: 'application/x-amz-json-1.0', body };
}
