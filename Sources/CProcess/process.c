#include "synth_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int synth_die_with_parent(int original_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return -1;
    return getppid() != (pid_t)original_parent ? 1 : 0;
}
