import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  GetDatabaseCommand,
  GetPartitionCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetStorageDescriptor, type GlueTable } from '../../src/catalog/glue-shapes.js';
import { startFakeGlue, type FakeGlue } from './glue.js';

const table = (name: string, keys: string[]): GlueTable => ({
  Name: name,
  TableType: 'EXTERNAL_TABLE',
  PartitionKeys: keys.map((Name) => ({ Name, Type: 'string' })),
  StorageDescriptor: parquetStorageDescriptor(`s3://lake/silver/${name}/`, [{ Name: 'id', Type: 'bigint' }]),
});
const partition = (name: string, season: string, date: string) => ({
  Values: [season, date],
  StorageDescriptor: parquetStorageDescriptor(`s3://lake/silver/${name}/season=${season}/date=${date}/`),
});

describe('fake Glue', () => {
  let glue: FakeGlue;
  let client: GlueClient;
  beforeAll(async () => {
    glue = await startFakeGlue();
    client = new GlueClient({
      endpoint: glue.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await glue.close();
  });

  it('answers a missing table with EntityNotFoundException in the body and the x-amzn-ErrorType header', async () => {
    const res = await fetch(glue.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSGlue.GetTable', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ DatabaseName: 'nope', Name: 'fct_plays' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('EntityNotFoundException');
    expect(await res.json()).toEqual({
      __type: 'EntityNotFoundException',
      Message: 'Database nope not found.',
    });
  });

  it('creates databases and tables through the SDK, and refuses them twice', async () => {
    await client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sdk_db' } }));
    await expect(
      client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sdk_db' } })),
    ).rejects.toThrow(expect.objectContaining({ name: 'AlreadyExistsException' }) as Error);
    await client.send(
      new CreateTableCommand({ DatabaseName: 'sdk_db', TableInput: table('fct_games', ['season']) }),
    );
    const { Database } = await client.send(new GetDatabaseCommand({ Name: 'sdk_db' }));
    expect(Database?.Name).toBe('sdk_db');
    // Glue folds names to lower case.
    const { Table } = await client.send(new GetTableCommand({ DatabaseName: 'SDK_DB', Name: 'FCT_Games' }));
    expect(Table?.PartitionKeys).toEqual([{ Name: 'season', Type: 'string' }]);
    expect(Table?.CreateTime).toBeInstanceOf(Date);
  });

  it('pages GetPartitions by NextToken and refuses MaxResults above 1000', async () => {
    glue.seedTable('paged', table('fct_plays', ['season', 'date']));
    const many = Array.from({ length: 1203 }, (_, i) =>
      partition('fct_plays', '2024', `d${String(i).padStart(4, '0')}`),
    );
    glue.seedPartitions('paged', 'fct_plays', many);
    const first = await client.send(
      new GetPartitionsCommand({ DatabaseName: 'paged', TableName: 'fct_plays', MaxResults: 1000 }),
    );
    expect(first.Partitions).toHaveLength(1000);
    expect(first.Partitions?.[0]).toMatchObject({ Values: ['2024', 'd0000'], TableName: 'fct_plays' });
    const second = await client.send(
      new GetPartitionsCommand({ DatabaseName: 'paged', TableName: 'fct_plays', NextToken: first.NextToken }),
    );
    expect(second.Partitions).toHaveLength(203);
    expect(second.NextToken).toBeUndefined();
    await expect(
      client.send(
        new GetPartitionsCommand({ DatabaseName: 'paged', TableName: 'fct_plays', MaxResults: 1001 }),
      ),
    ).rejects.toThrow(/Member must have value less than or equal to 1000/);
  });

  it('reports per-entry errors from BatchCreatePartition and refuses more than 100 entries', async () => {
    glue.seedTable('batch', table('fct_plays', ['season', 'date']));
    glue.seedPartitions('batch', 'fct_plays', [partition('fct_plays', '2024', '2024-01-01')]);
    const { Errors } = await client.send(
      new BatchCreatePartitionCommand({
        DatabaseName: 'batch',
        TableName: 'fct_plays',
        PartitionInputList: [
          partition('fct_plays', '2024', '2024-01-01'),
          partition('fct_plays', '2024', '2024-01-02'),
          { Values: ['2024'] },
        ],
      }),
    );
    expect(Errors).toEqual([
      {
        PartitionValues: ['2024', '2024-01-01'],
        ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
      },
      {
        PartitionValues: ['2024'],
        ErrorDetail: {
          ErrorCode: 'InvalidInputException',
          ErrorMessage: expect.stringMatching(/number of partition keys/),
        },
      },
    ]);
    expect(glue.partitions('batch', 'fct_plays').map((p) => p.Values[1])).toEqual([
      '2024-01-01',
      '2024-01-02',
    ]);
    const tooMany = Array.from({ length: 101 }, (_, i) => partition('fct_plays', '2025', `x${i}`));
    await expect(
      client.send(
        new BatchCreatePartitionCommand({
          DatabaseName: 'batch',
          TableName: 'fct_plays',
          PartitionInputList: tooMany,
        }),
      ),
    ).rejects.toThrow(expect.objectContaining({ name: 'ValidationException' }) as Error);
  });

  it('deletes at most 25 partitions a call, naming each one it could not find', async () => {
    glue.seedTable('del', table('fct_plays', ['season', 'date']));
    glue.seedPartitions('del', 'fct_plays', [partition('fct_plays', '2024', 'a')]);
    const { Errors } = await client.send(
      new BatchDeletePartitionCommand({
        DatabaseName: 'del',
        TableName: 'fct_plays',
        PartitionsToDelete: [{ Values: ['2024', 'a'] }, { Values: ['2024', 'b'] }],
      }),
    );
    expect(Errors).toEqual([
      {
        PartitionValues: ['2024', 'b'],
        ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'Partition not found.' },
      },
    ]);
    await expect(
      client.send(
        new GetPartitionCommand({
          DatabaseName: 'del',
          TableName: 'fct_plays',
          PartitionValues: ['2024', 'a'],
        }),
      ),
    ).rejects.toThrow(expect.objectContaining({ name: 'EntityNotFoundException' }) as Error);
    const tooMany = Array.from({ length: 26 }, (_, i) => ({ Values: ['2024', String(i)] }));
    await expect(
      client.send(
        new BatchDeletePartitionCommand({
          DatabaseName: 'del',
          TableName: 'fct_plays',
          PartitionsToDelete: tooMany,
        }),
      ),
    ).rejects.toThrow(/less than or equal to 25/);
  });

  it('counts calls per operation', () => {
    expect(glue.counters.GetPartitions).toBe(3);
    expect(glue.counters.BatchCreatePartition).toBe(2);
    expect(glue.counters.BatchDeletePartition).toBe(2);
    expect(glue.counters.GetPartition).toBe(1);
  });
});
