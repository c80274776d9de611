/* A probe of the sandbox a container runs in, compiled statically by the sandbox-parity tests
 * and run in the same image under Hoist and under Docker. It prints one line per probe:
 * the seccomp mode, and for a few system calls whether the call went through ("ok") or which
 * errno came back. The tests compare the lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *name, long result) {
    if (result >= 0) {
        printf("%s: ok\n", name);
    } else {
        const char *errno_name = strerrorname_np(errno);
        printf("%s: %s\n", name, errno_name ? errno_name : "?");
    }
}

int main(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    while (status && fgets(line, sizeof line, status)) {
        if (strncmp(line, "Seccomp:", 8) == 0) printf("seccomp: %d\n", atoi(line + 8));
    }
    /* Allowed by Docker's profile only with these exact values. */
    report("personality(ADDR_NO_RANDOMIZE)", personality(ADDR_NO_RANDOMIZE));
    report("add_key", syscall(SYS_add_key, "user", "hoist-probe", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */));
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    report("bpf", syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    return 0;
}
