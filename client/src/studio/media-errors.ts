/** The name of the error getUserMedia fails with on a page that is not a secure context. */
export const INSECURE_PAGE = 'InsecurePageError';

/** Plain words for getUserMedia failures (DOMException names). */
export function describeMediaError(error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case INSECURE_PAGE:
      return (
        'Browsers give a page the camera and microphone only over HTTPS (or on the server itself, at localhost), ' +
        'and this studio was opened over plain HTTP. Open it at its https:// address. If the server has none, ' +
        'its operator can turn HTTPS on (AXON_TLS_CERT and AXON_TLS_KEY, or a TLS proxy in front). ' +
        'Watching works without it; you can also go live from OBS over RTMP.'
      );
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera and microphone access was denied. Allow access for this site in your browser settings, then reload the page.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Connect one and reload the page.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera or microphone is in use by another application, or could not be started.';
    default:
      return `The camera could not be started${error instanceof Error && error.message ? `: ${error.message}` : '.'}`;
  }
}
