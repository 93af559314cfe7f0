// CPU time of other processes, from Linux's /proc: what a server's requests cost whatever else the
// machine runs (bench/throughput.mjs, bench/throughput-profile.mjs).
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user and system) used so far by the living processes that `select` keeps.
 * `select({ ppid, pgrp, command })` sees each process's parent, process group and command name;
 * `each`, if given, gets every kept process's seconds under "<pid> <command>".
 */
export function cpuSeconds(select, each = null) {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command's closing parenthesis: state, ppid, pgrp, ..., utime (14th), stime (15th).
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!select({ ppid: Number(f[1]), pgrp: Number(f[2]), command })) continue;
    const own = Number(f[11]) + Number(f[12]);
    ticks += own;
    if (each) each[`${pid} ${command}`] = own / 100;
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}
