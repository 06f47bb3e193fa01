import { socketKindOf, type Link, type LinkOptions } from './link';
import { RawLink } from './raw-link';
import { StompJsLink } from './stompjs-link';

export * from './link';
export type { SocketTarget } from './socket';

export function openLink(options: LinkOptions): Link {
  const socketKind = socketKindOf(options.kind);
  switch (options.kind) {
    case 'stompjs-ws':
    case 'stompjs-sockjs':
      return new StompJsLink(socketKind, options);
    case 'raw-ws':
    case 'raw-tcp':
      return new RawLink(socketKind, options);
  }
}
