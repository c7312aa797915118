#ifndef SYNTH_LINE_EDIT_H
#define SYNTH_LINE_EDIT_H

// A small, non-variadic face over libedit for the REPL (Swift cannot call el_set(), which is
// variadic), and a SIGINT flag that a Ctrl-C sets and the running work polls.

#include <stddef.h>

typedef struct sl_editor sl_editor;

// Called on Tab with the line up to the cursor. Sets `*insert` to text to insert at the cursor
// and `*listing` to candidates to list below the line (either may be left NULL). Both are
// allocated with malloc and freed by the caller.
typedef void (*sl_complete_fn)(void *context, const char *line_before_cursor, char **insert, char **listing);

// Opens an editor on the terminal of stdin/stdout. `history_path` may be NULL (no persistence).
sl_editor *sl_open(const char *program, const char *history_path, int history_size);
void sl_close(sl_editor *editor);

void sl_set_prompt(sl_editor *editor, const char *prompt);
void sl_set_completer(sl_editor *editor, sl_complete_fn function, void *context);

// Reads one line (without its newline). Returns a malloc'd string, or NULL at end of input
// (Ctrl-D on an empty line). `*interrupted` is set to 1 when Ctrl-C ended the line; the string is
// then empty.
char *sl_read_line(sl_editor *editor, int *interrupted);

// Adds a line to the history and saves the history file (so another process sees it).
void sl_add_history(sl_editor *editor, const char *line);

// SIGINT handling: a handler that sets a flag, installed without SA_RESTART so that a blocked
// read returns.
void sl_install_interrupt_handler(void);
int sl_interrupted(void);
void sl_clear_interrupt(void);

// A note written to stderr when the process dies of a fault or an abort (SIGSEGV, SIGBUS, SIGILL,
// SIGFPE, SIGABRT, SIGTRAP), after "synthlab: the session crashed (signal N)"; then the signal
// goes on to the handler that was there before (the Swift runtime's, or the default). The note is
// copied (at most 4 KiB); NULL or "" writes nothing.
void sl_install_crash_note(void);
void sl_set_crash_note(const char *note);
// A descriptor the crash handler closes first (the session journal's, so that its lock is free at
// once, while the runtime's backtrace is still being written); -1: none.
void sl_set_crash_descriptor(int descriptor);

#endif
