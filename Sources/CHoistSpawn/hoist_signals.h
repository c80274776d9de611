#ifndef HOIST_SIGNALS_H
#define HOIST_SIGNALS_H

#include <signal.h>

/// Gives a forked child default handling of every signal and an empty signal mask: what the
/// parent (Swift's runtime, a signal forwarder) set up must not follow it.
static inline void hoist_reset_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction standard = {0};
    standard.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; signal++) sigaction(signal, &standard, NULL);
}

#endif
