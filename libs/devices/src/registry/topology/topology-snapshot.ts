/** What the database holds that a document's references are checked against (loaded under the registry lock). */
export interface TopologySnapshot {
  readonly zones: ReadonlyMap<string, { readonly parentId: string | null }>;
  readonly lanes: ReadonlyMap<string, { readonly zoneId: string }>;
  readonly devices: ReadonlyMap<string, { readonly zoneId: string | null; readonly parentId: string | null; readonly laneId: string | null }>;
  readonly failoverGroups: ReadonlyMap<string, { readonly zoneId: string; readonly members: readonly string[] }>;
}
