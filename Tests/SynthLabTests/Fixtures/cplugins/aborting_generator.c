/* A generator that calls abort() while fitting on seed 2, refuses seed 4 with an error, fits any
 * other seed, and aborts whenever it is asked to sample: a plugin that takes its whole process
 * down, for the tests of the REPL's model workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_entry.h"

static const synth_descriptor descriptor = {
    .struct_size = sizeof(synth_descriptor), .id = "aborts_sampling", .name = "Aborting generator", .version = "1.0.0",
    .kind = SYNTH_KIND_GENERATOR, .summary = "Aborts the process while fitting on seed 2 and whenever it samples.",
    .params = NULL, .param_count = 0, .capabilities = NULL, .capability_count = 0, .flags = 0,
};
static const synth_descriptor *const descriptors[] = {&descriptor};

static synth_status fit(synth_instance *self, const synth_host *host, const struct ArrowSchema *schema,
                        const struct ArrowArray *table, synth_error *error) {
    (void)self; (void)schema; (void)table;
    if (host->seed == 2) abort();
    if (host->seed == 4) {
        if (error && error->message && error->capacity > 0) snprintf(error->message, error->capacity, "seed 4 is refused");
        return SYNTH_ERR_INVALID_ARGUMENT;
    }
    return SYNTH_OK;
}

static synth_status sample(synth_instance *self, const synth_host *host, int64_t rows, struct ArrowSchema *out_schema,
                           struct ArrowArray *out_table, synth_error *error) {
    (void)self; (void)host; (void)rows; (void)out_schema; (void)out_table; (void)error;
    abort();
}

static const synth_generator_v1 generator = {.struct_size = sizeof(synth_generator_v1), .fit = fit, .sample = sample};

static const void *capability(const synth_instance *self, const char *id) {
    (void)self;
    return strcmp(id, SYNTH_CAP_GENERATOR) == 0 ? &generator : NULL;
}
SYNTH_FIXTURE_ENTRY(SYNTH_ABI_VERSION, capability)
