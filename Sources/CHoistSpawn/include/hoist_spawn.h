#ifndef HOIST_SPAWN_H
#define HOIST_SPAWN_H

#include <sys/types.h>
#include <stddef.h>

/// Where `hoist_spawn` failed, when it did.
enum hoist_spawn_stage {
    HOIST_SPAWN_STARTED = 0,
    HOIST_SPAWN_FORK = 1,
    HOIST_SPAWN_GROUPS = 2,
    HOIST_SPAWN_USER = 3,
    HOIST_SPAWN_DIRECTORY = 4,
    HOIST_SPAWN_EXEC = 5,
    HOIST_SPAWN_DESCRIPTORS = 6,
};

/// Starts the program `path` with `argv` and `envp` (both NULL-terminated) as the leader of a
/// new process group: with default signal handling and an empty signal mask, `stdin_fd`,
/// `stdout_fd` and `stderr_fd` as its descriptors 0, 1 and 2 and no other descriptor open,
/// the groups `groups` (`group_count` of them), group `gid` and user `uid`, the file mode
/// creation mask `mask`, in `directory`.
/// Returns its process id; or -1 with `*stage` saying which part failed and `*error` its errno
/// (an exec failure in the child included: it is reported back through a pipe). Swift must not
/// run between fork and exec, which is why this is C.
pid_t hoist_spawn(const char *path, char *const argv[], char *const envp[], const char *directory, uid_t uid, gid_t gid,
                  const gid_t *groups, size_t group_count, mode_t mask, int stdin_fd, int stdout_fd, int stderr_fd, int *stage,
                  int *error);

#endif
