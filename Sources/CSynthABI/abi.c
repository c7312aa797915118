/* CSynthABI is header-only: synth_plugin.h is the whole plugin ABI. This file exists because a
 * C target needs one translation unit; it defines nothing that a plugin links against. */
#include "synth_plugin.h"
