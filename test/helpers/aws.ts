import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createS3Store } from '../../src/lake/s3-store.js';
import type { ObjectStore } from '../../src/lake/object-store.js';
import { STACK_CREDENTIALS, TEST_BUCKET } from '../stack/aws-stack.js';

const credentials = {
  accessKeyId: STACK_CREDENTIALS.AWS_ACCESS_KEY_ID,
  secretAccessKey: STACK_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
};

/** An S3 client pointed at the test stack's s3rver, path-style as the bot uses it with an endpoint override. */
export function testS3Client(): S3Client {
  return new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
}

/** A DynamoDB client pointed at the test stack's dynalite. */
export function testDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'us-east-1', credentials });
}

/** A fresh S3 lake under its own prefix of the test bucket, so tests never see each other's keys. */
export function freshS3Lake(client = testS3Client()): { store: ObjectStore; uri: string; prefix: string } {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const store = createS3Store(client, TEST_BUCKET, prefix);
  return { store, uri: store.uri, prefix };
}

/** The environment a child process (the CLI, dist/index.js) needs to reach the test stack. */
export function stackEnv(): Record<string, string> {
  return {
    ...STACK_CREDENTIALS,
    AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
  };
}
