/* Configurable test plugins for the registry tests, compiled with -D switches:
 *   -DPLUGIN_ID='"..."'        descriptor id (default "c_test")
 *   -DPLUGIN_VERSION='"..."'   semantic version (default "1.0.0")
 *   -DPLUGIN_ABI=N             ABI version reported by the entry (default SYNTH_ABI_VERSION)
 *   -DPLUGIN_KIND=K            synth_kind (default SYNTH_KIND_PRIVACY)
 *   -DPLUGIN_COMPOSED='"..."'  declares that parameter id at 2.0 when composed (a generator's)
 *   -DPLUGIN_FIRST_SIZE        the descriptor's struct_size as ABI version 1 first had it, before
 *                              the composed parameter values
 * As a privacy plugin it provides only the gradient capability, so a statistics-only generator
 * cannot compose with it. */
#include "fixture_entry.h"
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#ifndef PLUGIN_ID
#define PLUGIN_ID "c_test"
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef PLUGIN_ABI
#define PLUGIN_ABI SYNTH_ABI_VERSION
#endif
#ifndef PLUGIN_KIND
#define PLUGIN_KIND SYNTH_KIND_PRIVACY
#endif

static const char *const provides[] = {SYNTH_CAP_PRIVACY_GRADIENT};

static const synth_param_desc params[] = {{
    .struct_size = sizeof(synth_param_desc), .id = "epsilon", .type = SYNTH_PARAM_FLOAT,
    .flags = SYNTH_PARAM_FLAG_PRIVACY_RELEVANT | SYNTH_PARAM_FLAG_MIN_EXCLUSIVE, .help = "budget",
    .default_float = 1.0, .has_min = true, .min_float = 0.0,
}};

#ifdef PLUGIN_COMPOSED
static const synth_param_value composed[] = {{
    .struct_size = sizeof(synth_param_value), .id = PLUGIN_COMPOSED, .type = SYNTH_PARAM_FLOAT, .float_value = 2.0,
}};
#define COMPOSED_FIELDS .composed_params = composed, .composed_param_count = 1,
#else
#define COMPOSED_FIELDS
#endif
#ifdef PLUGIN_FIRST_SIZE
#define DESCRIPTOR_SIZE offsetof(synth_descriptor, composed_params)
#else
#define DESCRIPTOR_SIZE sizeof(synth_descriptor)
#endif

static const synth_descriptor descriptor = {
    .struct_size = DESCRIPTOR_SIZE, COMPOSED_FIELDS .id = PLUGIN_ID, .name = "C test plugin", .version = PLUGIN_VERSION,
    .kind = PLUGIN_KIND, .summary = "A plugin for registry tests.", .params = params, .param_count = 1,
    .capabilities = provides, .capability_count = 1, .flags = 0,
};
static const synth_descriptor *const descriptors[] = {&descriptor};

static void spent(const synth_instance *self, double *epsilon, double *delta) { (void)self; *epsilon = 0; *delta = 0; }
static const synth_privacy_v1 privacy = {.struct_size = sizeof(synth_privacy_v1), .spent = spent, .budget = spent};

static const void *capability(const synth_instance *self, const char *id) {
    (void)self;
    return strcmp(id, SYNTH_CAP_PRIVACY) == 0 ? &privacy : NULL;
}
SYNTH_FIXTURE_ENTRY(PLUGIN_ABI, capability)
