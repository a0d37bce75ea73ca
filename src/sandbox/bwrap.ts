// The bubblewrap sandbox as an argv prefix: `bwrap <mounts and namespaces> --` goes in front of
// the command an agent process runs, and nothing else about running it changes. The system is
// read-only, /tmp is private, the paths herd names are writable (the agent's workspace, its
// add-dirs, its claude state) or readable again, the hidden ones (herd's run records and every
// other agent's workspace) are an empty read-only directory, and the agent gets its own PID
// namespace, so nothing it starts outlives it. Pure: which paths is the caller's decision.

/** How herd runs sandboxed agents (SupervisorOptions.sandbox). */
export interface SandboxOptions {
  /** false: command agents run with no network at all (claude agents keep it: they need the model API). */
  network?: boolean;
  /** More paths every sandboxed agent may write (e.g. a repository's .git its worktree needs). */
  writable?: string[];
  /** Paths inside hidden ones that every sandboxed agent may read (not write). */
  readable?: string[];
  /** The bwrap executable (default: $HERD_BWRAP, else bwrap on PATH). */
  bwrap?: string;
}

/** The paths of one agent's sandbox. All absolute; see bwrapArgs for what each becomes. */
export interface SandboxSpec {
  /** The agent's working directory: writable, and where it starts. Must exist. */
  workspace: string;
  /** Writable; a path that does not exist is left out. */
  writable: readonly string[];
  /** Read-only, for paths inside hidden ones; a path that does not exist is left out. */
  readable: readonly string[];
  /** Replaced by an empty read-only directory (paths inside it listed above show through). Must exist. */
  hidden: readonly string[];
  /** false: a network namespace of its own with nothing in it but loopback. */
  network: boolean;
}

type Mount = { kind: 'hide' | 'bind' | 'ro-bind'; path: string };

/** Parents before children, so a path listed inside a hidden (or writable) one is mounted over it. */
const depth = (dir: string) => dir.split('/').filter(Boolean).length;

/** The bwrap arguments (without the executable) that run a command in this sandbox; the command follows `--`. */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const mounts: Mount[] = [
    ...spec.hidden.map((dir): Mount => ({ kind: 'hide', path: dir })),
    ...spec.readable.map((dir): Mount => ({ kind: 'ro-bind', path: dir })),
    ...spec.writable.map((dir): Mount => ({ kind: 'bind', path: dir })),
    { kind: 'bind', path: spec.workspace },
  ];
  // Stable sort: at equal depth hidden first, so a path both hidden and listed stays usable.
  const ordered = mounts.map((mount, index) => ({ mount, index })).sort((a, b) => depth(a.mount.path) - depth(b.mount.path) || a.index - b.index);
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  for (const { mount } of ordered) {
    if (mount.kind === 'hide') args.push('--tmpfs', mount.path);
    else if (mount.path === spec.workspace) args.push('--bind', mount.path, mount.path);
    else args.push(mount.kind === 'bind' ? '--bind-try' : '--ro-bind-try', mount.path, mount.path);
  }
  // Read-only only now: bwrap makes the mount points of the paths shown through them first.
  for (const dir of spec.hidden) args.push('--remount-ro', dir);
  args.push('--unshare-pid', '--die-with-parent');
  if (!spec.network) args.push('--unshare-net');
  args.push('--chdir', spec.workspace, '--');
  return args;
}

/** The bwrap executable to use. */
export function bwrapBin(options: SandboxOptions | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return options?.bwrap ?? (env.HERD_BWRAP || 'bwrap');
}
