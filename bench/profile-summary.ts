import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (node --cpu-prof) this summary reads. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package under node_modules, node itself, or our source. */
function owner(url: string): string {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) {
    if (url.includes('deps/undici')) return 'node: undici (fetch)';
    if (/_http_|internal\/http/.test(url)) return 'node: http';
    if (/streams|node:net|stream_base/.test(url)) return 'node: net/streams';
    return 'node: other';
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 13).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? '?');
  }
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1).replace(/^src\//, 'src/') : url.replace(/^file:\/\//, '');
}

/** Self time per function and per package of one profile, heaviest first. */
export function summariseProfile(file: string, top = 25, requests?: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') {
      idle += frame.functionName === '(idle)' ? us : 0;
      if (frame.functionName === '(idle)') continue;
    }
    const where = owner(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byOwner.set(where, (byOwner.get(where) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) =>
    `${((100 * us) / busy).toFixed(1).padStart(5)}%${requests ? ` ${(us / requests).toFixed(1).padStart(6)} µs/req` : ''}`;
  const perRequest = requests ? `, ${(busy / requests).toFixed(0)} µs per request over ${requests} requests` : '';
  const lines = [
    `${file}: ${(busy / 1e6).toFixed(1)} s busy of ${(total / 1e6).toFixed(1)} s${perRequest}`,
    '  by package (self time, % of busy):',
  ];
  for (const [name, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`    ${pct(us)}  ${name}`);
  lines.push('  by function:');
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`    ${pct(us)}  ${name}`);
  return lines.join('\n');
}

export function summariseProfiles(dir: string): string {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => summariseProfile(join(dir, name)))
    .join('\n\n');
}

if (require.main === module) {
  const target = process.argv[2] ?? join(__dirname, 'profiles');
  process.stdout.write(
    `${target.endsWith('.cpuprofile') ? summariseProfile(target, 40) : summariseProfiles(target)}\n`,
  );
}
