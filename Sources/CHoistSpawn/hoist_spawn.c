#define _GNU_SOURCE
#include "hoist_spawn.h"
#include "hoist_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// Reports `stage` and errno to the parent and ends the child.
static void fail(int report, int stage) {
    int message[2] = {stage, errno};
    ssize_t ignored = write(report, message, sizeof message);
    (void)ignored;
    _exit(127);
}

/// Marks every descriptor from 3 up close-on-exec (the report pipe closes at exec too).
static int close_others_on_exec(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
#endif
    // Older kernels, or a seccomp profile without close_range: one fcntl per possible descriptor.
    struct rlimit limit;
    rlim_t highest = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < highest) highest = limit.rlim_cur;
    for (rlim_t fd = 3; fd < highest; fd++) {
        int flags = fcntl((int)fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
    }
    return 0;
}

static int move_descriptor(int from, int to) {
    if (from == to) {
        int flags = fcntl(to, F_GETFD);
        return flags < 0 ? -1 : fcntl(to, F_SETFD, flags & ~FD_CLOEXEC);
    }
    return dup2(from, to) < 0 ? -1 : 0;
}

pid_t hoist_spawn(const char *path, char *const argv[], char *const envp[], const char *directory, uid_t uid, gid_t gid,
                  const gid_t *groups, size_t group_count, mode_t mask, int stdin_fd, int stdout_fd, int stderr_fd, int *stage,
                  int *error) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *stage = HOIST_SPAWN_FORK;
        *error = errno;
        return -1;
    }
    // Descriptors 0-2 may be taken by the report pipe when this process closed its own.
    int sources[3] = {stdin_fd, stdout_fd, stderr_fd};
    pid_t pid = fork();
    if (pid < 0) {
        *stage = HOIST_SPAWN_FORK;
        *error = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        int writer = report[1];
        if (writer <= 2) {
            writer = fcntl(writer, F_DUPFD_CLOEXEC, 3);
            if (writer < 0) _exit(127);
        }
        hoist_reset_signals();
        setpgid(0, 0);
        for (int target = 0; target < 3; target++) {
            if (sources[target] < 3 && sources[target] != target) {
                int copy = fcntl(sources[target], F_DUPFD_CLOEXEC, 3);
                if (copy < 0) fail(writer, HOIST_SPAWN_DESCRIPTORS);
                sources[target] = copy;
            }
        }
        for (int target = 0; target < 3; target++) {
            if (move_descriptor(sources[target], target) != 0) fail(writer, HOIST_SPAWN_DESCRIPTORS);
        }
        close_others_on_exec();
        if (setgroups(group_count, groups) != 0) fail(writer, HOIST_SPAWN_GROUPS);
        if (setresgid(gid, gid, gid) != 0) fail(writer, HOIST_SPAWN_USER);
        if (setresuid(uid, uid, uid) != 0) fail(writer, HOIST_SPAWN_USER);
        umask(mask);
        if (chdir(directory) != 0) fail(writer, HOIST_SPAWN_DIRECTORY);
        execve(path, argv, envp);
        fail(writer, HOIST_SPAWN_EXEC);
    }
    close(report[1]);
    int message[2];
    ssize_t got;
    do {
        got = read(report[0], message, sizeof message);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof message) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *stage = message[0];
        *error = message[1];
        return -1;
    }
    *stage = HOIST_SPAWN_STARTED;
    *error = 0;
    return pid;
}
