import type { TestProject } from 'vitest/node';
import { assertNode24 } from '../helpers/node-binaries.js';
import { STACK_CREDENTIALS, startAwsStack, type AwsStack } from './aws-stack.js';

let stack: AwsStack | undefined;

/** Starts the local AWS stack once for the whole run and hands its endpoints to the tests. */
export async function setup(project: TestProject): Promise<void> {
  assertNode24();
  stack = await startAwsStack();
  project.provide('s3Endpoint', stack.s3Endpoint);
  project.provide('dynamodbEndpoint', stack.dynamodbEndpoint);
  project.provide('s3Directory', stack.s3Directory);
  Object.assign(process.env, STACK_CREDENTIALS);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    dynamodbEndpoint: string;
    s3Directory: string;
  }
}
