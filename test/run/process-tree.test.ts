import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { killTree } from '../../src/run/process-tree.js';
import { survivors } from '../support/processes.js';

const onLinux = process.platform === 'linux' ? test : test.skip;

describe('killTree', () => {
  onLinux('a tree that never stops forking is gone, not merely signalled, when killTree returns', async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const mark = randomUUID();
      // Every shell forks as fast as it can, so a fork is in flight whenever the tree is read.
      const child = spawn('bash', ['-c', 'for i in 1 2 3 4; do (while :; do sleep 300 & done) & done; wait'], {
        env: { ...process.env, RDSPLAN_TEST_MARK: mark },
        stdio: 'ignore',
      });
      await delay(150 + attempt * 20);
      await killTree(child);
      const left = survivors(mark);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      expect({ attempt, left }).toEqual({ attempt, left: [] });
    }
  });
});
