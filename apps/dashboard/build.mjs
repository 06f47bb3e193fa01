// Copies the dashboard's static files and the STOMP browser bundle next to the tsc output
// (dist/dashboard), so the built page is self-contained. No bundler, no CDN.
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'dashboard');
mkdirSync(join(out, 'vendor'), { recursive: true });
cpSync(join(here, 'static'), out, { recursive: true });
const stomp = join(dirname(createRequire(import.meta.url).resolve('@stomp/stompjs')), 'stomp.umd.min.js');
copyFileSync(stomp, join(out, 'vendor', 'stomp.umd.min.js'));
