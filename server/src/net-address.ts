import net from 'node:net';

/** Whether a listen address (an IP or a host name) reaches this machine only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}
