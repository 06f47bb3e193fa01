import type { Principal } from '@landside/contracts';

/**
 * Which STOMP destinations a principal may SEND to or SUBSCRIBE to (SPEC §1, §4). Pure: no I/O,
 * no state, so the gateway can call it on every frame. Deny by default: a destination is allowed
 * only when it matches an explicit rule for the principal's role, after a strict shape check
 * that refuses path tricks ('..', '//', trailing '/', wildcards, encodings) before any rule runs.
 *
 * `/user/queue/x` always means the session's own queue (the broker routes by the session's
 * principal), so no form naming another principal (`/user/{name}/...`) is ever accepted.
 */
export type DestinationAction = 'SEND' | 'SUBSCRIBE';
export type DestinationDecision = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Commands an OPERATOR may issue (SPEC §1); ADMIN may issue every type. */
export const OPERATOR_SAFE_COMMANDS: readonly string[] = Object.freeze(['OPEN_GATE', 'DISPLAY_MESSAGE']);

const MAX_DESTINATION_LENGTH = 256;
/** A path segment: starts alphanumeric (so never '.', '..' or empty), then a safe set. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

const DEVICE_SEND = ['/app/heartbeat', '/app/events', '/app/command-results'];
const DEVICE_SUBSCRIBE = ['/user/queue/commands', '/user/queue/errors', '/user/queue/replies'];
const DRIVER_SEND = ['/app/dispatch/region'];
const DRIVER_SUBSCRIBE = ['/user/queue/dispatch', '/user/queue/errors', '/user/queue/replies'];
const WATCHER_SEND = ['/app/commands'];
const WATCHER_TOPICS = ['/topic/devices', '/topic/alerts', '/topic/commands', '/topic/failovers', '/topic/occupancy'];
const WATCHER_QUEUES = ['/user/queue/errors', '/user/queue/replies'];

const ok: DestinationDecision = Object.freeze({ ok: true });
const deny = (reason: string): DestinationDecision => ({ ok: false, reason });

/** The exact destinations a principal may use per action, whatever else the rules allow. */
type AllowList = Readonly<Record<DestinationAction, ReadonlySet<string>>>;

const DEVICE_ALLOWED = allowList(DEVICE_SEND, DEVICE_SUBSCRIBE);
const KIOSK_ALLOWED = allowList([...DEVICE_SEND, '/app/dispatch/requests'], [...DEVICE_SUBSCRIBE, '/user/queue/dispatch']);
const DRIVER_ALLOWED = allowList(DRIVER_SEND, DRIVER_SUBSCRIBE);
const WATCHER_ALLOWED = allowList(WATCHER_SEND, [...WATCHER_TOPICS, ...WATCHER_QUEUES]);

export function authorizeDestination(
  principal: Principal,
  action: DestinationAction,
  destination: string,
): DestinationDecision {
  // Per-frame fast path (a device's every SEND): a listed destination passes every check below
  // (allowList() verified that), so one Set look-up decides it; the rest take the full path.
  // (`?.`: a role outside Role, which no token should carry, has no list and takes the full path.)
  if (allowListOf(principal)?.[action].has(destination)) return ok;
  const refusal = refusalForAnyRole(action, destination);
  if (refusal) return deny(refusal);
  const role = principal.role;
  switch (role) {
    case 'DEVICE':
    case 'DRIVER':
      return listed(destination, allowListOf(principal)[action], role, action);
    case 'OPERATOR':
    case 'ADMIN':
      // ADMIN holds every OPERATOR destination; what an admin may do beyond (every command type)
      // is decided on the message, by mayIssueCommand.
      if (action === 'SEND') return listed(destination, WATCHER_ALLOWED.SEND, role, action);
      return authorizeWatcherSubscription(principal, destination);
  }
}

/** The zone a zone-specific destination is about, e.g. `/topic/zones/T1-P2/devices` -> `T1-P2`. */
export function zoneOfDestination(destination: string): string | undefined {
  if (checkShape(destination)) return undefined;
  const parts = destination.split('/');
  // ['', 'topic', 'zones', z, ...] and ['', 'topic', 'dispatch', z]
  if (parts[1] !== 'topic') return undefined;
  if (parts[2] === 'zones' && parts.length >= 4) return parts[3];
  if (parts[2] === 'dispatch' && parts.length === 4) return parts[3];
  return undefined;
}

/**
 * Whether a principal may see something in `zoneId`. Unscoped principals see every zone; a
 * zone-scoped one sees only its zones, and nothing that belongs to no zone (SPEC §1: "outside
 * them they see and command nothing"). The broker calls this per message on global topics.
 */
export function principalSeesZone(principal: Principal, zoneId: string | undefined): boolean {
  if (principal.zones === undefined) return true;
  return zoneId !== undefined && principal.zones.includes(zoneId);
}

/** Whether the principal may issue a command of this type (checked on `/app/commands` bodies). */
export function mayIssueCommand(principal: Principal, type: string): boolean {
  switch (principal.role) {
    case 'ADMIN':
      return true;
    case 'OPERATOR':
      return OPERATOR_SAFE_COMMANDS.includes(type);
    case 'DEVICE':
    case 'DRIVER':
      return false;
  }
}

function allowListOf(principal: Principal): AllowList {
  switch (principal.role) {
    case 'DEVICE':
      return principal.deviceType === 'DISPATCH_KIOSK' ? KIOSK_ALLOWED : DEVICE_ALLOWED;
    case 'DRIVER':
      return DRIVER_ALLOWED;
    case 'OPERATOR':
    case 'ADMIN':
      return WATCHER_ALLOWED;
  }
}

function authorizeWatcherSubscription(principal: Principal, destination: string): DestinationDecision {
  if (WATCHER_ALLOWED.SUBSCRIBE.has(destination)) return ok;
  const parts = destination.split('/');
  const zoneTopic =
    (parts.length === 5 && parts[1] === 'topic' && parts[2] === 'zones' && parts[4] === 'devices') ||
    (parts.length === 4 && parts[1] === 'topic' && parts[2] === 'dispatch');
  if (!zoneTopic) return deny(`${principal.role} may not SUBSCRIBE to ${destination}`);
  const zone = parts[3];
  return principalSeesZone(principal, zone) ? ok : deny(`zone ${zone} is outside your zones`);
}

function listed(destination: string, allowed: ReadonlySet<string>, role: string, action: DestinationAction): DestinationDecision {
  return allowed.has(destination) ? ok : deny(`${role} may not ${action} to ${destination}`);
}

/**
 * An allow-list for the fast path. Every entry must pass the checks that apply to every role
 * (shape, own queue only, no SEND to server-written destinations): the fast path skips them, so
 * a malformed entry fails at load instead of being allowed.
 */
function allowList(send: readonly string[], subscribe: readonly string[]): AllowList {
  const verified = (action: DestinationAction, destinations: readonly string[]): ReadonlySet<string> => {
    for (const destination of destinations) {
      const refusal = refusalForAnyRole(action, destination);
      if (refusal) throw new Error(`allow-list entry ${action} ${destination}: ${refusal}`);
    }
    return new Set(destinations);
  };
  return Object.freeze({ SEND: verified('SEND', send), SUBSCRIBE: verified('SUBSCRIBE', subscribe) });
}

/** Why no role may use this destination for this action, or undefined. */
function refusalForAnyRole(action: DestinationAction, destination: string): string | undefined {
  const shape = checkShape(destination);
  if (shape) return shape;
  if (destination.startsWith('/user/') && !destination.startsWith('/user/queue/')) {
    return "only your own queue may be used: '/user/queue/...'";
  }
  if (action === 'SEND' && (destination.startsWith('/topic/') || destination.startsWith('/queue/') || destination.startsWith('/user/'))) {
    return 'broadcast and queue destinations are written by the server only; send to /app/...';
  }
  return undefined;
}

/** Why a destination is malformed, or undefined when its shape is acceptable. */
function checkShape(destination: string): string | undefined {
  if (typeof destination !== 'string' || destination.length === 0) return 'destination is empty';
  if (destination.length > MAX_DESTINATION_LENGTH) return 'destination is too long';
  if (!destination.startsWith('/')) return "destination must start with '/'";
  const segments = destination.slice(1).split('/');
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return 'destination has an empty, relative or invalid path segment';
  }
  return undefined;
}
