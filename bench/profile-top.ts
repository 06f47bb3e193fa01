/**
 * Where the time goes in a `.cpuprofile`: self time per function and per file/package.
 *
 *   node dist/bench/profile-top.js <file.cpuprofile> [--top 30] [--callers <function name>]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface TopEntry {
  name: string;
  selfMs: number;
  pct: number;
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return `${pkg}:${rest.slice(rest[0]!.startsWith('@') ? 2 : 1).join('/')}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

function fileGroup(url: string): string {
  if (url === '') return '(native/VM)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url;
}

export function analyse(profile: CpuProfile, top = 30): { totalMs: number; byFunction: TopEntry[]; byFile: TopEntry[] } {
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = profile.endTime - profile.startTime;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    const name = `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const group = fileGroup(cf.url);
    file.set(group, (file.get(group) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): TopEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, pct: (us / totalUs) * 100 }));
  return { totalMs: totalUs / 1000, byFunction: rank(fn), byFile: rank(file) };
}

/** Who calls the functions whose name contains `name`: self time of those, by caller (parent frame). */
export function callers(profile: CpuProfile, name: string, top = 15): TopEntry[] {
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const totalUs = profile.endTime - profile.startTime;
  const acc = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    if (!node.callFrame.functionName.includes(name)) continue;
    const p = parent.get(node.id);
    const key = p ? `${p.callFrame.functionName || '(anonymous)'} ${shortUrl(p.callFrame.url)}:${p.callFrame.lineNumber + 1}` : '(root)';
    acc.set(key, (acc.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...acc.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([n, us]) => ({ name: n, selfMs: us / 1000, pct: (us / totalUs) * 100 }));
}

if (require.main === module) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: node dist/bench/profile-top.js <file.cpuprofile> [--top N] [--callers NAME]\n');
    process.exit(2);
  }
  const topFlag = process.argv.indexOf('--top');
  const top = topFlag > 0 ? Number(process.argv[topFlag + 1]) : 30;
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const line = (e: TopEntry): string => `${e.pct.toFixed(1).padStart(5)} %  ${e.selfMs.toFixed(0).padStart(7)} ms  ${e.name}`;
  const callersFlag = process.argv.indexOf('--callers');
  if (callersFlag > 0) {
    const name = process.argv[callersFlag + 1] ?? '';
    process.stdout.write(`self time of functions named *${name}*, by caller:\n${callers(profile, name, top).map(line).join('\n')}\n`);
    process.exit(0);
  }
  const result = analyse(profile, top);
  process.stdout.write(`profile ${path}: ${(result.totalMs / 1000).toFixed(1)} s wall\n\nself time by function:\n`);
  process.stdout.write(result.byFunction.map(line).join('\n') + '\n\nself time by file / package:\n');
  process.stdout.write(result.byFile.map(line).join('\n') + '\n');
}
