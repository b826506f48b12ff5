/** Plain words for getUserMedia failures (DOMException names). */
export function describeMediaError(error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
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
