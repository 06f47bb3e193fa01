/** One audit row as GET /audit shows it. */
export interface AuditView {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly target: string | null;
  readonly sourceAddress: string | null;
  readonly outcome: string;
  readonly details: Record<string, unknown>;
}
