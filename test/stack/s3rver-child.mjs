// Runs s3rver in its own process. Started with --openssl-legacy-provider: s3rver 3.7.1 encrypts ListObjectsV2
// continuation tokens with DES, which Node's default OpenSSL 3 provider refuses, so listings past 1,000 keys
// would fail with InternalError. The flag stays in this process; the test process keeps the default provider.
import S3rver from 's3rver';

const [directory, bucketsArg] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: (bucketsArg ?? '')
    .split(',')
    .filter(Boolean)
    .map((name) => ({ name })),
});
const { port } = await server.run();
process.send?.({ port });
process.on('disconnect', () => server.close().finally(() => process.exit(0)));
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
