import { errorMessage } from '../util/errors.js';
import type { CheckpointStore } from './checkpoint-store.js';

/**
 * The store with its errors named: `DynamoDB table cbbd_checkpoints: tryLease: Internal server error` instead of
 * `Internal server error`, so the fill's message says which service and which step failed. Answers are unchanged.
 */
export function withDescribedErrors(store: CheckpointStore, where: string): CheckpointStore {
  const wrap =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (e) {
        throw new Error(`${where}: ${name}: ${errorMessage(e)}`, { cause: e });
      }
    };
  return {
    kind: store.kind,
    getMany: wrap('getMany', store.getMany.bind(store)),
    idsWithStatus: wrap('idsWithStatus', store.idsWithStatus.bind(store)),
    tryLease: wrap('tryLease', store.tryLease.bind(store)),
    heartbeat: wrap('heartbeat', store.heartbeat.bind(store)),
    finish: wrap('finish', store.finish.bind(store)),
    fail: wrap('fail', store.fail.bind(store)),
    release: wrap('release', store.release.bind(store)),
    acquireShardLock: wrap('acquireShardLock', store.acquireShardLock.bind(store)),
    renewShardLock: wrap('renewShardLock', store.renewShardLock.bind(store)),
    releaseShardLock: wrap('releaseShardLock', store.releaseShardLock.bind(store)),
    holdBudget: wrap('holdBudget', store.holdBudget.bind(store)),
    leaveBudget: wrap('leaveBudget', store.leaveBudget.bind(store)),
    changeQuota: wrap('changeQuota', store.changeQuota.bind(store)),
  };
}
