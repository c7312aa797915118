/* What every fixture plugin here shares: an instance whose capabilities `CAPABILITY` (a function
 * of the instance and a capability id) gives, its create() and destroy(), and the entry point over
 * the file's `descriptors` (one descriptor), reporting ABI version `ABI`. */
#ifndef SYNTH_FIXTURE_ENTRY_H
#define SYNTH_FIXTURE_ENTRY_H

#include <stdlib.h>
#include <string.h>

#include "synth_plugin.h"

#define SYNTH_FIXTURE_ENTRY(ABI, CAPABILITY)                                                                   \
    static void fixture_destroy(synth_instance *self) { free(self); }                                           \
    static synth_status fixture_create(const char *id, const synth_host *host, const synth_param_value *values, \
                                       uint32_t count, synth_instance **out, synth_error *error) {              \
        (void)id; (void)host; (void)values; (void)count; (void)error;                                          \
        synth_instance *instance = calloc(1, sizeof(synth_instance));                                           \
        instance->struct_size = sizeof(synth_instance);                                                         \
        instance->destroy = fixture_destroy;                                                                    \
        instance->get_capability = CAPABILITY;                                                                  \
        *out = instance;                                                                                        \
        return SYNTH_OK;                                                                                        \
    }                                                                                                           \
    static const synth_entry fixture_entry = {                                                                  \
        .struct_size = sizeof(synth_entry), .abi_version = (ABI), .descriptors = descriptors,                   \
        .descriptor_count = 1, .create = fixture_create, .get_capability = NULL,                               \
    };                                                                                                          \
    const synth_entry *synth_plugin_entry(void) { return &fixture_entry; }

/* A validator whose one capability is `synth.validator/1` with the file's function VALIDATE. */
#define SYNTH_FIXTURE_VALIDATOR(VALIDATE)                                                                      \
    static const synth_validator_v1 fixture_validator = {.struct_size = sizeof(synth_validator_v1),            \
                                                         .validate = VALIDATE};                                \
    static const void *fixture_validator_capability(const synth_instance *self, const char *id) {               \
        (void)self;                                                                                             \
        return strcmp(id, SYNTH_CAP_VALIDATOR) == 0 ? &fixture_validator : NULL;                                \
    }                                                                                                           \
    SYNTH_FIXTURE_ENTRY(SYNTH_ABI_VERSION, fixture_validator_capability)

#endif
