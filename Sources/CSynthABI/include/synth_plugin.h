/*
 * synth_plugin.h — the SynthLab plugin ABI, version 1.
 *
 * A SynthLab plugin is a shared library that exports ONE function:
 *
 *     const synth_entry *synth_plugin_entry(void);
 *
 * The host calls it once, right after dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE), and never
 * unloads the library. The returned entry lives as long as the process; the host never frees it.
 *
 * This header is the whole contract. It is plain C99 so that a plugin can be written in C, C++,
 * Rust, Zig or Swift (Swift authors use SynthKit, which fills these structs for them).
 *
 * Conventions, for every struct and function below:
 *   - Every struct starts with `struct_size`, set by whoever fills it to sizeof(that struct) as
 *     it was compiled. Structs only ever grow at the end; a reader must not touch a field that
 *     lies beyond the struct_size it was given.
 *   - Strings are NUL-terminated UTF-8. A string handed to the other side is borrowed for the
 *     duration of the call unless a field says otherwise.
 *   - A plugin never throws, longjmps or unwinds across this boundary, never calls exit(), and
 *     never writes to stdout or stderr: it speaks through the host services and the error buffer.
 *   - Functions that can fail return a synth_status. On failure they write a one-line,
 *     human-readable message into the host-owned synth_error buffer (truncating to fit).
 *   - Threads: the host calls one instance from one thread at a time. Different instances may be
 *     used from different threads at once, so a plugin keeps no mutable global state.
 *   - Tables cross as the Arrow C Data Interface (https://arrow.apache.org/docs/format/CDataInterface.html),
 *     a struct array with one child per column. See "Tables" below for the types used.
 */
#ifndef SYNTH_PLUGIN_H
#define SYNTH_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. A plugin compiles it into its entry; the host refuses
 * a plugin whose entry reports another version. */
#define SYNTH_ABI_VERSION 1u

/* The name of the one symbol a plugin exports. */
#define SYNTH_PLUGIN_ENTRY_SYMBOL "synth_plugin_entry"

/* ------------------------------------------------------------------------------------------ */
/* Arrow C Data Interface (verbatim layout from the Arrow specification).                      */
/* ------------------------------------------------------------------------------------------ */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

/* Tables.
 * A table is a struct array (format "+s") with one child per column, the child's name being the
 * column's name. Each column is one of:
 *
 *   column kind   Arrow format   buffers
 *   continuous    "g"  float64   validity, values
 *   integer       "l"  int64     validity, values
 *   boolean       "b"  bool      validity, bit-packed values
 *   categorical   "i"  int32 indices into a dictionary of "u" (utf8) levels
 *   datetime      "tsu:" timestamp, microseconds since the Unix epoch, UTC
 *
 * Missing values are nulls: a validity bitmap (bit set = present, least significant bit first)
 * with null_count set; the bitmap buffer may be NULL when null_count is 0.
 *
 * Ownership: a table passed INTO a plugin function (`const struct ArrowArray *`) is borrowed for
 * that call; the plugin copies what it needs and never calls its release callback. A table a
 * plugin RETURNS through an out-parameter is moved to the host, which calls release exactly once.
 */

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                           */
/* ------------------------------------------------------------------------------------------ */

typedef enum synth_status {
    SYNTH_OK = 0,
    SYNTH_ERR_INVALID_ARGUMENT = 1, /* bad parameter or input table                         */
    SYNTH_ERR_UNSUPPORTED = 2,      /* the request is valid but this plugin cannot serve it  */
    SYNTH_ERR_STATE = 3,            /* called out of order (sample before fit, ...)          */
    SYNTH_ERR_CANCELLED = 4,        /* the host asked to cancel and the plugin stopped       */
    SYNTH_ERR_BUDGET = 5,           /* a privacy budget would be exceeded                     */
    SYNTH_ERR_INTERNAL = 6          /* anything else                                          */
} synth_status;

/* A host-owned buffer for one error message. The plugin writes at most `capacity` bytes into
 * `message`, NUL terminator included (snprintf(err->message, err->capacity, ...) does this). */
typedef struct synth_error {
    uint32_t struct_size;
    char *message;
    size_t capacity;
} synth_error;

/* ------------------------------------------------------------------------------------------ */
/* Parameter schema                                                                            */
/* ------------------------------------------------------------------------------------------ */

typedef enum synth_param_type {
    SYNTH_PARAM_INT = 1,    /* int64                                                */
    SYNTH_PARAM_FLOAT = 2,  /* double                                               */
    SYNTH_PARAM_BOOL = 3,   /* bool                                                 */
    SYNTH_PARAM_CHOICE = 4, /* one string out of `choices`                          */
    SYNTH_PARAM_STRING = 5  /* free text                                            */
} synth_param_type;

/* Flags of a parameter. */
#define SYNTH_PARAM_FLAG_PRIVACY_RELEVANT (1u << 0) /* changes the privacy guarantee (ε, δ, ...)   */
#define SYNTH_PARAM_FLAG_REQUIRED (1u << 1)         /* has no default; the user must set it       */
#define SYNTH_PARAM_FLAG_MIN_EXCLUSIVE (1u << 2)    /* value must be > min rather than >= min     */
#define SYNTH_PARAM_FLAG_MAX_EXCLUSIVE (1u << 3)    /* value must be < max rather than <= max     */

/* One parameter a plugin accepts. Owned by the plugin, alive as long as the process.
 * Only the fields of the parameter's type are read: default_int/min_int/max_int for INT,
 * default_float/min_float/max_float for FLOAT, default_bool for BOOL, default_string (and
 * choices) for CHOICE and STRING. */
typedef struct synth_param_desc {
    uint32_t struct_size;
    const char *id;   /* [a-z][a-z0-9_]*, unique within the descriptor */
    synth_param_type type;
    uint32_t flags;
    const char *help; /* one sentence */
    int64_t default_int;
    double default_float;
    bool default_bool;
    const char *default_string;
    bool has_min;
    bool has_max;
    int64_t min_int;
    int64_t max_int;
    double min_float;
    double max_float;
    const char *const *choices; /* CHOICE only */
    uint32_t choice_count;
} synth_param_desc;

/* One parameter value the host passes to create(). The host validates every value against the
 * schema and fills in defaults before it calls create(), so a plugin receives exactly one value
 * for each parameter of its descriptor, in the descriptor's order, already in bounds. */
typedef struct synth_param_value {
    uint32_t struct_size;
    const char *id;
    synth_param_type type;
    int64_t int_value;
    double float_value;
    bool bool_value;
    const char *string_value; /* CHOICE and STRING */
} synth_param_value;

/* ------------------------------------------------------------------------------------------ */
/* Descriptors                                                                                 */
/* ------------------------------------------------------------------------------------------ */

typedef enum synth_kind {
    SYNTH_KIND_GENERATOR = 1,
    SYNTH_KIND_PRIVACY = 2,
    SYNTH_KIND_VALIDATOR = 3
} synth_kind;

/* Flags of a validator descriptor: the inputs it needs. */
#define SYNTH_VALIDATOR_NEEDS_HOLDOUT (1u << 0) /* a real holdout table, not seen by the generator */
#define SYNTH_VALIDATOR_NEEDS_TARGET (1u << 1)  /* a target column name                          */
/* Flags of a generator's descriptor. */
#define SYNTH_GENERATOR_SIMULATES (1u << 0) /* needs no training table: sample() works without
                                               fit(), and its columns are its own             */
#define SYNTH_GENERATOR_CONDITIONAL (1u << 1) /* offers sample_conditional                       */
#define SYNTH_GENERATOR_SAVES (1u << 2)       /* offers "synth.generator.state/1" (save and load)  */

/* What a plugin offers. Owned by the plugin, alive as long as the process. */
typedef struct synth_descriptor {
    uint32_t struct_size;
    const char *id;      /* stable, unique across all plugins: [a-z][a-z0-9_]* (e.g. "independent") */
    const char *name;    /* human name ("Independent marginals")                                   */
    const char *version; /* semantic version "MAJOR.MINOR.PATCH"                                   */
    synth_kind kind;
    const char *summary; /* one sentence                                                           */
    const synth_param_desc *params;
    uint32_t param_count;
    /* Capability ids: for a generator, the privacy capabilities it can consume; for a privacy
     * plugin, the ones it provides (e.g. SYNTH_CAP_PRIVACY_STATISTICS). Empty for validators. */
    const char *const *capabilities;
    uint32_t capability_count;
    uint32_t flags; /* SYNTH_VALIDATOR_NEEDS_* for validators, SYNTH_GENERATOR_* for generators */
    /* Added in SynthLab 1.1 (read only when struct_size covers them): the parameter values a
     * generator takes when it is composed with a privacy plugin (ctgan: pac = 1, so that each
     * example the mechanism clips is one person's row). When composing, the host sets each one
     * whose value is the schema's default and refuses a composition that gives another value. */
    const synth_param_value *composed_params;
    uint32_t composed_param_count;
} synth_descriptor;

/* ------------------------------------------------------------------------------------------ */
/* Host services                                                                               */
/* ------------------------------------------------------------------------------------------ */

typedef enum synth_log_level {
    SYNTH_LOG_DEBUG = 0,
    SYNTH_LOG_INFO = 1,
    SYNTH_LOG_WARNING = 2,
    SYNTH_LOG_ERROR = 3
} synth_log_level;

struct synth_instance;

/* Services the host offers a plugin during a call. Owned by the host; valid for the duration of
 * the call it is passed to. Every function may be called from the thread of that call only. */
typedef struct synth_host {
    uint32_t struct_size;
    uint32_t abi_version; /* the host's SYNTH_ABI_VERSION */
    void *host_data;      /* opaque to the plugin */
    /* The trial's seed. Every random draw of the plugin derives from it, so the same seed gives
     * the same result in any process, on any executor, with any thread count. */
    uint64_t seed;
    void (*log)(const struct synth_host *host, synth_log_level level, const char *message);
    /* fraction in [0, 1], or a negative number when unknown; message may be NULL. */
    void (*progress)(const struct synth_host *host, double fraction, const char *message);
    /* true once the user asked to cancel: stop soon and return SYNTH_ERR_CANCELLED. */
    bool (*is_cancelled)(const struct synth_host *host);
    /* The privacy mechanism composed with this generator, or NULL. A generator finds the
     * interface it consumes with privacy->get_capability(privacy, SYNTH_CAP_PRIVACY_...). */
    struct synth_instance *privacy;
    /* Further host services by versioned id, NULL when not offered. */
    const void *(*get_service)(const struct synth_host *host, const char *service_id);
} synth_host;

/* ------------------------------------------------------------------------------------------ */
/* Instances and capabilities                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* A live plugin object, made by synth_entry.create and destroyed by its own destroy().
 * Everything an instance can do is a capability found by a versioned string id; unknown ids
 * return NULL. The returned struct is owned by the plugin and lives as long as the instance. */
typedef struct synth_instance {
    uint32_t struct_size;
    void *plugin_data; /* opaque to the host */
    void (*destroy)(struct synth_instance *self);
    const void *(*get_capability)(const struct synth_instance *self, const char *capability_id);
} synth_instance;

/* Generators: "synth.generator/1" -> synth_generator_v1 */
#define SYNTH_CAP_GENERATOR "synth.generator/1"

typedef struct synth_generator_v1 {
    uint32_t struct_size;
    /* Learn from a table (borrowed). */
    synth_status (*fit)(synth_instance *self, const synth_host *host, const struct ArrowSchema *schema,
                        const struct ArrowArray *table, synth_error *error);
    /* Make `rows` rows with the columns, names and kinds of the fitted table. On success the
     * plugin fills *out_schema and *out_table and the host owns them (it calls release). */
    synth_status (*sample)(synth_instance *self, const synth_host *host, int64_t rows,
                           struct ArrowSchema *out_schema, struct ArrowArray *out_table, synth_error *error);
    /* Optional (a generator whose descriptor sets SYNTH_GENERATOR_CONDITIONAL; the host reads it
     * only when struct_size covers it): `rows` rows like sample()'s, drawn from the distribution
     * given that the categorical or boolean column `column` equals `value` (the category's text,
     * "true" or "false"). */
    synth_status (*sample_conditional)(synth_instance *self, const synth_host *host, int64_t rows, const char *column,
                                       const char *value, struct ArrowSchema *out_schema, struct ArrowArray *out_table,
                                       synth_error *error);
} synth_generator_v1;

/* Saving a fitted generator (optional): "synth.generator.state/1" -> synth_generator_state_v1.
 * save() hands the fitted model to `sink` as bytes (in one or more pieces, in order); load()
 * restores such bytes on a new instance of the same plugin made with the same parameters, after
 * which sample() and sample_conditional() work without fit(). The bytes hold the model only, never
 * rows of the training table. */
#define SYNTH_CAP_GENERATOR_STATE "synth.generator.state/1"

typedef void (*synth_byte_sink)(void *sink_context, const uint8_t *bytes, uint64_t count);

typedef struct synth_generator_state_v1 {
    uint32_t struct_size;
    synth_status (*save)(synth_instance *self, const synth_host *host, synth_byte_sink sink, void *sink_context,
                         synth_error *error);
    synth_status (*load)(synth_instance *self, const synth_host *host, const uint8_t *bytes, uint64_t count,
                         synth_error *error);
} synth_generator_state_v1;

/* Validators: "synth.validator/1" -> synth_validator_v1 */
#define SYNTH_CAP_VALIDATOR "synth.validator/1"

typedef enum synth_goal {
    SYNTH_GOAL_MAXIMIZE = 1, /* higher is better */
    SYNTH_GOAL_MINIMIZE = 2, /* lower is better  */
    SYNTH_GOAL_NONE = 3,     /* informational    */
    /* Closest to `target` is best (an attack's AUC at 0.5). Added after the first release of ABI
     * v1: a host that does not know it, or a struct without `target`, treats it as NONE. */
    SYNTH_GOAL_NEAREST = 4
} synth_goal;

/* One result of a validator, handed to the host's sink (borrowed for the call). */
typedef struct synth_metric {
    uint32_t struct_size;
    const char *name;   /* [a-z][a-z0-9_]* (e.g. "ks_complement") */
    const char *column; /* the column it is about, or NULL for a table-level metric */
    double value;       /* finite; ignored when not_applicable is set */
    synth_goal goal;
    double min;         /* range of possible values; -INFINITY / INFINITY when unbounded */
    double max;
    /* NULL, or why the metric has no value for these tables (e.g. "the column is constant in the
     * real table"). Added after the first release of ABI v1: a host reads it only when struct_size
     * covers it, and treats a non-finite value without a reason as not applicable. */
    const char *not_applicable;
    /* The best value, read only when `goal` is SYNTH_GOAL_NEAREST and `struct_size` covers it;
     * finite and within [min, max]. Added after `not_applicable`. */
    double target;
} synth_metric;

/* The tables a validator compares, all borrowed for the call. `holdout_*` are NULL unless the
 * host has a holdout; `target` is NULL unless the host knows the target column. */
typedef struct synth_validation_input {
    uint32_t struct_size;
    const struct ArrowSchema *real_schema;
    const struct ArrowArray *real;
    const struct ArrowSchema *synthetic_schema;
    const struct ArrowArray *synthetic;
    const struct ArrowSchema *holdout_schema;
    const struct ArrowArray *holdout;
    const char *target;
} synth_validation_input;

typedef void (*synth_metric_sink)(void *sink_context, const synth_metric *metric);

typedef struct synth_validator_v1 {
    uint32_t struct_size;
    synth_status (*validate)(synth_instance *self, const synth_host *host, const synth_validation_input *input,
                             synth_metric_sink sink, void *sink_context, synth_error *error);
} synth_validator_v1;

/* Privacy, common part: "synth.privacy/1" -> synth_privacy_v1 (every privacy plugin has it). */
#define SYNTH_CAP_PRIVACY "synth.privacy/1"

typedef struct synth_privacy_v1 {
    uint32_t struct_size;
    /* What this instance has spent so far. */
    void (*spent)(const synth_instance *self, double *epsilon, double *delta);
    /* The budget it was configured with (delta 0 for pure ε-DP). */
    void (*budget)(const synth_instance *self, double *epsilon, double *delta);
} synth_privacy_v1;

/* Privacy for statistical generators: "synth.privacy.statistics/1" -> synth_privacy_statistics_v1.
 * The consumer first announces how many queries it will ask (plan), so the mechanism can split
 * its budget; then it asks them. Each query is accounted as it is answered; asking more queries
 * than planned fails with SYNTH_ERR_BUDGET. Noise is drawn from a stream derived from the
 * host's seed, so answers are reproducible under a seed. */
#define SYNTH_CAP_PRIVACY_STATISTICS "synth.privacy.statistics/1"

typedef struct synth_privacy_statistics_v1 {
    uint32_t struct_size;
    synth_status (*plan)(synth_instance *self, const synth_host *host, uint32_t query_count, synth_error *error);
    /* A histogram query: `counts[n]` are the exact cell counts, `l1_sensitivity` the most one
     * individual can change them in total (1 for a histogram over disjoint cells). `out[n]`
     * receives the noisy counts (they may be negative or fractional: post-process them). */
    synth_status (*histogram)(synth_instance *self, const synth_host *host, const double *counts, uint64_t n,
                              double l1_sensitivity, double *out, synth_error *error);
    /* Like plan, with an uneven split: query i (in the order asked) receives the share
     * weights[i] / sum(weights) of the budget. Added after the first release of this struct: a
     * consumer checks struct_size before calling it, and may find it NULL. */
    synth_status (*plan_weighted)(synth_instance *self, const synth_host *host, const double *weights, uint32_t count,
                                  synth_error *error);
} synth_privacy_statistics_v1;

/* Privacy for neural generators (DP-SGD): "synth.privacy.gradient/1" -> synth_privacy_gradient_v1.
 * The consumer announces its training run (plan); the mechanism answers with the Poisson sampling
 * rate, the number of steps, the clipping norm C and the noise multiplier σ it will account for,
 * or refuses with SYNTH_ERR_BUDGET. Each step the consumer includes every example independently
 * with that rate, computes per-example gradients, asks for their clip factors (clip), sums the
 * clipped gradients and hands the sum to noise(), which adds N(0, (σC)²) to every coordinate
 * (from a stream derived from the host's seed) and accounts the step; more steps than planned
 * fail with SYNTH_ERR_BUDGET. The consumer divides the noisy sum by the expected batch size. */
#define SYNTH_CAP_PRIVACY_GRADIENT "synth.privacy.gradient/1"

typedef struct synth_gradient_plan {
    uint32_t struct_size;
    double sampling_rate;    /* q: each example joins a step's batch with this probability */
    uint64_t steps;          /* T */
    double clip_norm;        /* C */
    double noise_multiplier; /* σ */
} synth_gradient_plan;

typedef struct synth_privacy_gradient_v1 {
    uint32_t struct_size;
    synth_status (*plan)(synth_instance *self, const synth_host *host, uint64_t examples, uint64_t batch_size,
                         uint64_t epochs, synth_gradient_plan *out, synth_error *error);
    /* factors[i] = min(1, C / norms[i]) for each example's gradient norm. */
    synth_status (*clip)(synth_instance *self, const synth_host *host, const double *norms, uint64_t count,
                         double *factors, synth_error *error);
    /* Adds the noise to `sum` (count values) in place and accounts one step. */
    synth_status (*noise)(synth_instance *self, const synth_host *host, float *sum, uint64_t count, synth_error *error);
} synth_privacy_gradient_v1;

/* ------------------------------------------------------------------------------------------ */
/* The entry                                                                                   */
/* ------------------------------------------------------------------------------------------ */

typedef struct synth_entry {
    uint32_t struct_size;
    uint32_t abi_version; /* SYNTH_ABI_VERSION as the plugin was compiled */
    const synth_descriptor *const *descriptors;
    uint32_t descriptor_count;
    /* Make an instance of the descriptor `descriptor_id` with its complete, validated parameter
     * values (see synth_param_value). On success *out is set and the host later calls
     * (*out)->destroy(*out) exactly once. */
    synth_status (*create)(const char *descriptor_id, const synth_host *host, const synth_param_value *params,
                           uint32_t param_count, synth_instance **out, synth_error *error);
    /* Library-wide capabilities by versioned id, NULL when unsupported (may itself be NULL). */
    const void *(*get_capability)(const char *capability_id);
} synth_entry;

/* The one exported function. */
typedef const synth_entry *(*synth_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* SYNTH_PLUGIN_H */
