import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/log.js';

describe('logging', () => {
  it('redacts claim content that reaches a log record by mistake', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink as never);
    logger.info(
      {
        claim: { id: 'X', patient: { lastName: 'Sampleton' } },
        patient: { dateOfBirth: '1968-04-12' },
        detail: { memberId: 'XBL100200300', address: { line1: '100 Synthetic Way' }, firstName: 'Avery' },
        nested: { subscriber: { memberId: 'SUB999' } },
        claimCount: 12,
      },
      'problem',
    );
    const text = lines.join('');
    for (const secret of ['Sampleton', '1968-04-12', 'XBL100200300', '100 Synthetic Way', 'Avery', 'SUB999']) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text).claimCount).toBe(12);
  });
});
