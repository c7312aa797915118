/* A shared library that is not a SynthLab plugin: it has no synth_plugin_entry symbol. */
int some_other_function(void) { return 42; }
