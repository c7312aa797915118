/* A validator that calls abort() on the trial whose seed is ABORT_SEED (default 2), refuses with an
 * error on seed 4, and reports one metric otherwise: a plugin that takes its whole process down,
 * for the isolation tests of the experiment runner and of validate(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_entry.h"

#ifndef ABORT_SEED
#define ABORT_SEED 2
#endif

static const synth_descriptor descriptor = {
    .struct_size = sizeof(synth_descriptor), .id = "aborts_on_seed", .name = "Aborting validator", .version = "1.0.0",
    .kind = SYNTH_KIND_VALIDATOR, .summary = "Aborts the process on one seed.", .params = NULL, .param_count = 0,
    .capabilities = NULL, .capability_count = 0, .flags = 0,
};
static const synth_descriptor *const descriptors[] = {&descriptor};

static synth_status validate(synth_instance *self, const synth_host *host, const synth_validation_input *input,
                             synth_metric_sink sink, void *sink_context, synth_error *error) {
    (void)self; (void)input;
    if (host->seed == ABORT_SEED) abort();
    if (host->seed == 4) {
        if (error && error->message && error->capacity > 0) snprintf(error->message, error->capacity, "seed 4 is refused");
        return SYNTH_ERR_INVALID_ARGUMENT;
    }
    synth_metric metric = {
        .struct_size = sizeof(synth_metric), .name = "seed_parity", .column = NULL, .value = (double)(host->seed % 2),
        .goal = SYNTH_GOAL_NONE, .min = 0.0, .max = 1.0, .not_applicable = NULL,
    };
    sink(sink_context, &metric);
    return SYNTH_OK;
}

SYNTH_FIXTURE_VALIDATOR(validate)
