/**
 * A refusal of a well-formed frame that should not end the session (SPEC §4): answered on the
 * sender's `/user/queue/errors` as `{error, detail, destination, receipt}`. Refusals that must end
 * the session (forbidden, unauthenticated) are StompErrors instead.
 */
export class MessagingError extends Error {
  constructor(
    readonly error: string,
    readonly detail: string | Record<string, unknown>,
  ) {
    super(typeof detail === 'string' ? detail : error);
    this.name = 'MessagingError';
  }
}
