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

export function authorizeDestination(
  principal: Principal,
  action: DestinationAction,
  destination: string,
): DestinationDecision {
  const shape = checkShape(destination);
  if (shape) return deny(shape);
  if (destination.startsWith('/user/') && !destination.startsWith('/user/queue/')) {
    return deny("only your own queue may be used: '/user/queue/...'");
  }
  if (action === 'SEND' && (destination.startsWith('/topic/') || destination.startsWith('/queue/') || destination.startsWith('/user/'))) {
    return deny('broadcast and queue destinations are written by the server only; send to /app/...');
  }
  const role = principal.role;
  switch (role) {
    case 'DEVICE': {
      const kiosk = principal.deviceType === 'DISPATCH_KIOSK';
      if (action === 'SEND') {
        return listed(destination, kiosk ? [...DEVICE_SEND, '/app/dispatch/requests'] : DEVICE_SEND, role, action);
      }
      return listed(destination, kiosk ? [...DEVICE_SUBSCRIBE, '/user/queue/dispatch'] : DEVICE_SUBSCRIBE, role, action);
    }
    case 'DRIVER':
      return listed(destination, action === 'SEND' ? DRIVER_SEND : DRIVER_SUBSCRIBE, role, action);
    case 'OPERATOR':
    case 'ADMIN':
      // ADMIN holds every OPERATOR destination; what an admin may do beyond (every command type)
      // is decided on the message, by mayIssueCommand.
      if (action === 'SEND') return listed(destination, WATCHER_SEND, role, action);
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

function authorizeWatcherSubscription(principal: Principal, destination: string): DestinationDecision {
  if (WATCHER_TOPICS.includes(destination) || WATCHER_QUEUES.includes(destination)) return ok;
  const parts = destination.split('/');
  const zoneTopic =
    (parts.length === 5 && parts[1] === 'topic' && parts[2] === 'zones' && parts[4] === 'devices') ||
    (parts.length === 4 && parts[1] === 'topic' && parts[2] === 'dispatch');
  if (!zoneTopic) return deny(`${principal.role} may not SUBSCRIBE to ${destination}`);
  const zone = parts[3];
  return principalSeesZone(principal, zone) ? ok : deny(`zone ${zone} is outside your zones`);
}

function listed(destination: string, allowed: readonly string[], role: string, action: DestinationAction): DestinationDecision {
  return allowed.includes(destination) ? ok : deny(`${role} may not ${action} to ${destination}`);
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
