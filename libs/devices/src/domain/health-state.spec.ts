import { HEALTH_STATES, TRANSITION_REASONS, isAllowedTransition } from './health-state';

describe('isAllowedTransition', () => {
  it('never allows staying in place', () => {
    for (const s of HEALTH_STATES) for (const r of TRANSITION_REASONS) expect(isAllowedTransition(s, s, r)).toBe(false);
  });

  it('MAINTENANCE is left only to UNKNOWN, only with reason MAINTENANCE', () => {
    const exits = HEALTH_STATES.flatMap((to) => TRANSITION_REASONS.filter((r) => isAllowedTransition('MAINTENANCE', to, r)).map((r) => `${to}/${r}`));
    expect(exits).toEqual(['UNKNOWN/MAINTENANCE']);
  });

  it('heartbeat outcomes name their reason', () => {
    expect(isAllowedTransition('OFFLINE', 'ONLINE', 'RECOVERED')).toBe(true);
    expect(isAllowedTransition('ONLINE', 'FAULT', 'REPORTED_FAULT')).toBe(true);
    expect(isAllowedTransition('ONLINE', 'FAULT', 'REPORTED_DEGRADED')).toBe(false);
    expect(isAllowedTransition('UNKNOWN', 'OFFLINE', 'RESTART_GRACE')).toBe(true);
    expect(isAllowedTransition('ONLINE', 'OFFLINE', 'RESTART_GRACE')).toBe(false);
  });
});
