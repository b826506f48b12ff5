import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { securityHeaders, type SecurityHeaders } from './security-headers.js';

/** The Content-Security-Policy one of the setters writes, as a map of directive → value. */
function csp(setter: SecurityHeaders['page']): Map<string, string> {
  const headers = new Map<string, string>();
  const res = { setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value), removeHeader: () => undefined };
  let failed: unknown;
  setter({} as IncomingMessage, res as unknown as ServerResponse, (err) => (failed = err));
  expect(failed).toBeUndefined();
  const policy = headers.get('content-security-policy') ?? '';
  return new Map(policy.split(';').map((d) => [d.split(' ')[0] ?? '', d.split(' ').slice(1).join(' ')]));
}

describe('securityHeaders', () => {
  it('lets pages connect to the live nodes of a cluster, over HTTP(S) and WebSocket, as they come and go', () => {
    let nodes = ['https://10.0.0.2:8080', 'https://10.0.0.3:8080'];
    const headers = securityHeaders({ tls: true, publicUrl: 'https://axon.example', nodeOrigins: () => nodes });
    expect(csp(headers.page).get('connect-src')).toBe(
      "'self' https://axon.example https://10.0.0.2:8080 wss://10.0.0.2:8080 https://10.0.0.3:8080 wss://10.0.0.3:8080",
    );
    nodes = ['https://10.0.0.3:8080', 'http://a;b, c'];
    // Something that is no origin never reaches the header (nor breaks it).
    expect(csp(headers.embed).get('connect-src')).toBe("'self' https://axon.example https://10.0.0.3:8080 wss://10.0.0.3:8080");
  });

  it('lets pages connect to themselves and the public URL only, outside a cluster', () => {
    expect(csp(securityHeaders({ tls: false, publicUrl: 'http://localhost:8080' }).page).get('connect-src')).toBe("'self' http://localhost:8080");
  });
});
