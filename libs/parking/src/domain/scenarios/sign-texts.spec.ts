import { SIGN_TEXTS, signText } from '../sign-debouncer';
import { L1_BAYS, L2_BAYS, World, sec } from './fixtures';

describe('scenario: what a guidance sign says', () => {
  it('the exact texts: FREE n, FULL, CLOSED, ---', () => {
    expect(signText({ total: 10, unknown: 0, available: 123, closed: false })).toBe('FREE 123');
    expect(signText({ total: 10, unknown: 0, available: 0, closed: false })).toBe(SIGN_TEXTS.FULL);
    expect(signText({ total: 10, unknown: 3, available: 0, closed: false })).toBe('FULL'); // some known, none free
    expect(signText({ total: 10, unknown: 10, available: 0, closed: false })).toBe('---'); // nothing known
    expect(signText({ total: 0, unknown: 0, available: 0, closed: false })).toBe('---'); // no bays
    expect(signText({ total: 10, unknown: 4, available: 2, closed: false })).toBe('FREE 2'); // unknown never added
    expect(signText({ total: 10, unknown: 0, available: 7, closed: true })).toBe(SIGN_TEXTS.CLOSED);
  });

  it('FULL when the last free bay is taken, FREE 1 when one frees up again', () => {
    const w = new World();
    w.reportAll(L2_BAYS, true);
    w.report('P1-L2-03', false);
    w.startSigns();
    w.runUntil(10);
    expect(w.signs.displayed('sign-P1-L2')?.text).toBe('FREE 1');
    w.report('P1-L2-03', true);
    expect(w.sentTo('sign-P1-L2').at(-1)).toBe('FULL @10s');
    w.runUntil(20);
    w.report('P1-L2-03', false);
    expect(w.sentTo('sign-P1-L2').at(-1)).toBe('FREE 1 @20s');
  });

  it('CLOSED when an admin closes the zone (and for the levels under a closed car park); counts again on reopening', () => {
    const w = new World();
    w.reportAll([...L1_BAYS, ...L2_BAYS], false);
    w.startSigns();
    w.runUntil(10);
    w.close('P1', true);
    expect(['sign-P1', 'sign-P1-L1', 'sign-P1-L2', 'sign-P2'].map((s) => w.signs.displayed(s)?.text)).toEqual(['CLOSED', 'CLOSED', 'CLOSED', '---']);
    // Cars keep moving in a closed car park: the signs stay CLOSED, nothing new is sent.
    const sent = w.sent.length;
    w.runUntil(15);
    w.report('P1-L1-01', true);
    w.runUntil(20);
    expect(w.sent).toHaveLength(sent);
    w.close('P1', false);
    w.runUntil(30);
    expect(w.signs.displayed('sign-P1')).toEqual({ text: 'FREE 6', at: sec(20) });
  });

  it('a closed level is not offered on the car park sign', () => {
    const w = new World();
    w.reportAll([...L1_BAYS, ...L2_BAYS], false);
    w.startSigns();
    w.runUntil(10);
    expect(w.signs.displayed('sign-P1')?.text).toBe('FREE 7');
    w.close('P1-L2', true);
    expect(w.signs.displayed('sign-P1')?.text).toBe('FREE 4');
    expect(w.signs.displayed('sign-P1-L2')?.text).toBe('CLOSED');
  });
});
