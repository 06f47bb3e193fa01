/**
 * A subscription as the client made it (STOMP 1.2 "SUBSCRIBE"): its id, destination, ack mode and
 * any headers we keep but do not act on — a `selector` is stored, never evaluated.
 */
export type AckMode = 'auto' | 'client' | 'client-individual';

export const ACK_MODES: readonly AckMode[] = ['auto', 'client', 'client-individual'];

export interface Subscription {
  readonly id: string;
  readonly destination: string;
  readonly ack: AckMode;
  readonly selector?: string;
}
