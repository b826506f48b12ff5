import { execFileSync } from 'node:child_process';

/** Stops a benchmark early, with the line that fixes it, when a tool it runs is not installed. */
export function requireCommand(command: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${command} is not installed: apt-get install -y ${debianPackage}`);
  }
}
