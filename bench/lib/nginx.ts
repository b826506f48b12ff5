import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './benchmark.js';
import { onCleanup } from './cleanup.js';
import { startProcess } from './owned-process.js';
import { requireCommand } from './require-command.js';

export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const READY_TIMEOUT_MS = 10_000;

export interface NginxOptions {
  /** `worker_processes`: 'auto' is one per core, as Debian's nginx.conf has it. */
  workers: number | 'auto';
  /** The `http {}` block's content after the suite's common settings, given nginx's prefix directory. */
  http(prefix: string): string;
  /** Blocks at the top level (e.g. `rtmp {}`), given the prefix; `load_module` lines for `modules` come before them. */
  main?(prefix: string): string;
  modules?: string[];
  /** TCP ports it listens on: it is ready when all of them accept connections. */
  ports: number[];
}

export interface Nginx {
  /** Its prefix directory: temp files, logs; remove nothing from it while it runs. */
  prefix: string;
  pid: number;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Runs nginx as a process of the suite (never the system service): its own configuration in a temporary
 * prefix, in the foreground (`daemon off`) so its PID is the master's, stopped by that PID.
 */
export async function startNginx(o: NginxOptions): Promise<Nginx> {
  requireCommand('nginx', 'nginx');
  for (const module of o.modules ?? []) {
    if (!fs.existsSync(module)) throw new Error(`${module} is missing: apt-get install -y libnginx-mod-rtmp`);
  }
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-bench-nginx-'));
  const removePrefix = () => fs.rmSync(prefix, { recursive: true, force: true });
  const unregisterPrefix = onCleanup({ run: async () => removePrefix(), runSync: removePrefix });
  const tmp = path.join(prefix, 'tmp');
  fs.mkdirSync(tmp);
  const errorLog = path.join(prefix, 'error.log');
  const conf = [
    ...(o.modules ?? []).map((m) => `load_module ${m};`),
    'daemon off;',
    `worker_processes ${o.workers};`,
    `pid ${path.join(prefix, 'nginx.pid')};`,
    `error_log ${errorLog} warn;`,
    // As root, workers would run as "nobody", who cannot read the suite's private temporary directories.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'events { worker_connections 8192; }',
    o.main?.(prefix) ?? '',
    'http {',
    // What a tuned deployment has (Debian's nginx.conf turns on sendfile and tcp_nopush); no access log,
    // as Axon writes none at its benchmark log level.
    '  access_log off;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  keepalive_requests 100000;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(tmp, t)};`),
    o.http(prefix),
    '}',
    '',
  ].join('\n');
  const confFile = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(confFile, conf);
  const nginx = startProcess('nginx', ['-p', `${prefix}/`, '-c', confFile, '-e', errorLog]);
  const log = () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '') + nginx.errors();
  const stop = async () => {
    await nginx.stop('SIGTERM', 5000);
    removePrefix();
    unregisterPrefix();
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const port of o.ports) {
    while (!(await canConnect(port))) {
      if (nginx.hasExited || Date.now() > deadline) {
        const why = log();
        await stop();
        throw new Error(`nginx did not start listening on 127.0.0.1:${port}:\n${why}\nconfiguration:\n${conf}`);
      }
      await sleep(50);
    }
  }
  return { prefix, pid: nginx.pid, stop };
}
