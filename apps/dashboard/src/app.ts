// Landside operator dashboard: plain TypeScript + DOM, loaded as a classic script after the SockJS
// and STOMP bundles. Snapshot over HTTP, then deltas over STOMP (SockJS transport); re-snapshots on
// every (re)connect so nothing missed while disconnected stays wrong on the wall.
(() => {
  // ---------- types (the wire shapes of SPEC §4/§8, as far as the page uses them) ----------
  interface Login {
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    role: string;
    zones: string[] | null;
  }
  interface Page<T> {
    items: T[];
    nextCursor: string | null;
  }
  interface Device {
    id: string;
    type: string;
    name: string;
    zoneId: string | null;
    state: string;
    stateReason: string | null;
    stateSince: string | null;
    flapping: boolean;
    lastSeenAt: string | null;
    maintenance: boolean;
  }
  interface Alert {
    id: string;
    deviceId: string;
    zoneId?: string;
    kind: string;
    severity: string;
    state: string;
    reason?: string;
    openedAt: string;
    lastOccurredAt: string;
    acknowledgedBy?: string;
    note?: string;
  }
  interface Command {
    id: string;
    deviceId: string;
    type: string;
    status: string;
    statusReason: string | null;
    issuedAt: string;
  }
  interface Transition {
    from: string;
    to: string;
    reason: string;
    at: string;
  }
  interface Zone {
    id: string;
    name: string;
    kind: string;
  }
  interface Occupancy {
    zoneId: string;
    total: number;
    occupied: number;
    free: number;
    unknown: number;
    closed: boolean;
  }
  interface StateChanged {
    kind: 'device.state-changed';
    deviceId: string;
    deviceType?: string;
    zoneId?: string;
    from: string;
    to: string;
    reason: string;
    at: string;
  }
  interface FailoverEvent {
    kind: string;
    groupId: string;
    zoneId: string;
    from: string | null;
    to: string | null;
    reason: string;
    at: string;
  }

  interface StandSummary {
    zoneId: string;
    mode: string;
  }
  interface QueueLength {
    queue: string;
    vehicleClass: string;
    lot: number;
    curb: number;
    passengers: number;
  }
  interface MatchView {
    matchId: string;
    zoneId: string;
    plate: string;
    ticket: string;
    queue: string;
    vehicleClass: string;
    matchedAt: string;
  }
  interface ZoneDispatch {
    zoneId: string;
    mode: string;
    regions: string[];
    version: number;
    at: string;
    queues: QueueLength[];
    lot: number;
    curb: number;
    waits: { windowMin: number; count: number; p50S: number | null; p95S: number | null };
    matchesPerMinute: number;
    matchesTotal: number;
    activeMatches: MatchView[];
  }
  interface DispatchEvent {
    kind: string;
    zoneId: string;
    at: string;
    matchId?: string;
    plate?: string;
    ticket?: string;
    queue?: string;
    vehicleClass?: string;
  }
  interface RecentMatch {
    matchId: string;
    zoneId: string;
    plate: string;
    ticket: string;
    queue: string;
    vehicleClass: string;
    at: string;
  }

  const STATES = ['ONLINE', 'DEGRADED', 'FAULT', 'OFFLINE', 'MAINTENANCE', 'UNKNOWN'];
  const ALERT_RANK: Record<string, number> = { OPEN: 0, ACKNOWLEDGED: 1, RESOLVED: 2 };
  const RESOLVED_FADE_MS = 15_000;
  const COMMAND_RANK: Record<string, number> = { QUEUED: 0, SENT: 1, DELIVERED: 2 };
  const TERMINAL_RANK = 3;
  const SESSION_KEY = 'landside.session';

  // ---------- state ----------
  let session: Login | null = null;
  let refreshTimer: number | undefined;
  let stomp: import('@stomp/stompjs').Client | null = null;
  let generation = 0; // bumps on every (re)connect: stale snapshots are dropped
  const devices = new Map<string, Device>();
  const alerts = new Map<string, Alert>();
  const commands = new Map<string, Command>();
  const occupancy = new Map<string, Occupancy>();
  const zoneNames = new Map<string, string>();
  const failovers: FailoverEvent[] = [];
  const stands = new Map<string, ZoneDispatch | { zoneId: string; mode: string; error: string }>();
  const recentMatches: RecentMatch[] = [];
  const MAX_MATCHES = 30;
  let selected: string | null = null;

  // ---------- DOM helpers ----------
  function $(id: string): HTMLElement {
    const el = document.getElementById(id);
    if (!el) throw new Error(`missing #${id}`);
    return el;
  }
  function h(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') el.className = v;
      else el.setAttribute(k, v);
    }
    for (const c of children) el.append(c);
    return el;
  }
  function time(iso: string | null | undefined): string {
    if (!iso) return '—';
    const d = new Date(iso);
    return d.toLocaleTimeString([], { hour12: false });
  }
  function isAdmin(): boolean {
    return session?.role === 'ADMIN';
  }

  // ---------- HTTP ----------
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (session) headers.Authorization = `Bearer ${session.accessToken}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && session && path !== '/auth/refresh' && path !== '/auth/login') {
      if (await refresh()) return api<T>(method, path, body);
      logout('Session expired: sign in again.');
    }
    if (!res.ok) {
      let detail = `${res.status}`;
      try {
        const j = (await res.json()) as { message?: unknown; error?: unknown };
        detail = `${res.status} ${String(j.error ?? j.message ?? '')}`;
      } catch {
        detail = `${res.status} ${res.statusText}`;
      }
      throw new Error(detail);
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  async function all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    const sep = path.includes('?') ? '&' : '?';
    do {
      const page: Page<T> = await api<Page<T>>('GET', `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  // ---------- auth ----------
  async function login(username: string, password: string): Promise<void> {
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(res.status === 401 ? 'Wrong user name or password.' : `Sign-in failed (${res.status}).`);
    startSession((await res.json()) as Login);
  }

  function startSession(s: Login): void {
    session = s;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    scheduleRefresh();
    $('login-view').hidden = true;
    $('main-view').hidden = false;
    $('logout').hidden = false;
    $('who').textContent = `${s.role.toLowerCase()}${s.zones && s.zones.length ? ` · zones ${s.zones.join(', ')}` : ''}`;
    document.body.dataset.role = s.role;
    connect();
  }

  function scheduleRefresh(): void {
    window.clearTimeout(refreshTimer);
    if (!session) return;
    // refresh at 80 % of the lifetime (at least 5 s ahead)
    const ms = Math.max(1000, Math.min(session.expiresIn * 800, (session.expiresIn - 5) * 1000));
    refreshTimer = window.setTimeout(() => void refresh(), ms);
  }

  let refreshing: Promise<boolean> | null = null;
  function refresh(): Promise<boolean> {
    if (!session) return Promise.resolve(false);
    refreshing ??= (async () => {
      try {
        const res = await fetch('/api/auth/refresh', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: session?.refreshToken }),
        });
        if (!res.ok) {
          logout('Session expired: sign in again.');
          return false;
        }
        session = (await res.json()) as Login;
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
        scheduleRefresh();
        // The STOMP session carries the token it connected with: reconnect with the new one.
        if (stomp) {
          stomp.connectHeaders = { Authorization: `Bearer ${session.accessToken}` };
          stomp.forceDisconnect();
        }
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  function logout(message = ''): void {
    const s = session;
    session = null;
    sessionStorage.removeItem(SESSION_KEY);
    window.clearTimeout(refreshTimer);
    if (s) void fetch('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json', Authorization: `Bearer ${s.accessToken}` }, body: JSON.stringify({ refreshToken: s.refreshToken }) }).catch(() => undefined);
    void stomp?.deactivate();
    stomp = null;
    setConn('DISCONNECTED', 'Signed out');
    $('main-view').hidden = true;
    $('logout').hidden = true;
    $('login-view').hidden = false;
    $('who').textContent = '';
    $('login-error').textContent = message;
  }

  // ---------- STOMP ----------
  function setConn(state: 'CONNECTED' | 'CONNECTING' | 'DISCONNECTED', text: string): void {
    const el = $('conn');
    el.dataset.conn = state;
    el.textContent = text;
  }

  function transports(): string[] | undefined {
    const t = new URLSearchParams(location.search).get('transports');
    return t ? t.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
  }

  function connect(): void {
    if (!session) return;
    const chosen = transports();
    let attempts = 0;
    const client = new StompJs.Client({
      webSocketFactory: () => new SockJS('/sockjs', null, chosen ? { transports: chosen } : {}),
      connectHeaders: { Authorization: `Bearer ${session.accessToken}` },
      reconnectDelay: 1000,
      maxReconnectDelay: 30_000,
      reconnectTimeMode: StompJs.ReconnectionTimeMode.EXPONENTIAL,
      heartbeatIncoming: 20_000,
      heartbeatOutgoing: 20_000,
      beforeConnect: () => {
        attempts++;
        setConn('CONNECTING', attempts > 1 ? `Reconnecting (attempt ${attempts})…` : 'Connecting…');
      },
      onConnect: () => {
        attempts = 0;
        setConn('CONNECTED', `Live · ${chosen ? chosen.join('/') : 'SockJS'}`);
        void subscribeAndSnapshot(client);
      },
      onStompError: (frame) => {
        const code = frame.headers['error-code'] ?? '';
        setConn('DISCONNECTED', `Error: ${frame.headers.message ?? code}`);
        if (code === 'token-expired' || code === 'unauthenticated') void refresh();
      },
      onWebSocketClose: () => {
        if (session) setConn('CONNECTING', 'Connection lost, reconnecting…');
      },
    });
    stomp = client;
    client.activate();
  }

  async function subscribeAndSnapshot(client: import('@stomp/stompjs').Client): Promise<void> {
    const gen = ++generation;
    // Subscribe first and buffer, then snapshot, then replay the buffer: no gap between the two.
    let buffer: Array<() => void> | null = [];
    const on = (destination: string, handle: (body: unknown) => void): void => {
      client.subscribe(destination, (message) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.body);
        } catch {
          return;
        }
        if (buffer) buffer.push(() => handle(parsed));
        else handle(parsed);
      });
    };
    on('/topic/devices', (b) => applyStateChange(b as StateChanged));
    on('/topic/alerts', (b) => applyAlert((b as { alert: Alert }).alert));
    on('/topic/commands', (b) => applyCommand((b as { command: Command }).command));
    on('/topic/failovers', (b) => addFailover(b as FailoverEvent));
    on('/topic/occupancy', (b) => applyOccupancy(b as Occupancy));
    try {
      const [deviceList, open, acked, zones] = await Promise.all([
        all<Device>('/devices'),
        all<Alert>('/alerts?state=OPEN'),
        all<Alert>('/alerts?state=ACKNOWLEDGED'),
        all<Zone>('/zones').catch(() => [] as Zone[]),
      ]);
      if (gen !== generation) return;
      devices.clear();
      for (const d of deviceList) devices.set(d.id, d);
      alerts.clear();
      for (const a of [...open, ...acked]) alerts.set(a.id, a);
      zoneNames.clear();
      for (const z of zones) zoneNames.set(z.id, z.name);
      const carParks = zones.filter((z) => z.kind === 'CAR_PARK');
      const occ = await Promise.all(carParks.map((z) => api<Occupancy>('GET', `/zones/${encodeURIComponent(z.id)}/occupancy`).catch(() => null)));
      if (gen !== generation) return;
      occupancy.clear();
      for (const o of occ) if (o) occupancy.set(o.zoneId, o);
    } catch (err) {
      setConn('CONNECTED', `Live · snapshot failed: ${(err as Error).message}`);
    } finally {
      const pending = buffer ?? [];
      buffer = null;
      for (const fn of pending) fn();
      renderAll();
    }
    if (gen === generation) await snapshotStands(client, gen);
  }

  // ---------- taxi stands ----------
  // Stand list first, then one subscription per stand, then each stand's figures: anything that
  // happens after the subscription re-fetches the figures, so the board cannot stay behind.
  async function snapshotStands(client: import('@stomp/stompjs').Client, gen: number): Promise<void> {
    let list: StandSummary[];
    try {
      list = await all<StandSummary>('/dispatch/stands');
    } catch (err) {
      if (gen !== generation) return;
      stands.clear();
      $('stand-count').textContent = `unavailable: ${(err as Error).message}`;
      renderStands();
      return;
    }
    if (gen !== generation) return;
    stands.clear();
    recentMatches.length = 0;
    for (const s of list) {
      stands.set(s.zoneId, { zoneId: s.zoneId, mode: s.mode, error: 'loading…' });
      client.subscribe(`/topic/dispatch/${s.zoneId}`, (message) => {
        if (gen !== generation) return;
        let e: DispatchEvent;
        try {
          e = JSON.parse(message.body) as DispatchEvent;
        } catch {
          return;
        }
        if (e.kind === 'dispatch.matched' && e.matchId && e.plate && e.ticket) {
          addMatch({ matchId: e.matchId, zoneId: e.zoneId || s.zoneId, plate: e.plate, ticket: e.ticket, queue: e.queue ?? '', vehicleClass: e.vehicleClass ?? '', at: e.at });
        }
        void loadStand(s.zoneId, gen);
      });
    }
    renderStands();
    await Promise.all(list.map((s) => loadStand(s.zoneId, gen, true)));
  }

  async function loadStand(zoneId: string, gen: number, seed = false): Promise<void> {
    try {
      const view = await api<ZoneDispatch>('GET', `/dispatch/zones/${encodeURIComponent(zoneId)}`);
      if (gen !== generation) return;
      const known = stands.get(zoneId);
      // responses can overtake each other: never replace newer figures with older ones
      if (known && 'version' in known && known.version > view.version) return;
      stands.set(zoneId, view);
      if (seed) for (const m of view.activeMatches) addMatch({ ...m, at: m.matchedAt }, false);
    } catch (err) {
      if (gen !== generation) return;
      const known = stands.get(zoneId);
      if (!known || !('version' in known)) stands.set(zoneId, { zoneId, mode: known?.mode ?? '?', error: (err as Error).message });
    }
    renderStands();
  }

  function addMatch(m: RecentMatch, render = true): void {
    if (recentMatches.some((x) => x.matchId === m.matchId)) return;
    recentMatches.push(m);
    recentMatches.sort((a, b) => b.at.localeCompare(a.at));
    recentMatches.length = Math.min(recentMatches.length, MAX_MATCHES);
    if (render) renderStands();
  }

  function seconds(s: number | null): string {
    if (s === null) return '—';
    return s < 120 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`;
  }

  function renderStands(): void {
    const list = [...stands.values()].sort((a, b) => a.zoneId.localeCompare(b.zoneId));
    $('stand-count').textContent = `${list.length} stand${list.length === 1 ? '' : 's'}`;
    $('stands').replaceChildren(
      ...(list.length
        ? list.map((s) => {
            const title = h('h3', {}, zoneNames.get(s.zoneId) && zoneNames.get(s.zoneId) !== s.zoneId ? `${zoneNames.get(s.zoneId)} (${s.zoneId})` : s.zoneId, h('span', { class: 'mode', 'data-mode': s.mode }, s.mode));
            if (!('version' in s)) return h('div', { class: 'stand', 'data-stand-id': s.zoneId }, title, h('p', { class: 'muted' }, s.error));
            const fig = (label: string, value: string, attr: string): HTMLElement => h('span', { [attr]: value }, `${label} `, h('b', {}, value));
            return h(
              'div',
              { class: 'stand', 'data-stand-id': s.zoneId, 'data-version': String(s.version) },
              title,
              h(
                'div',
                { class: 'figures' },
                fig('lot', String(s.lot), 'data-lot'),
                fig('curb', String(s.curb), 'data-curb'),
                fig('wait p50', seconds(s.waits.p50S), 'data-wait-p50'),
                fig('p95', seconds(s.waits.p95S), 'data-wait-p95'),
                fig('matches/min', String(Math.round(s.matchesPerMinute * 10) / 10), 'data-matches-per-minute'),
                fig('active', String(s.activeMatches.length), 'data-active-matches'),
              ),
              h(
                'table',
                { class: 'zones queues' },
                h('thead', {}, h('tr', {}, h('th', {}, 'Queue'), h('th', {}, 'Class'), h('th', {}, 'Lot'), h('th', {}, 'Curb'), h('th', {}, 'Passengers'))),
                h(
                  'tbody',
                  {},
                  ...(s.queues.length
                    ? s.queues.map((q) =>
                        h(
                          'tr',
                          { 'data-queue': q.queue, 'data-class': q.vehicleClass },
                          h('td', {}, q.queue),
                          h('td', {}, q.vehicleClass),
                          ...(['lot', 'curb', 'passengers'] as const).map((k) => h('td', { 'data-count': k, class: q[k] ? '' : 'zero' }, String(q[k]))),
                        ),
                      )
                    : [h('tr', {}, h('td', { class: 'muted', colspan: '5' }, 'no queues'))]),
                ),
              ),
            );
          })
        : [h('p', { class: 'muted' }, 'No taxi stands configured.')]),
    );
    $('taxi-matches').replaceChildren(
      ...(recentMatches.length
        ? recentMatches.map((m) =>
            h(
              'li',
              { 'data-match-id': m.matchId, 'data-match-plate': m.plate, 'data-match-ticket': m.ticket, 'data-stand-id': m.zoneId },
              `${time(m.at)} ${m.zoneId} · `,
              h('b', {}, m.plate),
              ' ↔ ticket ',
              h('b', {}, m.ticket),
              ` · ${m.queue}${m.vehicleClass ? ` ${m.vehicleClass}` : ''}`,
            ),
          )
        : [h('li', { class: 'muted' }, 'No matches yet.')]),
    );
  }

  // ---------- applying events ----------
  function applyStateChange(e: StateChanged): void {
    if (e.kind !== 'device.state-changed') return;
    const d = devices.get(e.deviceId);
    if (d) {
      // an event older than the snapshot's state does not regress it
      if (d.stateSince && Date.parse(e.at) < Date.parse(d.stateSince)) return;
      d.state = e.to;
      d.stateReason = e.reason;
      d.stateSince = e.at;
    } else {
      devices.set(e.deviceId, {
        id: e.deviceId,
        type: e.deviceType ?? '?',
        name: e.deviceId,
        zoneId: e.zoneId ?? null,
        state: e.to,
        stateReason: e.reason,
        stateSince: e.at,
        flapping: false,
        lastSeenAt: null,
        maintenance: e.to === 'MAINTENANCE',
      });
    }
    renderDevices();
    renderZones();
    if (selected === e.deviceId) {
      renderPanelSummary();
      void loadHistory(e.deviceId);
    }
  }

  function applyAlert(a: Alert | undefined): void {
    if (!a) return;
    const known = alerts.get(a.id);
    if (known && (ALERT_RANK[a.state] ?? 0) < (ALERT_RANK[known.state] ?? 0)) return;
    alerts.set(a.id, { ...known, ...a });
    // A resolved alert stays a moment, faded, so the wall screen shows it went away.
    if (a.state === 'RESOLVED' && known?.state !== 'RESOLVED') {
      window.setTimeout(() => {
        if (alerts.get(a.id)?.state === 'RESOLVED') {
          alerts.delete(a.id);
          renderAlerts();
        }
      }, RESOLVED_FADE_MS);
    }
    renderAlerts();
  }

  function commandRank(status: string): number {
    return COMMAND_RANK[status] ?? TERMINAL_RANK;
  }
  function applyCommand(c: Command | undefined): void {
    if (!c) return;
    const known = commands.get(c.id);
    if (known && commandRank(c.status) < commandRank(known.status)) return;
    commands.set(c.id, c);
    renderCommands();
  }

  function addFailover(f: FailoverEvent): void {
    failovers.unshift(f);
    failovers.length = Math.min(failovers.length, 50);
    renderFailovers();
  }

  function applyOccupancy(o: Occupancy): void {
    if (!o.zoneId) return;
    occupancy.set(o.zoneId, o);
    renderOccupancy();
  }

  // ---------- rendering ----------
  function renderAll(): void {
    renderZones();
    renderDevices();
    renderAlerts();
    renderCommands();
    renderFailovers();
    renderOccupancy();
  }

  function renderZones(): void {
    const counts = new Map<string, Record<string, number>>();
    for (const d of devices.values()) {
      const z = d.zoneId ?? '(no zone)';
      const row = counts.get(z) ?? Object.fromEntries(STATES.map((s) => [s, 0]));
      row[d.state] = (row[d.state] ?? 0) + 1;
      counts.set(z, row);
    }
    const tbody = $('zones').querySelector('tbody')!;
    tbody.replaceChildren(
      ...[...counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([zone, row]) =>
          h(
            'tr',
            { 'data-zone-id': zone },
            h('td', {}, zoneNames.get(zone) && zoneNames.get(zone) !== zone ? `${zoneNames.get(zone)} (${zone})` : zone),
            ...STATES.map((s) => h('td', { class: row[s] ? `nz-${s}` : '', 'data-state': s }, String(row[s] ?? 0))),
          ),
        ),
    );
  }

  function renderDevices(): void {
    const text = (document.getElementById('filter-text') as HTMLInputElement).value.trim().toLowerCase();
    const state = (document.getElementById('filter-state') as HTMLSelectElement).value;
    const list = [...devices.values()]
      .filter((d) => !state || d.state === state)
      .filter((d) => !text || `${d.id} ${d.name} ${d.type} ${d.zoneId ?? ''}`.toLowerCase().includes(text))
      .sort((a, b) => (a.zoneId ?? '').localeCompare(b.zoneId ?? '') || a.id.localeCompare(b.id));
    $('device-count').textContent = `${list.length} of ${devices.size} devices`;
    $('devices').replaceChildren(
      ...list.map((d) => {
        const tile = h(
          'button',
          { type: 'button', class: `tile${selected === d.id ? ' selected' : ''}`, 'data-device-id': d.id, 'data-state': d.state, title: `${d.id}: ${d.state}${d.stateReason ? ` (${d.stateReason})` : ''}` },
          h('span', { class: 'id' }, d.id),
          h('span', { class: 'meta' }, `${d.type} · ${d.zoneId ?? '—'}`),
          h('span', { class: 'st' }, `${d.state}${d.flapping ? ' · FLAPPING' : ''}`),
        );
        tile.addEventListener('click', () => selectDevice(d.id));
        return tile;
      }),
    );
  }

  function renderAlerts(): void {
    const list = [...alerts.values()].sort((a, b) => (ALERT_RANK[a.state] ?? 0) - (ALERT_RANK[b.state] ?? 0) || b.lastOccurredAt.localeCompare(a.lastOccurredAt));
    $('alert-count').textContent = `${list.filter((a) => a.state === 'OPEN').length} open · ${list.filter((a) => a.state !== 'RESOLVED').length} active`;
    $('alerts').replaceChildren(
      ...list.map((a) => {
        const li = h(
          'li',
          { class: a.state === 'RESOLVED' ? 'alert resolved' : 'alert', 'data-alert-id': a.id, 'data-device-id': a.deviceId, 'data-alert-state': a.state, 'data-severity': a.severity },
          h('span', { class: 'sev' }, a.severity),
          h('strong', {}, `${a.kind} · ${a.deviceId}`),
          h('span', { class: 'muted' }, `${a.state} · ${time(a.lastOccurredAt)}${a.acknowledgedBy ? ` · ack ${a.acknowledgedBy}: ${a.note ?? ''}` : ''}`),
        );
        if (a.state === 'OPEN') {
          const note = h('input', { class: 'ack-note', placeholder: 'note', 'aria-label': `note for ${a.deviceId}` }) as HTMLInputElement;
          const btn = h('button', { type: 'button', class: 'ack' }, 'Acknowledge');
          btn.addEventListener('click', () => {
            const text = note.value.trim() || 'acknowledged from dashboard';
            api<Alert>('POST', `/alerts/${a.id}/ack`, { note: text })
              .then(applyAlert)
              .catch((err: Error) => window.alert(`Acknowledge failed: ${err.message}`));
          });
          li.append(note, btn);
        }
        return li;
      }),
    );
  }

  function renderFailovers(): void {
    $('failovers').replaceChildren(
      ...(failovers.length
        ? failovers.map((f) => h('li', { 'data-group-id': f.groupId }, `${time(f.at)} ${f.kind} · group ${f.groupId} (${f.zoneId}): ${f.from ?? '—'} → ${f.to ?? '—'} (${f.reason})`))
        : [h('li', { class: 'muted' }, 'No failovers since this page opened.')]),
    );
  }

  function renderOccupancy(): void {
    const tbody = $('occupancy').querySelector('tbody')!;
    tbody.replaceChildren(
      ...[...occupancy.values()]
        .sort((a, b) => a.zoneId.localeCompare(b.zoneId))
        .map((o) =>
          h(
            'tr',
            { 'data-zone-id': o.zoneId },
            h('td', {}, `${o.zoneId}${o.closed ? ' (CLOSED)' : ''}`),
            o.total === 0
              ? h('td', { class: 'muted' }, 'no bays')
              : h('td', { class: o.free === 0 ? 'nz-FAULT' : 'nz-ONLINE', 'data-free': String(o.free) }, o.free === 0 ? 'FULL' : String(o.free)),
            h('td', {}, String(o.occupied)),
            h('td', {}, String(o.unknown)),
            h('td', {}, String(o.total)),
          ),
        ),
    );
  }

  // ---------- device panel ----------
  function selectDevice(id: string | null): void {
    selected = id;
    $('device-panel').hidden = id === null;
    renderDevices();
    if (!id) return;
    $('dp-id').textContent = id;
    $('dp-commands').hidden = !isAdmin();
    renderPanelSummary();
    renderCommands();
    void loadHistory(id);
    if (isAdmin()) {
      void all<Command>(`/commands?deviceId=${encodeURIComponent(id)}`)
        .then((list) => {
          for (const c of list) applyCommand(c);
        })
        .catch(() => undefined);
    }
  }

  function renderPanelSummary(): void {
    const d = selected ? devices.get(selected) : undefined;
    $('dp-summary').textContent = d
      ? `${d.type} in ${d.zoneId ?? '—'} · ${d.state}${d.stateReason ? ` (${d.stateReason})` : ''} since ${time(d.stateSince)} · last seen ${time(d.lastSeenAt)}`
      : '';
    $('dp-summary').dataset.state = d?.state ?? '';
  }

  async function loadHistory(id: string): Promise<void> {
    try {
      const page = await api<Page<Transition>>('GET', `/devices/${encodeURIComponent(id)}/history?limit=50`);
      if (selected !== id) return;
      $('dp-history').replaceChildren(...page.items.map((t) => h('li', {}, `${time(t.at)} ${t.from} → ${t.to} (${t.reason})`)));
    } catch (err) {
      $('dp-history').replaceChildren(h('li', { class: 'error' }, `history unavailable: ${(err as Error).message}`));
    }
  }

  function renderCommands(): void {
    if (!selected) return;
    const list = [...commands.values()].filter((c) => c.deviceId === selected).sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
    $('dp-command-list').replaceChildren(
      ...list.slice(0, 20).map((c) =>
        h('li', { 'data-command-id': c.id }, `${time(c.issuedAt)} ${c.type} `, h('span', { class: 'status', 'data-status': c.status }, c.status), c.statusReason ? ` (${c.statusReason})` : ''),
      ),
    );
  }

  function sendCommand(): void {
    if (!selected || !isAdmin()) return;
    const type = (document.getElementById('dp-type') as HTMLSelectElement).value;
    api<Command>('POST', `/devices/${encodeURIComponent(selected)}/commands`, { type })
      .then(applyCommand)
      .catch((err: Error) => window.alert(`Command refused: ${err.message}`));
  }

  // ---------- wiring ----------
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const user = (document.getElementById('username') as HTMLInputElement).value;
    const pass = (document.getElementById('password') as HTMLInputElement).value;
    $('login-error').textContent = '';
    login(user, pass).catch((err: Error) => ($('login-error').textContent = err.message));
  });
  $('logout').addEventListener('click', () => logout());
  $('filter-text').addEventListener('input', renderDevices);
  $('filter-state').addEventListener('change', renderDevices);
  $('dp-close').addEventListener('click', () => selectDevice(null));
  $('dp-send').addEventListener('click', sendCommand);

  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) {
    try {
      session = JSON.parse(saved) as Login;
      // the stored access token may be stale: refresh first, then start
      void refresh().then((ok) => {
        if (ok && session) startSession(session);
      });
    } catch {
      sessionStorage.removeItem(SESSION_KEY);
    }
  }
})();
