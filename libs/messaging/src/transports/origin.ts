import type { IncomingMessage } from 'node:http';

/**
 * Browser transports check `Origin` against ALLOWED_ORIGINS (SPEC §4). Non-browser clients
 * (devices, .NET/Java STOMP libraries) send no Origin and are judged by their token alone.
 */
export function originAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === '') return true;
  return allowedOrigins.includes('*') || allowedOrigins.includes(origin);
}

export function remoteAddressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
