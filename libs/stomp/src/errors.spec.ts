import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STOMP_ERROR_CODES } from './errors';

describe('error codes', () => {
  it('are each documented once in docs/error-codes.md, and the doc lists no other', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/error-codes.md'), 'utf8');
    const firstTable = doc.split('## Errors that do not close')[0]!;
    const documented = [...firstTable.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...STOMP_ERROR_CODES].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });
});
