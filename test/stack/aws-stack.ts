import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startConditionalPutShim } from './conditional-put-shim.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The test bucket every S3 test writes under its own prefix. */
export const TEST_BUCKET = 'cbbd-test-lake';
/** The checkpoint table as the pipeline's Terraform makes it. */
export const CHECKPOINT_TABLE = 'cbbd_checkpoints';

/** Endpoints of the local AWS stack, as the SDK's standard variables take them. */
export interface AwsStack {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  s3Directory: string;
  stop(): Promise<void>;
}

/** Credentials and region the SDK needs; s3rver and dynalite accept any signature made with them. */
export const STACK_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

/**
 * Starts s3rver (in a child process, behind the conditional-put shim) and dynalite on 127.0.0.1 with free ports,
 * creates the test bucket and the checkpoint table, and returns how to reach them and how to stop them.
 */
export async function startAwsStack(): Promise<AwsStack> {
  const s3Directory = await mkdtemp(path.join(os.tmpdir(), 'cbbd-s3rver-'));
  const child = fork(path.join(here, 's3rver-child.mjs'), [s3Directory, TEST_BUCKET], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const s3Port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
  });
  const shim = await startConditionalPutShim({ host: '127.0.0.1', port: s3Port });

  const dyn = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dyn.listen(0, '127.0.0.1', () => resolve()));
  const dynamodbEndpoint = `http://127.0.0.1:${(dyn.address() as AddressInfo).port}`;
  await createCheckpointTable(dynamodbEndpoint, CHECKPOINT_TABLE);

  return {
    s3Endpoint: `http://127.0.0.1:${shim.port}`,
    dynamodbEndpoint,
    s3Directory,
    async stop() {
      await shim.close();
      await stopChild(child);
      await new Promise<void>((resolve) => dyn.close(() => resolve()));
      await rm(s3Directory, { recursive: true, force: true });
    },
  };
}

/** Creates a table with the pipeline's key schema: hash `endpoint`, range `parameter_hash`. */
export async function createCheckpointTable(endpoint: string, table: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: STACK_CREDENTIALS.AWS_REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [
          { AttributeName: 'endpoint', KeyType: 'HASH' },
          { AttributeName: 'parameter_hash', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'endpoint', AttributeType: 'S' },
          { AttributeName: 'parameter_hash', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
