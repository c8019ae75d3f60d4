import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The AWS JSON 1.1 protocol as Glue and Athena speak it, for the fakes: `POST /` with
 * `X-Amz-Target: <prefix>.<Operation>` and `Content-Type: application/x-amz-json-1.1`, answers as JSON, errors as
 * status 400 with `{"__type": "<Code>", "Message": "…"}` and the same code in `x-amzn-ErrorType`.
 */

/** A service error the fake answers with, as AWS would (`EntityNotFoundException`, `InvalidRequestException`). */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** AWS's wording for a request that breaks a model constraint (`MaxResults` above its maximum, a list too long). */
export function validationMessage(member: string, value: unknown, constraint: string): string {
  const shown = value === null ? 'null' : `'${String(value)}'`;
  return `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`;
}

export type JsonBody = Record<string, unknown>;
export type JsonHandler = (operation: string, body: JsonBody) => unknown;

/** Serves one JSON 1.1 service on 127.0.0.1 (a free port); `handle` throws `AwsJsonError` to answer an error. */
export async function serveAwsJson(
  targetPrefix: string,
  handle: JsonHandler,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void answer(req, res).catch((e: unknown) => {
      const err =
        e instanceof AwsJsonError ? e : new AwsJsonError('InternalServiceException', String(e), 500);
      send(res, err.status, { __type: err.type, Message: err.message }, { 'x-amzn-ErrorType': err.type });
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse) {
    const text = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith(`${targetPrefix}.`)) {
      throw new AwsJsonError('UnknownOperationException', `unknown operation "${target}"`);
    }
    let body: JsonBody;
    try {
      body = text === '' ? {} : (JSON.parse(text) as JsonBody);
    } catch {
      throw new AwsJsonError('SerializationException', 'Start of structure or map found where not expected.');
    }
    const result = await handle(target.slice(targetPrefix.length + 1), body);
    send(res, 200, result ?? {});
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; close them or `close` waits for their idle timeout.
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
