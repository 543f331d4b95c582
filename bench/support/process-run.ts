// One whole process timed as its user sees it, start to exit, with its peak RSS (VmHWM, read
// from /proc while it runs: the high-water mark only grows, so the last reading is the peak).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Run {
  seconds: number;
  peakMb: number;
  stdout: string;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // already gone
  }
}

/** Runs `cmd args` to its end; throws with its stderr unless it exits 0. */
export function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    const poll = setInterval(() => (peakKb = Math.max(peakKb, vmHwmKb(child.pid!))), 25);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(poll);
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      else resolve({ seconds, peakMb: peakKb / 1024, stdout });
    });
  });
}
