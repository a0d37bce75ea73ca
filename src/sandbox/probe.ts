// Can this machine make the sandbox at all? Asked once per bwrap executable, before a
// sandboxed run starts anything: bwrap may be missing, or the kernel may refuse it the user
// namespaces it needs (a container without them, a distribution that turns them off).

import { execFile } from 'node:child_process';

const PROBE_TIMEOUT_MS = 10_000;
const probes = new Map<string, Promise<string | undefined>>();

/** undefined when `bwrap` can make the sandbox herd uses; otherwise one line saying why not and what to do. */
export function probeSandbox(bwrap: string): Promise<string | undefined> {
  let probe = probes.get(bwrap);
  if (!probe) {
    probe = runProbe(bwrap);
    probes.set(bwrap, probe);
  }
  return probe;
}

function runProbe(bwrap: string): Promise<string | undefined> {
  // The same namespaces and special mounts as a real agent's sandbox, around a command that does nothing.
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-pid', '--die-with-parent', '--', 'true'];
  return new Promise((resolve) => {
    execFile(bwrap, args, { timeout: PROBE_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        return resolve(
          `--sandbox needs bubblewrap, and "${bwrap}" was not found: install it (Debian/Ubuntu: apt-get install bubblewrap) or leave out --sandbox`,
        );
      const said = String(stderr).trim().split('\n')[0] || error.message.split('\n')[0];
      resolve(
        `--sandbox: bubblewrap (${bwrap}) cannot make a sandbox here: ${said} (it needs user namespaces: check sysctl kernel.unprivileged_userns_clone and user.max_user_namespaces, or the container's seccomp/AppArmor profile)`,
      );
    });
  });
}
