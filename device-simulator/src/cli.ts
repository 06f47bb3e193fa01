#!/usr/bin/env node
/**
 * `npm run simulate -- [run] [options]`, `npm run simulate -- score [options]`,
 * `npm run simulate -- airport --devices N`. See device-simulator/README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildAirport, countByType, topologyDocument } from './airport';
import { FAULT_KINDS, readTruthFile, type FaultKind } from './truth';
import { adminToken, type AdminCredentials } from './http';
import { parseDuration } from './random';
import { checkThresholds, formatReport, score } from './score';
import { parseMix, startSimulation } from './simulation';
import type { ScheduledFault } from './faults';

const USAGE = `Landside device simulator

Usage:
  simulate [run] --url URL (--token JWT | --username U --password P) [options]
  simulate score --truth FILE --url URL (--token JWT | --username U --password P) [thresholds]
  simulate airport --devices N [--prefix P]        print the topology document

run options:
  --devices N             target device count (default 200)
  --terminals N           terminals T1..Tn (default 2)
  --prefix P              prefix of every id (default none)
  --interval S            per-device heartbeat interval written to the topology (default: type's, 5 s)
  --tolerance N           per-device miss tolerance written to the topology (default: type's, 3)
  --duration D            stop after D (e.g. 90s, 10m); default: until Ctrl-C
  --truth FILE            ground-truth log, JSON lines (default truth-<time>.jsonl)
  --fault-rate N          random faults per minute (default 0)
  --faults K,K,...        kinds for --fault-rate (default all but RECONNECT_STORM):
                          ${FAULT_KINDS.join(', ')}
  --fault-duration D      how long each fault lasts (default 20s)
  --flap-period D         FLAPPING: time between changes (default 1s)
  --schedule FILE         JSON list of {atMs, fault, deviceId?, count?, deviceType?, durationMs?},
                          atMs counted from when every device is online
  --commands-per-min N    OPEN_GATE commands issued through the REST API (default 6)
  --event-scale X         event traffic multiplier, 0 = heartbeats only (default 1)
  --dispatch-scale X      taxi arrivals and passenger requests multiplier, 0 = none (default: event scale)
  --taxis-per-stand N     taxis registered per stand (default 80; 0: no dispatch in the topology)
  --curb-target N         taxis kept at the curb per (region, class) (default 2)
  --mix K=W,...           transports: stompjs-ws, stompjs-sockjs, raw-ws, raw-tcp
                          (default stompjs-ws=60,raw-ws=20,stompjs-sockjs=10,raw-tcp=10;
                          above 2,000 devices raw-ws=85,raw-tcp=10,stompjs-ws=4,stompjs-sockjs=1)
  --ws-url URL            default ws://HOST/stomp
  --sockjs-url URL        default http://HOST/sockjs
  --tcp-port N            STOMP over TCP (default 61613; 0: no TCP devices)
  --jitter X              heartbeat jitter, fraction of the interval (default 0.1)
  --token-concurrency N   device-token requests in flight (default 4)
  --no-provision          do not PUT /api/topology (needs --secrets FILE: {"deviceId":"secret"})
  --save-secrets FILE     after provisioning, write every device's secret there (for --no-provision)
  --seed N                repeatable randomness
  --quiet                 no progress lines

score options:
  --grace-ms N            alerts up to N ms after a recovery are explained by it (default 5000)
  --slack-ms N            extra allowance over SPEC's 1 s when judging "in time" (default 0)
  --min-recall X          exit 1 if recall < X
  --max-false-alerts N    exit 1 if more false alerts
  --max-latency-ms N      exit 1 if a detection came later than N ms after its fault
  --max-lateness-ms N     exit 1 if a detection came later than N ms after its deadline
  --min-command-success X exit 1 if the command success rate < X
  --max-double-matches N  exit 1 if more taxis or tickets were matched twice
  --fifo                  exit 1 if a passenger or taxi was served out of FIFO order
  --json                  print the whole report as JSON
`;

type Args = Map<string, string | true>;

function parseArgs(argv: string[]): { command: string; args: Args } {
  const args: Args = new Map();
  let command = 'run';
  let i = 0;
  if (argv[0] !== undefined && !argv[0].startsWith('-')) {
    command = argv[0];
    i = 1;
  }
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      args.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) {
      args.set(a.slice(2), argv[++i]!);
    } else {
      args.set(a.slice(2), true);
    }
  }
  return { command, args };
}

function str(args: Args, name: string): string | undefined {
  const v = args.get(name);
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

function num(args: Args, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
  return n;
}

function dur(args: Args, name: string): number | undefined {
  const v = str(args, name);
  return v === undefined ? undefined : parseDuration(v);
}

function credentials(args: Args): AdminCredentials {
  const token = str(args, 'token') ?? process.env['LANDSIDE_TOKEN'];
  if (token !== undefined) return { token };
  const username = str(args, 'username') ?? 'admin';
  const password = str(args, 'password') ?? process.env['ADMIN_PASSWORD'];
  if (password === undefined) throw new Error('give --token, or --username and --password (or ADMIN_PASSWORD)');
  return { username, password };
}

function faultKinds(text: string): FaultKind[] {
  return text.split(',').map((k) => {
    const kind = FAULT_KINDS.find((f) => f === k.trim().toUpperCase());
    if (kind === undefined) throw new Error(`unknown fault kind '${k}'; one of ${FAULT_KINDS.join(', ')}`);
    return kind;
  });
}

async function run(args: Args): Promise<number> {
  const url = str(args, 'url') ?? 'http://localhost:3000';
  const quiet = args.has('quiet');
  const log = (m: string): void => {
    if (!quiet) process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  };
  const truthFile = str(args, 'truth') ?? `truth-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
  const scheduleFile = str(args, 'schedule');
  const schedule = scheduleFile === undefined ? undefined : (JSON.parse(readFileSync(scheduleFile, 'utf8')) as ScheduledFault[]);
  const secretsFile = str(args, 'secrets');
  const provision = !args.has('no-provision');
  const kinds = str(args, 'faults');
  const interval = num(args, 'interval');
  const tolerance = num(args, 'tolerance');
  const saveSecrets = str(args, 'save-secrets');
  const sim = await startSimulation({
    url,
    wsUrl: str(args, 'ws-url'),
    sockjsUrl: str(args, 'sockjs-url'),
    tcpPort: num(args, 'tcp-port'),
    admin: credentials(args),
    airport: {
      devices: num(args, 'devices') ?? 200,
      terminals: num(args, 'terminals'),
      prefix: str(args, 'prefix'),
      taxisPerStand: num(args, 'taxis-per-stand'),
      curbTarget: num(args, 'curb-target'),
      ...(interval !== undefined ? { heartbeatIntervalS: interval } : {}),
      ...(tolerance !== undefined ? { missTolerance: tolerance } : {}),
    },
    provision,
    secrets: secretsFile === undefined ? undefined : new Map(Object.entries(JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>)),
    mix: str(args, 'mix') === undefined ? undefined : parseMix(str(args, 'mix')!),
    heartbeatJitter: num(args, 'jitter'),
    eventScale: num(args, 'event-scale'),
    dispatchScale: num(args, 'dispatch-scale'),
    onSecrets:
      saveSecrets === undefined
        ? undefined
        : (secrets) => {
            writeFileSync(saveSecrets, JSON.stringify(Object.fromEntries(secrets)), { mode: 0o600 });
            log(`device secrets written to ${saveSecrets}`);
          },
    commandsPerMin: num(args, 'commands-per-min'),
    faults: {
      schedule,
      ratePerMin: num(args, 'fault-rate'),
      kinds: kinds === undefined ? undefined : faultKinds(kinds),
      durationMs: dur(args, 'fault-duration'),
      flapPeriodMs: dur(args, 'flap-period'),
    },
    truthFile,
    seed: num(args, 'seed'),
    tokenConcurrency: num(args, 'token-concurrency'),
    log,
  });
  log(`ground truth: ${truthFile}`);
  const progress = setInterval(() => {
    const s = sim.stats;
    log(
      `online ${s.connected}/${sim.devices.size}, heartbeats ${s.heartbeats}, events ${s.events}, OPEN_GATE issued ${sim.commands.issued}, ` +
        `commands received ${s.commandsReceived} / results sent ${s.commandResults}, ` +
        `taxis in ${sim.dispatch.arrivals}, passengers ${sim.dispatch.requests}, pickups ${sim.dispatch.pickups}, ` +
        `driver regions app/desk ${sim.dispatch.regionsByApp}/${sim.dispatch.regionsAtDesk}, dispatch refusals ${JSON.stringify(sim.dispatch.refused)}, ` +
        `faults active ${sim.activeFaults()}, reconnects ${s.reconnects}, errors ${JSON.stringify(s.stompErrors)} ${JSON.stringify(s.queueErrors)}`,
    );
  }, 10_000);
  const durationMs = dur(args, 'duration');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (durationMs !== undefined) setTimeout(resolve, durationMs);
  });
  clearInterval(progress);
  await sim.stop();
  log(`done; score it with: npm run simulate -- score --truth ${truthFile} --url ${url} --token …`);
  return 0;
}

async function scoreCommand(args: Args): Promise<number> {
  const truthFile = str(args, 'truth');
  if (truthFile === undefined) throw new Error('score needs --truth FILE');
  const url = str(args, 'url') ?? 'http://localhost:3000';
  const token = await adminToken(url, credentials(args));
  const report = await score({ url, token, truth: readTruthFile(truthFile), graceMs: num(args, 'grace-ms'), slackMs: num(args, 'slack-ms') });
  process.stdout.write(args.has('json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  const misses = checkThresholds(report, {
    minRecall: num(args, 'min-recall'),
    maxFalseAlerts: num(args, 'max-false-alerts'),
    maxLatencyMs: num(args, 'max-latency-ms'),
    maxLatenessMs: num(args, 'max-lateness-ms'),
    minCommandSuccess: num(args, 'min-command-success'),
    maxDoubleMatches: num(args, 'max-double-matches'),
    requireFifo: args.has('fifo'),
  });
  for (const m of misses) process.stderr.write(`threshold missed: ${m}\n`);
  return misses.length === 0 ? 0 : 1;
}

function airportCommand(args: Args): number {
  const airport = buildAirport({
    devices: num(args, 'devices') ?? 200,
    terminals: num(args, 'terminals'),
    prefix: str(args, 'prefix'),
    taxisPerStand: num(args, 'taxis-per-stand'),
  });
  process.stderr.write(`${airport.devices.length} devices ${JSON.stringify(countByType(airport))}, ${airport.bays.length} bays\n`);
  process.stdout.write(`${JSON.stringify(topologyDocument(airport), null, 2)}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { command, args } = parseArgs(argv);
  switch (command) {
    case 'run':
      return run(args);
    case 'score':
      return scoreCommand(args);
    case 'airport':
      return airportCommand(args);
    default:
      throw new Error(`unknown command '${command}' (run, score, airport; --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`simulate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
