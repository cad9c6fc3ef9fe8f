/* SIGINT/SIGTERM during training: the first asks the loop to stop at the next step
 * boundary (the run is then saved); a second SIGINT ends the process at once. */
#ifndef ATHLETE_CLI_INTERRUPT_H
#define ATHLETE_CLI_INTERRUPT_H

#include <signal.h>

/* The signal that asked to stop, or 0. */
extern volatile sig_atomic_t interrupt_signal;

void interrupt_install(void);
void interrupt_restore(void);

#endif
