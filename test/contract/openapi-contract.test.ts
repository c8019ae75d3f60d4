import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../fakes/github/server.js';
import { createRestContract, createWebhookContract } from './openapi-contract.js';

const entry = (method: string, path: string, extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  method,
  path,
  query: '',
  status: 200,
  ...extra,
});

/** The checker must be able to say no, or a green contract test would mean nothing. */
describe('the REST contract checker', () => {
  const rest = createRestContract();

  it('passes requests as Octokit sends them, encoded refs and Link-header pages included', () => {
    const report = rest.check([
      entry('GET', '/repos/o/r/issues', { query: 'labels=data-gap&state=all&per_page=100' }),
      entry('GET', '/repositories/7/issues', { query: 'labels=data-gap&state=all&per_page=100&page=2' }),
      entry('GET', '/repos/o/r/git/ref/heads%2Fcbbd-gap-bot%2Faudit'),
      entry('PATCH', '/repos/o/r/issues/4', {
        body: { title: 't', state: 'closed', state_reason: 'completed' },
      }),
      entry('POST', '/repos/o/r/issues/4/labels', { body: { labels: ['season:2024'] } }),
      entry('DELETE', '/repos/o/r/issues/4/labels/fill'),
    ]);
    expect(report.mismatches).toEqual([]);
    expect([report.requests, report.operations.size]).toEqual([6, 5]);
  });

  it('names an unknown operation, an undeclared query parameter or body field, a missing or mistyped field', () => {
    const report = rest.check([
      entry('GET', '/repos/o/r/git/refs/heads%2Fmain'),
      entry('GET', '/repos/o/r/issues', { query: 'label=data-gap' }),
      entry('PATCH', '/repos/o/r/issues/4', { body: { titel: 'x' } }),
      entry('POST', '/repos/o/r/issues', { body: { body: 'no title' } }),
      entry('PATCH', '/repos/o/r/issues/4', { body: { state: 'shut' } }),
      entry('GET', '/repos/o/r/issues/four'),
    ]);
    expect(report.mismatches).toEqual([
      "GET /repos/o/r/git/refs/heads%2Fmain: no operation GET /repos/o/r/git/refs/heads%2Fmain in GitHub's description",
      'GET /repos/o/r/issues: query parameter "label" is not declared',
      'PATCH /repos/o/r/issues/4: body field "titel" is not declared',
      "POST /repos/o/r/issues: (body) must have required property 'title'",
      'PATCH /repos/o/r/issues/4: /state must be equal to one of the allowed values',
      'GET /repos/o/r/issues/four: path parameter "issue_number"=four: (body) must be integer',
    ]);
  });
});

describe('the webhook contract checker', () => {
  const webhooks = createWebhookContract();

  it('refuses the stub payloads the tests used to feed the action (44 and 5 required fields missing)', () => {
    const labeled = {
      action: 'labeled',
      issue: { number: 1 },
      label: { name: 'fill' },
      sender: { login: 'x' },
    };
    expect(webhooks.errors('webhook-issues-labeled', labeled)).toHaveLength(44);
    expect(webhooks.errors('webhook-workflow-dispatch', {})).toHaveLength(5);
  });
});
