#ifndef SYNTH_PROCESS_H
#define SYNTH_PROCESS_H

/* Asks the kernel to send SIGKILL to this process when its parent exits (Linux prctl
 * PR_SET_PDEATHSIG), then returns 1 if the parent is already gone (the process was adopted
 * before the request took effect), 0 otherwise, -1 if the request failed. prctl is variadic in C,
 * so Swift calls it through this. */
int synth_die_with_parent(int original_parent);

#endif
