import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isRunning, processOwner, thisProcess } from './process-owner.js';

describe('process owners', () => {
  it('names this process, which runs', () => {
    expect(thisProcess()).toMatch(new RegExp(`/${process.pid}/\\d+$`));
    expect(isRunning(thisProcess())).toBe(true);
  });

  it('tells when the process an owner names has exited', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const owner = processOwner(child.pid!)!;
    expect(owner).not.toBe(thisProcess());
    expect(isRunning(owner)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isRunning(owner)).toBe(false);
    expect(processOwner(child.pid!)).toBeUndefined();
  });

  it('does not take a reused pid (another start time) or another host for the owner', () => {
    const [host, boot, pid, ticks] = thisProcess().split('/');
    expect(isRunning(`${host}/${boot}/${pid}/${Number(ticks) + 1}`)).toBe(false);
    expect(isRunning(`another-host/${boot}/${pid}/${ticks}`)).toBe(false);
    expect(isRunning('garbage')).toBe(false);
    expect(isRunning('')).toBe(false);
  });
});
