import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvent } from '../../src/action/event.js';
import { DEFAULT_BOT, startFakeGitHub, type FakeGitHub, type WorkflowEvent } from '../fakes/github/server.js';

describe('readEvent on the payloads GitHub delivers', () => {
  let gh: FakeGitHub;
  let dir: string;
  beforeAll(async () => {
    gh = await startFakeGitHub({ users: [DEFAULT_BOT, { login: 'mona-cat_octo', role: 'write' }] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-events-'));
  });
  afterAll(async () => {
    await gh.close();
    await rm(dir, { recursive: true, force: true });
  });
  const read = async (event: WorkflowEvent) => {
    const file = path.join(dir, `${event.name}.json`);
    await writeFile(file, JSON.stringify(event.payload));
    return readEvent(event.name, file);
  };

  it('takes a label from an Enterprise Managed User (handle_shortcode)', async () => {
    const issue = gh.openIssueAs('mona-cat_octo', { title: 'gap' });
    expect(await read(gh.labelAs('mona-cat_octo', issue.number, 'fill'))).toEqual({
      name: 'issues',
      action: 'labeled',
      issueNumber: issue.number,
      label: 'fill',
      sender: 'mona-cat_octo',
    });
  });

  it('names a dispatch and a schedule without reading their inputs (the action takes those from `with:`)', async () => {
    const dispatch = gh.dispatchAs('mona-cat_octo', '.github/workflows/fill.yml', { endpoint: 'plays_game' });
    expect(await read(dispatch)).toEqual({ name: 'workflow_dispatch', eventName: 'workflow_dispatch' });
    expect(await read(gh.scheduled('.github/workflows/audit.yml', '17 5 * * *'))).toEqual({
      name: 'schedule',
      eventName: 'schedule',
    });
  });
});
