import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer, Dispatcher } from './dispatch.js';
import type { RateLimits } from './rate-limit.js';
import type { RequestLog } from './request-log.js';

/** Turns node:http requests into dispatcher calls and answers into responses with GitHub's standard headers. */
export function createRequestListener(
  baseUrl: string,
  dispatcher: Dispatcher,
  log: RequestLog,
  rates: RateLimits,
  clock: () => Date,
): (req: IncomingMessage, res: ServerResponse) => void {
  let count = 0;
  return (req, res) => {
    void readBody(req).then((body) => {
      const incoming = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', baseUrl),
        authorization: req.headers.authorization,
        body,
      };
      let answer: Answer;
      try {
        answer = dispatcher.answer(incoming);
      } catch (e) {
        // A bug in the fake itself: answer 500 with the cause so the failing test shows it.
        answer = { status: 500, body: { message: `fake GitHub crashed: ${String(e)}` }, handled: false };
      }
      log.record(incoming, answer);
      const quota = answer.user ? rates.headers(answer.user) : unauthenticatedQuota(clock);
      const requestId = `FAKE:${(++count).toString(16).toUpperCase().padStart(8, '0')}`;
      send(res, answer, { ...quota, 'x-github-request-id': requestId });
    });
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Unauthenticated callers get GitHub's 60-an-hour quota in the headers. */
function unauthenticatedQuota(clock: () => Date): Record<string, string> {
  return {
    'x-ratelimit-limit': '60',
    'x-ratelimit-remaining': '59',
    'x-ratelimit-reset': String(Math.floor(clock().getTime() / 1000) + 3600),
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': 'core',
  };
}

function send(res: ServerResponse, answer: Answer, perRequest: Record<string, string>): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    ...perRequest,
    ...answer.headers,
  };
  if (answer.status === 204 || answer.body === undefined) {
    delete headers['content-type'];
    res.writeHead(answer.status, headers).end();
    return;
  }
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, headers).end(text);
}
