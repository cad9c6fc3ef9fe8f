/* Stopping a training run cleanly (see interrupt.h). */
#include "interrupt.h"

#include <string.h>
#include <unistd.h>

volatile sig_atomic_t interrupt_signal = 0;

static struct sigaction previous_int, previous_term;

static void on_signal(int signo)
{
    if (interrupt_signal && signo == SIGINT) {
        static const char msg[] = "\nathlete: interrupted again: aborting without saving\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(130);
    }
    if (!interrupt_signal)
        interrupt_signal = signo;
}

void interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART; /* the save that follows must not see EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &previous_int);
    sigaction(SIGTERM, &sa, &previous_term);
}

void interrupt_restore(void)
{
    sigaction(SIGINT, &previous_int, NULL);
    sigaction(SIGTERM, &previous_term, NULL);
}
