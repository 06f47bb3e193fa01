// Landside operator dashboard: plain TypeScript + DOM, loaded as a classic script after the SockJS
// and STOMP bundles. Snapshot over HTTP, then deltas over STOMP (SockJS transport); re-snapshots on
// every (re)connect so nothing missed while disconnected stays wrong on the wall. The access token
// is renewed before it expires and handed to the live STOMP session in-band (SPEC §3), so a
// long-running wall screen keeps one connection.
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
    resolvedAt?: string;
    resolvedBy?: string;
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
  let refreshDueAt = 0; // epoch ms at which the access token should be renewed
  let stomp: import('@stomp/stompjs').Client | null = null;
  // The subscription that carries a renewed token in-band (see handTokenToStomp).
  let carrier: import('@stomp/stompjs').StompSubscription | null = null;
  let carrierSeq = 0;
  let connects = 0; // CONNECTED frames received by this page
  let tokenHandovers = 0; // renewed tokens the live session confirmed (RECEIPT)
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
  // admin/operator actions: which are in flight, and the server's refusal per target
  const busy = new Set<string>();
  const alertErrors = new Map<string, string>();
  const commandErrors = new Map<string, string>();
  const deviceErrors = new Map<string, string>();
  const ackNotes = new Map<string, string>(); // typed notes survive a re-render of the list
  let maintenanceConfirm: { deviceId: string; on: boolean } | null = null;

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
  /** Re-renders what one element lost to a re-render: focus (by data-focus-key) and the caret. */
  function keepFocus(container: HTMLElement, render: () => void): void {
    const active = document.activeElement;
    const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
    render();
    if (!key) return;
    const again = [...container.querySelectorAll<HTMLElement>('[data-focus-key]')].find((el) => el.dataset.focusKey === key);
    if (!again || (again as HTMLButtonElement).disabled) return;
    again.focus();
    if (again instanceof HTMLInputElement) again.setSelectionRange(again.value.length, again.value.length);
  }

  // ---------- HTTP ----------
  /** A refusal from the API, with the server's code and message (SPEC §8 error bodies). */
  class ApiError extends Error {
    constructor(
      readonly status: number,
      readonly code: string,
      detail: string,
    ) {
      super(`${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`);
    }
  }

  async function errorOf(res: Response): Promise<ApiError> {
    let code = '';
    let detail = res.statusText;
    try {
      const j = (await res.json()) as { error?: unknown; message?: unknown; fields?: unknown };
      if (typeof j.error === 'string') code = j.error;
      if (typeof j.message === 'string') detail = j.message;
      else if (Array.isArray(j.message)) detail = j.message.map(String).join('; ');
      if (j.fields && typeof j.fields === 'object') {
        const fields = Object.entries(j.fields as Record<string, unknown>)
          .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map(String).join(', ') : String(v)}`)
          .join('; ');
        if (fields) detail = typeof j.message === 'string' ? `${j.message} (${fields})` : fields;
      }
    } catch {
      // not JSON: the status text says what there is
    }
    return new ApiError(res.status, code, detail);
  }

  async function api<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const token = session?.accessToken;
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && token && session && !retried) {
      // Sent with a token renewed since: just send again. Otherwise renew now, then send again.
      if (session.accessToken !== token) return api<T>(method, path, body, true);
      const renewed = await refresh();
      if (renewed === 'ok') return api<T>(method, path, body, true);
      throw new ApiError(401, 'unauthenticated', renewed === 'refused' ? 'the session has ended' : 'the session could not be renewed');
    }
    if (!res.ok) throw await errorOf(res);
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

  /**
   * Runs one user action: one at a time per key (its button shows it is busy), the server's
   * refusal kept under errorKey and shown next to the target until the next try. The outcome is
   * also announced once to screen readers (the inline texts are re-rendered with their lists, so
   * they are not live regions themselves).
   */
  async function perform<T>(
    key: string,
    errors: Map<string, string>,
    errorKey: string,
    failure: string,
    render: () => void,
    run: () => Promise<T>,
    success?: string,
  ): Promise<T | undefined> {
    if (busy.has(key)) return undefined;
    busy.add(key);
    errors.delete(errorKey);
    render();
    try {
      const result = await run();
      if (success) announce(success);
      return result;
    } catch (err) {
      const text = `${failure}: ${(err as Error).message}`;
      errors.set(errorKey, text);
      announce(text);
      return undefined;
    } finally {
      busy.delete(key);
      render();
    }
  }

  // ---------- auth ----------
  async function login(username: string, password: string): Promise<void> {
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(res.status === 401 ? 'Wrong user name or password.' : `Sign-in failed (${(await errorOf(res)).message}).`);
    adopt((await res.json()) as Login);
    startSession();
  }

  /** Takes a freshly issued token pair: keeps it for REST and a reload, and schedules its renewal. */
  function adopt(s: Login): void {
    session = s;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    scheduleRefresh();
  }

  function showWho(): void {
    if (!session) return;
    $('who').textContent = `${session.role.toLowerCase()}${session.zones && session.zones.length ? ` · zones ${session.zones.join(', ')}` : ''}`;
    document.body.dataset.role = session.role;
  }

  function startSession(): void {
    if (!session) return;
    $('login-view').hidden = true;
    $('main-view').hidden = false;
    $('logout').hidden = false;
    showWho();
    connect();
  }

  function scheduleRefresh(): void {
    window.clearTimeout(refreshTimer);
    if (!session) return;
    // Renew at ~80 % of the lifetime. The token's exp is in whole seconds, so it may end up to a
    // second before expiresIn says: count from a second less. (A background tab's timers may run
    // late: the visibilitychange check below catches up, and an expired STOMP session reconnects.)
    const lifetimeMs = Math.max(0, session.expiresIn * 1000 - 1000);
    const inMs = Math.max(1000, lifetimeMs * 0.8);
    refreshDueAt = Date.now() + inMs;
    refreshTimer = window.setTimeout(() => void refresh(), inMs);
  }

  type Renewal = 'ok' | 'refused' | 'unavailable';
  let refreshing: Promise<Renewal> | null = null;
  /**
   * POST /auth/refresh with the rotating refresh token. One at a time (a refresh token is good for
   * one use). Refused (400/401/403): back to the sign-in screen with the reason. Server or network
   * trouble: try again in a few seconds, the session stays.
   */
  function refresh(): Promise<Renewal> {
    const current = session;
    if (!current) return Promise.resolve('refused');
    refreshing ??= (async (): Promise<Renewal> => {
      let res: Response;
      try {
        res = await fetch('/api/auth/refresh', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
        });
      } catch {
        return retryRefresh('the server is unreachable');
      }
      if (session !== current) return 'refused'; // signed out meanwhile
      if (res.status === 400 || res.status === 401 || res.status === 403) {
        const why = await errorOf(res);
        logout(`Your session has ended (${why.code || why.status}): sign in again.`);
        return 'refused';
      }
      if (!res.ok) return retryRefresh(`the server answered ${res.status}`);
      let next: Login;
      try {
        next = (await res.json()) as Login;
      } catch {
        return retryRefresh('the answer was not readable');
      }
      if (session !== current) return 'refused';
      adopt(next);
      if ($('notice').dataset.kind === 'renewal') showNotice('');
      const scopeChanged = next.role !== current.role || JSON.stringify(next.zones) !== JSON.stringify(current.zones);
      handTokenToStomp(next.accessToken);
      if (scopeChanged) {
        // Role or zones changed at the user: show what the new scope allows, from a fresh snapshot.
        showWho();
        if (selected) selectDevice(selected);
        renderAlerts();
        stomp?.forceDisconnect();
      }
      return 'ok';
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  function retryRefresh(why: string): Renewal {
    if (!session) return 'refused';
    window.clearTimeout(refreshTimer);
    refreshDueAt = Date.now() + 5000;
    refreshTimer = window.setTimeout(() => void refresh(), 5000);
    showNotice(`Could not renew the session (${why}): retrying in 5 s.`, 'renewal');
    return 'unavailable';
  }

  function logout(message = ''): void {
    const s = session;
    session = null;
    sessionStorage.removeItem(SESSION_KEY);
    window.clearTimeout(refreshTimer);
    if (s) void fetch('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json', Authorization: `Bearer ${s.accessToken}` }, body: JSON.stringify({ refreshToken: s.refreshToken }) }).catch(() => undefined);
    void stomp?.deactivate();
    stomp = null;
    carrier = null;
    maintenanceConfirm = null;
    setConn('DISCONNECTED', 'Signed out');
    showNotice('');
    $('main-view').hidden = true;
    $('logout').hidden = true;
    $('login-view').hidden = false;
    $('who').textContent = '';
    delete document.body.dataset.role;
    (document.getElementById('password') as HTMLInputElement).value = '';
    $('login-error').textContent = message;
  }

  function showNotice(text: string, kind = ''): void {
    const el = $('notice');
    setText(el, text);
    el.dataset.kind = kind;
    el.hidden = text === '';
  }

  /** Writes text only when it changes, so a live region is not re-announced by a re-render. */
  function setText(el: HTMLElement, text: string): void {
    if (el.textContent !== text) el.textContent = text;
  }

  /** One polite live region for the outcome of an action (cleared first so a repeat is heard). */
  function announce(text: string): void {
    const el = $('announcer');
    el.textContent = '';
    window.setTimeout(() => (el.textContent = text), 50);
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
    let presented: string | undefined; // the token the latest CONNECT carried
    const client = new StompJs.Client({
      webSocketFactory: () => new SockJS('/sockjs', null, chosen ? { transports: chosen } : {}),
      connectHeaders: { Authorization: `Bearer ${session.accessToken}` },
      reconnectDelay: 1000,
      maxReconnectDelay: 30_000,
      reconnectTimeMode: StompJs.ReconnectionTimeMode.EXPONENTIAL,
      heartbeatIncoming: 20_000,
      heartbeatOutgoing: 20_000,
      beforeConnect: async () => {
        attempts++;
        setConn('CONNECTING', attempts > 1 ? `Reconnecting (attempt ${attempts})…` : 'Connecting…');
        // a (re)connect presents the newest token: wait for a renewal under way
        if (refreshing) await refreshing;
        presented = session?.accessToken;
        if (presented) client.connectHeaders = { Authorization: `Bearer ${presented}` };
      },
      onConnect: (frame) => {
        attempts = 0;
        connects++;
        const conn = $('conn');
        conn.dataset.session = frame.headers.session ?? '';
        conn.dataset.connects = String(connects);
        setConn('CONNECTED', `Live · ${chosen ? chosen.join('/') : 'SockJS'}`);
        carrier = subscribeErrors(client);
        // renewed while the CONNECT was on its way: the session holds the older token, hand it the new one
        if (session && presented !== session.accessToken) handTokenToStomp(session.accessToken);
        void subscribeAndSnapshot(client);
      },
      onStompError: (frame) => {
        const code = frame.headers['error-code'] ?? '';
        setConn('DISCONNECTED', `Error: ${frame.headers.message ?? code}`);
        // The server closed the session for its token: renew, and the reconnect presents the new one.
        if (code === 'token-expired' || code === 'unauthenticated') void refresh();
      },
      onWebSocketClose: () => {
        carrier = null;
        if (session) setConn('CONNECTING', 'Connection lost, reconnecting…');
      },
    });
    stomp = client;
    client.activate();
  }

  /**
   * The session's own error queue (SPEC §4: refusals of a frame's body arrive there). It is also
   * the carrier of a renewed token, see handTokenToStomp.
   */
  function subscribeErrors(client: import('@stomp/stompjs').Client, headers: Record<string, string> = {}): import('@stomp/stompjs').StompSubscription {
    return client.subscribe(
      '/user/queue/errors',
      (message) => {
        let e: { error?: string; detail?: string; destination?: string } = {};
        try {
          e = JSON.parse(message.body) as typeof e;
        } catch {
          // shown raw below
        }
        showNotice(`The server refused a message${e.destination ? ` to ${e.destination}` : ''}: ${e.error ?? ''} ${e.detail ?? message.body}`.trim());
      },
      { ...headers, id: `errors-${++carrierSeq}` },
    );
  }

  /**
   * Hands a renewed access token to the live STOMP session in-band (SPEC §3): any client frame
   * may carry `Authorization: Bearer <jwt>`; the server verifies it, checks it names the same
   * subject, and it replaces the session token before the frame itself is handled (libs/stomp
   * session.ts `handle` -> hooks.refresh, libs/messaging stomp-gateway.ts `refresh`).
   *
   * Which frame: the dashboard never SENDs, holds no ACK-able message (its subscriptions are
   * ack:auto) and @stomp/stompjs cannot put headers on BEGIN/ABORT, so the one frame it may
   * legitimately send at any time is a SUBSCRIBE. It re-subscribes its own error queue
   * (`/user/queue/errors`, which the destination policy allows every watcher) under a new id with
   * the token and a receipt, then UNSUBSCRIBEs the previous id. Frames of a session are handled in
   * order, so the queue is never unwatched, no topic subscription is touched (no duplicates, no
   * gap), and the subscription count stays the same. The RECEIPT confirms the server took the
   * token. Not connected right now: the next CONNECT presents the newest token (beforeConnect).
   */
  function handTokenToStomp(token: string): void {
    const client = stomp;
    if (!client) return;
    const bearer = `Bearer ${token}`;
    client.connectHeaders = { Authorization: bearer };
    const previous = carrier;
    if (!client.connected || !previous) return;
    const receipt = `token-${carrierSeq + 1}`;
    client.watchForReceipt(receipt, () => {
      tokenHandovers++;
      $('conn').dataset.tokenHandovers = String(tokenHandovers);
    });
    carrier = subscribeErrors(client, { Authorization: bearer, receipt });
    previous.unsubscribe();
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
      // the maintenance flag follows the live state: entering it, or leaving it
      if (e.to === 'MAINTENANCE') d.maintenance = true;
      else if (e.from === 'MAINTENANCE') d.maintenance = false;
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
      renderMaintenance();
      void loadHistory(e.deviceId);
    }
  }

  function applyAlert(a: Alert | undefined): void {
    if (!a) return;
    const known = alerts.get(a.id);
    if (known && (ALERT_RANK[a.state] ?? 0) < (ALERT_RANK[known.state] ?? 0)) return;
    alerts.set(a.id, { ...known, ...a });
    if (a.state === 'RESOLVED') {
      alertErrors.delete(a.id);
      ackNotes.delete(a.id);
    }
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
    if (commandRank(c.status) >= TERMINAL_RANK) commandErrors.delete(c.id);
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
    const container = $('alerts');
    keepFocus(container, () => container.replaceChildren(...list.map(alertItem)));
  }

  function alertItem(a: Alert): HTMLElement {
    const what = `${a.kind} alert for ${a.deviceId}`;
    const status =
      a.state === 'RESOLVED'
        ? `RESOLVED${a.resolvedBy ? ` by ${a.resolvedBy}` : ''} · ${time(a.resolvedAt ?? a.lastOccurredAt)}`
        : `${a.state} · ${time(a.lastOccurredAt)}${a.acknowledgedBy ? ` · ack ${a.acknowledgedBy}: ${a.note ?? ''}` : ''}`;
    const li = h(
      'li',
      { class: a.state === 'RESOLVED' ? 'alert resolved' : 'alert', 'data-alert-id': a.id, 'data-device-id': a.deviceId, 'data-alert-state': a.state, 'data-severity': a.severity },
      h('span', { class: 'sev' }, a.severity),
      h('strong', {}, `${a.kind} · ${a.deviceId}`),
      h('span', { class: 'muted state' }, status),
    );
    if (a.state === 'OPEN') {
      const note = h('input', { class: 'ack-note', placeholder: 'note', 'aria-label': `note for ${a.deviceId}`, 'data-focus-key': `ack-note:${a.id}` }) as HTMLInputElement;
      note.value = ackNotes.get(a.id) ?? '';
      note.addEventListener('input', () => ackNotes.set(a.id, note.value));
      const acking = busy.has(`ack:${a.id}`);
      const btn = h('button', { type: 'button', class: 'ack', 'aria-label': `Acknowledge ${what}`, 'data-focus-key': `ack:${a.id}` }, acking ? 'Acknowledging…' : 'Acknowledge') as HTMLButtonElement;
      btn.disabled = acking;
      btn.addEventListener('click', () => {
        const text = note.value.trim() || 'acknowledged from dashboard';
        void perform(`ack:${a.id}`, alertErrors, a.id, 'Acknowledge failed', renderAlerts, () => api<Alert>('POST', `/alerts/${a.id}/ack`, { note: text }), `${what} acknowledged`).then((done) => {
          if (!done) return;
          ackNotes.delete(a.id);
          applyAlert(done);
        });
      });
      li.append(note, btn);
    }
    // ADMIN only (SPEC §5: resolved by an admin); the server refuses anyone else with 403 anyway.
    if (isAdmin() && a.state !== 'RESOLVED') {
      const resolving = busy.has(`resolve:${a.id}`);
      const btn = h('button', { type: 'button', class: 'resolve', 'aria-label': `Resolve ${what}`, 'data-focus-key': `resolve:${a.id}` }, resolving ? 'Resolving…' : 'Resolve') as HTMLButtonElement;
      btn.disabled = resolving;
      btn.addEventListener('click', () => {
        void perform(`resolve:${a.id}`, alertErrors, a.id, 'Resolve failed', renderAlerts, () => api<Alert>('POST', `/alerts/${a.id}/resolve`), `${what} resolved`).then(applyAlert);
      });
      li.append(btn);
    }
    const error = alertErrors.get(a.id);
    if (error) li.append(h('span', { class: 'error inline' }, error));
    return li;
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
    if (id !== selected || id === null) maintenanceConfirm = null;
    selected = id;
    $('device-panel').hidden = id === null;
    renderDevices();
    if (!id) return;
    $('dp-id').textContent = id;
    $('dp-commands').hidden = !isAdmin();
    $('dp-command-error').textContent = '';
    renderPanelSummary();
    renderMaintenance();
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

  /**
   * Maintenance (ADMIN, PATCH /devices/{id} {maintenance}) behind a confirm step. The button says
   * what it will do; the status line says where the device is, from the live state: the PATCH
   * answer sets the flag, /topic/devices moves the tile to MAINTENANCE (or out of it).
   */
  function renderMaintenance(): void {
    const box = $('dp-maintenance');
    const d = selected ? devices.get(selected) : undefined;
    box.hidden = !isAdmin() || !d;
    if (!d || box.hidden) return;
    const pending = busy.has(`maintenance:${d.id}`);
    const confirming = maintenanceConfirm?.deviceId === d.id ? maintenanceConfirm : null;
    const toggle = $('dp-maint-toggle') as HTMLButtonElement;
    toggle.textContent = d.maintenance ? 'End maintenance…' : 'Put in maintenance…';
    toggle.dataset.action = d.maintenance ? 'off' : 'on';
    toggle.setAttribute('aria-expanded', String(confirming !== null));
    toggle.disabled = pending || confirming !== null;
    $('dp-maint-confirm').hidden = confirming === null;
    if (confirming) {
      $('dp-maint-question').textContent = confirming.on
        ? `Put ${d.id} in maintenance? It raises no alerts and is not watched for liveness until maintenance ends.`
        : `End maintenance for ${d.id}? It shows UNKNOWN until its next heartbeat, and alerts resume.`;
      const yes = $('dp-maint-yes') as HTMLButtonElement;
      yes.textContent = confirming.on ? 'Yes, put in maintenance' : 'Yes, end maintenance';
      yes.dataset.action = confirming.on ? 'on' : 'off';
    }
    let status = '';
    if (pending) status = 'Saving…';
    else if (d.maintenance && d.state === 'MAINTENANCE') status = `In maintenance since ${time(d.stateSince)}: no alerts.`;
    else if (d.maintenance) status = 'Maintenance on: waiting for the live state…';
    else if (d.state === 'MAINTENANCE') status = 'Maintenance off: waiting for the live state…';
    setText($('dp-maint-status'), status);
    setText($('dp-maint-error'), deviceErrors.get(d.id) ?? '');
  }

  function askMaintenance(): void {
    const d = selected ? devices.get(selected) : undefined;
    if (!d || !isAdmin()) return;
    maintenanceConfirm = { deviceId: d.id, on: !d.maintenance };
    deviceErrors.delete(d.id);
    renderMaintenance();
    $('dp-maint-question').focus(); // read the question first; Yes / No follow
  }

  function closeMaintenanceConfirm(): void {
    maintenanceConfirm = null;
    renderMaintenance();
    $('dp-maint-toggle').focus();
  }

  function confirmMaintenance(): void {
    const ask = maintenanceConfirm;
    if (!ask || !isAdmin()) return;
    maintenanceConfirm = null;
    const id = ask.deviceId;
    void perform(
      `maintenance:${id}`,
      deviceErrors,
      id,
      `Maintenance ${ask.on ? 'on' : 'off'} failed`,
      renderMaintenance,
      () => api<Device>('PATCH', `/devices/${encodeURIComponent(id)}`, { maintenance: ask.on }),
      `${id}: maintenance ${ask.on ? 'on' : 'off'}`,
    ).then((updated) => {
      const d = devices.get(id);
      // the flag from the answer; the state itself comes from /topic/devices
      if (updated && d) d.maintenance = updated.maintenance;
      renderMaintenance();
      if (selected === id) $('dp-maint-toggle').focus();
    });
  }

  async function loadHistory(id: string): Promise<void> {
    try {
      const page = await api<Page<Transition>>('GET', `/devices/${encodeURIComponent(id)}/history?limit=50`);
      if (selected !== id) return;
      $('dp-history').replaceChildren(...page.items.map((t) => h('li', {}, `${time(t.at)} ${t.from} → ${t.to} (${t.reason})`)));
    } catch (err) {
      if (selected !== id) return;
      $('dp-history').replaceChildren(h('li', { class: 'error' }, `history unavailable: ${(err as Error).message}`));
    }
  }

  /** SPEC §6: an admin may cancel a command before delivery (QUEUED or SENT). */
  const CANCELLABLE = new Set(['QUEUED', 'SENT']);

  function renderCommands(): void {
    if (!selected) return;
    const list = [...commands.values()].filter((c) => c.deviceId === selected).sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
    const container = $('dp-command-list');
    keepFocus(container, () =>
      container.replaceChildren(
        ...list.slice(0, 20).map((c) => {
          const li = h(
            'li',
            { 'data-command-id': c.id },
            `${time(c.issuedAt)} ${c.type} `,
            h('span', { class: 'status', 'data-status': c.status }, c.status),
            c.statusReason ? ` (${c.statusReason})` : '',
          );
          if (isAdmin() && CANCELLABLE.has(c.status)) {
            const cancelling = busy.has(`cancel:${c.id}`);
            const btn = h(
              'button',
              { type: 'button', class: 'cancel-command', 'aria-label': `Cancel ${c.type} command issued ${time(c.issuedAt)}`, 'data-focus-key': `cancel:${c.id}` },
              cancelling ? 'Cancelling…' : 'Cancel',
            ) as HTMLButtonElement;
            btn.disabled = cancelling;
            btn.addEventListener('click', () => {
              void perform(`cancel:${c.id}`, commandErrors, c.id, 'Cancel failed', renderCommands, () => api<Command>('POST', `/commands/${c.id}/cancel`, {}), `${c.type} command cancelled`).then(applyCommand);
            });
            li.append(' ', btn);
          }
          const error = commandErrors.get(c.id);
          if (error) li.append(h('span', { class: 'error inline' }, error));
          return li;
        }),
      ),
    );
  }

  function sendCommand(): void {
    if (!selected || !isAdmin()) return;
    const id = selected;
    const type = (document.getElementById('dp-type') as HTMLSelectElement).value;
    $('dp-command-error').textContent = '';
    api<Command>('POST', `/devices/${encodeURIComponent(id)}/commands`, { type })
      .then(applyCommand)
      .catch((err: Error) => {
        const text = `Command refused: ${err.message}`;
        announce(text);
        if (selected === id) $('dp-command-error').textContent = text;
      });
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
  $('dp-maint-toggle').addEventListener('click', askMaintenance);
  $('dp-maint-yes').addEventListener('click', confirmMaintenance);
  $('dp-maint-no').addEventListener('click', closeMaintenanceConfirm);
  $('dp-maint-confirm').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeMaintenanceConfirm();
  });
  // A hidden tab's timers may fire late: renew as soon as it is seen again if renewal is due.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && session && Date.now() >= refreshDueAt) void refresh();
  });

  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) {
    try {
      session = JSON.parse(saved) as Login;
      // the stored access token may be stale: refresh first, then start
      void refresh().then((renewal) => {
        if (renewal === 'ok' && session) startSession();
        else if (renewal === 'unavailable') logout('Could not reach the server to resume the session: sign in again.');
      });
    } catch {
      sessionStorage.removeItem(SESSION_KEY);
    }
  }
})();
