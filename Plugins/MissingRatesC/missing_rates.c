/* missing_rates: a validator written in plain C against synth_plugin.h alone.
 *
 * For every column of the real table it reports |missing rate(real) - missing rate(synthetic)|
 * (lower is better, in [0, 1]), and their mean as "missing_rate_difference". It reads the Arrow
 * validity bitmaps itself, so it also shows how a C plugin walks a table.
 *
 * Build it on its own with:  cc -shared -fPIC -I<synthlab>/Sources/CSynthABI/include missing_rates.c -o libsynth_missing_rates.so
 */
#include "synth_plugin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const synth_descriptor descriptor = {
    .struct_size = sizeof(synth_descriptor),
    .id = "missing_rates",
    .name = "Missing-value rates",
    .version = "1.0.0",
    .kind = SYNTH_KIND_VALIDATOR,
    .summary = "Per-column difference between the real and synthetic rates of missing values.",
    .params = NULL,
    .param_count = 0,
    .capabilities = NULL,
    .capability_count = 0,
    .flags = 0,
};

static const synth_descriptor *const descriptors[] = {&descriptor};

/* The share of null cells of a column, from its validity bitmap. */
static double missing_rate(const struct ArrowArray *column, int64_t parent_offset, int64_t rows) {
    if (rows <= 0) return 0.0;
    if (column->null_count == 0 || column->n_buffers < 1 || column->buffers[0] == NULL) return 0.0;
    const uint8_t *validity = (const uint8_t *)column->buffers[0];
    int64_t missing = 0;
    for (int64_t row = 0; row < rows; row++) {
        int64_t bit = row + column->offset + parent_offset;
        if (!(validity[bit >> 3] & (1u << (bit & 7)))) missing++;
    }
    return (double)missing / (double)rows;
}

static int64_t find_column(const struct ArrowSchema *schema, const char *name) {
    for (int64_t i = 0; i < schema->n_children; i++) {
        if (schema->children[i]->name && strcmp(schema->children[i]->name, name) == 0) return i;
    }
    return -1;
}

static synth_status validate(synth_instance *self, const synth_host *host, const synth_validation_input *input,
                             synth_metric_sink sink, void *sink_context, synth_error *error) {
    (void)self;
    if (input == NULL || input->real == NULL || input->synthetic == NULL || sink == NULL) {
        snprintf(error->message, error->capacity, "missing_rates needs the real and synthetic tables");
        return SYNTH_ERR_INVALID_ARGUMENT;
    }
    const struct ArrowSchema *real_schema = input->real_schema, *synthetic_schema = input->synthetic_schema;
    double total = 0.0;
    int64_t counted = 0;
    for (int64_t i = 0; i < real_schema->n_children; i++) {
        if (host->is_cancelled && host->is_cancelled(host)) {
            snprintf(error->message, error->capacity, "cancelled");
            return SYNTH_ERR_CANCELLED;
        }
        const char *name = real_schema->children[i]->name;
        int64_t j = find_column(synthetic_schema, name);
        if (j < 0) {
            snprintf(error->message, error->capacity, "the synthetic table has no column '%s'", name);
            return SYNTH_ERR_INVALID_ARGUMENT;
        }
        double real_rate = missing_rate(input->real->children[i], input->real->offset, input->real->length);
        double synthetic_rate = missing_rate(input->synthetic->children[j], input->synthetic->offset, input->synthetic->length);
        synth_metric metric = {
            .struct_size = sizeof(synth_metric), .name = "missing_rate_difference", .column = name,
            .value = fabs(real_rate - synthetic_rate), .goal = SYNTH_GOAL_MINIMIZE, .min = 0.0, .max = 1.0,
        };
        sink(sink_context, &metric);
        total += metric.value;
        counted++;
    }
    synth_metric mean = {
        .struct_size = sizeof(synth_metric), .name = "missing_rate_difference", .column = NULL,
        .value = counted > 0 ? total / (double)counted : 0.0, .goal = SYNTH_GOAL_MINIMIZE, .min = 0.0, .max = 1.0,
        .not_applicable = counted > 0 ? NULL : "the real table has no columns",
    };
    sink(sink_context, &mean);
    return SYNTH_OK;
}

static const synth_validator_v1 validator_interface = {
    .struct_size = sizeof(synth_validator_v1),
    .validate = validate,
};

static const void *instance_capability(const synth_instance *self, const char *id) {
    (void)self;
    if (strcmp(id, SYNTH_CAP_VALIDATOR) == 0) return &validator_interface;
    return NULL;
}

static void destroy(synth_instance *self) { free(self); }

static synth_status create(const char *id, const synth_host *host, const synth_param_value *params, uint32_t count,
                           synth_instance **out, synth_error *error) {
    (void)host;
    (void)params;
    (void)count;
    if (strcmp(id, descriptor.id) != 0) {
        snprintf(error->message, error->capacity, "this library has no plugin '%s'", id);
        return SYNTH_ERR_INVALID_ARGUMENT;
    }
    synth_instance *instance = calloc(1, sizeof(synth_instance));
    if (instance == NULL) {
        snprintf(error->message, error->capacity, "out of memory");
        return SYNTH_ERR_INTERNAL;
    }
    instance->struct_size = sizeof(synth_instance);
    instance->destroy = destroy;
    instance->get_capability = instance_capability;
    *out = instance;
    return SYNTH_OK;
}

static const synth_entry entry = {
    .struct_size = sizeof(synth_entry),
    .abi_version = SYNTH_ABI_VERSION,
    .descriptors = descriptors,
    .descriptor_count = 1,
    .create = create,
    .get_capability = NULL,
};

__attribute__((visibility("default"))) const synth_entry *synth_plugin_entry(void) { return &entry; }
