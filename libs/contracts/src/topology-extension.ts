/**
 * A port of PUT/GET /topology (SPEC §8) for the sections other services own (dispatch: `stands`,
 * `destinations`). The registry injects every bound extension (`TOPOLOGY_EXTENSIONS`, an array),
 * accepts their keys, validates them with the rest of the document (errors by JSON path, nothing
 * applied on any error), applies them in the same transaction after zones are written, and adds
 * their export to GET /topology. Framework-free: the transaction is the caller's EntityManager,
 * typed here by the one method every extension may rely on.
 */
export const TOPOLOGY_EXTENSIONS = 'landside:topology-extensions';

/** The transaction of the apply or the export (a TypeORM EntityManager at run time). */
export interface TopologyTransaction {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface TopologyExtensionError {
  readonly path: string;
  readonly message: string;
}

export interface TopologyExtensionContext {
  /** Zone id -> kind after the apply: the database's zones overlaid with the document's. */
  readonly zoneKinds: ReadonlyMap<string, string>;
}

export interface TopologyExtension {
  /** The top-level key of the document (`stands`). */
  readonly key: string;
  /** Every problem of the section, paths from the document's root (`stands[2].zoneId`). */
  validate(section: unknown, ctx: TopologyExtensionContext): TopologyExtensionError[];
  /** Applies a valid section inside the topology transaction (under the registry lock). */
  apply(manager: TopologyTransaction, section: unknown, at: number): Promise<{ created: number; updated: number }>;
  /** The section as PUT accepts it. */
  export(manager: TopologyTransaction): Promise<unknown>;
}
