#define _GNU_SOURCE
#include "hoist_logger.h"
#include "hoist_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/// Only async-signal-safe calls from here on: the child of a threaded process may not allocate.
static int write_all(int fd, const char *bytes, size_t count) {
    while (count > 0) {
        ssize_t written = write(fd, bytes, count);
        if (written < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        bytes += written;
        count -= (size_t)written;
    }
    return 0;
}

static size_t put_decimal(char *out, unsigned long long value) {
    char digits[24];
    size_t count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    for (size_t index = 0; index < count; index++) out[index] = digits[count - 1 - index];
    return count;
}

static int is_kept(int fd, const int *kept, int count) {
    for (int index = 0; index < count; index++)
        if (kept[index] == fd) return 1;
    return 0;
}

/// Closes every descriptor but `kept`.
static void close_others(const int *kept, int count) {
    struct rlimit limit;
    rlim_t highest = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < highest) highest = limit.rlim_cur;
    int top = 0;
    for (int index = 0; index < count; index++)
        if (kept[index] > top) top = kept[index];
    for (int fd = 0; fd <= top; fd++)
        if (!is_kept(fd, kept, count)) close(fd);
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)top + 1, ~0U, 0) == 0) return;
#endif
    for (rlim_t fd = (rlim_t)top + 1; fd < highest; fd++) close((int)fd);
}

static char buffer[65536];

/// Appends `STREAM END-OFFSET UNIX-NANOSECONDS` for `stream` (0 stdout, 1 stderr).
static void write_record(int index_file, int stream, off_t offset) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char record[64];
    size_t length = 0;
    record[length++] = (char)('1' + stream);
    record[length++] = ' ';
    length += put_decimal(record + length, (unsigned long long)offset);
    record[length++] = ' ';
    length += put_decimal(record + length, (unsigned long long)now.tv_sec * 1000000000ULL + (unsigned long long)now.tv_nsec);
    record[length++] = '\n';
    (void)write_all(index_file, record, length);
}

static void copy_until_closed(int pipes[2], int files[2], int index_file) {
    off_t offsets[2];
    for (int stream = 0; stream < 2; stream++) {
        offsets[stream] = lseek(files[stream], 0, SEEK_END);
        if (offsets[stream] < 0) offsets[stream] = 0;
    }
    int open_pipes = 2;
    while (open_pipes > 0) {
        struct pollfd ready[2];
        for (int stream = 0; stream < 2; stream++) {
            ready[stream].fd = pipes[stream];
            ready[stream].events = POLLIN;
            ready[stream].revents = 0;
        }
        if (poll(ready, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int stream = 0; stream < 2; stream++) {
            if (pipes[stream] < 0 || ready[stream].revents == 0) continue;
            ssize_t got = read(pipes[stream], buffer, sizeof buffer);
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (got <= 0) {
                close(pipes[stream]);
                pipes[stream] = -1;
                open_pipes--;
                // A record that adds nothing: the stream's end, when an unfinished last line is
                // taken as written (Docker stamps it when its copier reaches the end).
                write_record(index_file, stream, offsets[stream]);
                continue;
            }
            // A full disk loses output, never blocks the container.
            if (write_all(files[stream], buffer, (size_t)got) != 0) continue;
            offsets[stream] += got;
            write_record(index_file, stream, offsets[stream]);
        }
    }
}

int hoist_start_logger(int output_fd, int error_fd, int output_file, int error_file, int index_file) {
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        if (fork() != 0) _exit(0);
        setsid();
        hoist_reset_signals();
        // Its files outlive any terminal: a hang-up must not end it.
        struct sigaction ignore = {0};
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGHUP, &ignore, NULL);
        int kept[5] = {output_fd, error_fd, output_file, error_file, index_file};
        close_others(kept, 5);
        int pipes[2] = {output_fd, error_fd};
        int files[2] = {output_file, error_file};
        copy_until_closed(pipes, files, index_file);
        _exit(0);
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) break;
    }
    return 0;
}
