/* A validator that reports one metric per release of `synth_metric`, to check how the host reads
 * each: "near_half", a score whose best is 0.5 (SYNTH_GOAL_NEAREST with `target`, the whole
 * struct); "nearest_without_target", the same goal in a struct that ends before `target` (a
 * plugin built before it was added: the host reads no goal); "first_release", a struct that ends
 * at `max` (no reason is read); and "unknown_goal", a goal number this ABI does not define. The
 * metric's value is the trial's seed over 10. With BAD_TARGET, "near_half" names a target
 * outside its range, which the host refuses. */
#include <stddef.h>
#include <string.h>

#include "fixture_entry.h"

#ifndef BAD_TARGET
#define TARGET 0.5
#else
#define TARGET 2.0
#endif

static const synth_descriptor descriptor = {
    .struct_size = sizeof(synth_descriptor), .id = "goals", .name = "Goal fixture", .version = "1.0.0",
    .kind = SYNTH_KIND_VALIDATOR, .summary = "Reports metrics in each release of the metric struct.", .params = NULL,
    .param_count = 0, .capabilities = NULL, .capability_count = 0, .flags = 0,
};
static const synth_descriptor *const descriptors[] = {&descriptor};

static synth_status validate(synth_instance *self, const synth_host *host, const synth_validation_input *input,
                             synth_metric_sink sink, void *sink_context, synth_error *error) {
    (void)self; (void)input; (void)error;
    double value = (double)(host->seed % 10) / 10.0;
    synth_metric near_half = {
        .struct_size = sizeof(synth_metric), .name = "near_half", .column = NULL, .value = value,
        .goal = SYNTH_GOAL_NEAREST, .min = 0.0, .max = 1.0, .not_applicable = NULL, .target = TARGET,
    };
    sink(sink_context, &near_half);
    synth_metric short_struct = near_half;
    short_struct.struct_size = offsetof(synth_metric, target);
    short_struct.name = "nearest_without_target";
    sink(sink_context, &short_struct);
    synth_metric first = {
        .struct_size = offsetof(synth_metric, not_applicable), .name = "first_release", .column = NULL, .value = value,
        .goal = SYNTH_GOAL_MAXIMIZE, .min = 0.0, .max = 1.0, .not_applicable = "not read", .target = 0.0,
    };
    sink(sink_context, &first);
    synth_metric unknown = near_half;
    unknown.name = "unknown_goal";
    unknown.goal = (synth_goal)9;
    sink(sink_context, &unknown);
    return SYNTH_OK;
}

SYNTH_FIXTURE_VALIDATOR(validate)
