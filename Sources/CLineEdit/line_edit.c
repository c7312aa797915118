#include "line_edit.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <histedit.h>

struct sl_editor {
    EditLine *el;
    History *history;
    char *history_path;
    char *prompt;
    sl_complete_fn complete;
    void *complete_context;
    int interrupted;
};

static volatile sig_atomic_t interrupt_flag = 0;

static void on_interrupt(int signo) {
    (void)signo;
    interrupt_flag = 1;
}

void sl_install_interrupt_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: a blocked read or sleep returns
    sigaction(SIGINT, &action, NULL);
    // A parent may have started us with signals blocked (a thread of a test runner, say, whose
    // mask every child inherits): the REPL needs SIGINT, and a hangup or a termination request must
    // end it as it ends any program (their dispositions are left as inherited, so nohup still works).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int sl_interrupted(void) { return interrupt_flag != 0; }
void sl_clear_interrupt(void) { interrupt_flag = 0; }

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
#define CRASH_SIGNAL_COUNT (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction previous_actions[CRASH_SIGNAL_COUNT];
static char crash_note[4096];
static volatile sig_atomic_t crash_note_length = 0;
static volatile sig_atomic_t crash_descriptor = -1;

// Only async-signal-safe calls: write, sigaction, raise. A fault the kernel raised (a bad address,
// an illegal instruction) returns, so the instruction faults again under the previous handler with
// its own details; a signal sent (abort(), kill) is sent again.
static void on_crash(int signo, siginfo_t *info, void *context) {
    (void)context;
    if (crash_descriptor >= 0) {
        close(crash_descriptor);
        crash_descriptor = -1;
    }
    if (crash_note_length > 0) {
        char head[64] = "\nsynthlab: the session crashed (signal ";
        size_t length = strlen(head);
        char digits[12];
        int count = 0, value = signo;
        do { digits[count++] = (char)('0' + value % 10); value /= 10; } while (value > 0 && count < 11);
        while (count > 0) head[length++] = digits[--count];
        head[length++] = ')';
        ssize_t ignored = write(STDERR_FILENO, head, length);
        ignored = write(STDERR_FILENO, crash_note, (size_t)crash_note_length);
        (void)ignored;
    }
    for (size_t index = 0; index < CRASH_SIGNAL_COUNT; index++) {
        if (crash_signals[index] == signo) {
            sigaction(signo, &previous_actions[index], NULL);
            break;
        }
    }
    int from_kernel = info != NULL && info->si_code > 0 && signo != SIGABRT && signo != SIGTRAP;
    if (!from_kernel) raise(signo);
}

void sl_install_crash_note(void) {
    // Its own stack, so that a stack overflow in the main thread can still write the note.
    static char alternate[64 * 1024];
    stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0};
    sigaltstack(&stack, NULL);
    for (size_t index = 0; index < CRASH_SIGNAL_COUNT; index++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_crash;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
        sigaction(crash_signals[index], &action, &previous_actions[index]);
    }
}

void sl_set_crash_descriptor(int descriptor) { crash_descriptor = descriptor; }

void sl_set_crash_note(const char *note) {
    crash_note_length = 0;
    if (!note) return;
    size_t length = strlen(note);
    if (length > sizeof crash_note) length = sizeof crash_note;
    memcpy(crash_note, note, length);
    crash_note_length = (sig_atomic_t)length;
}

static sl_editor *editor_of(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return (sl_editor *)data;
}

static char *prompt_of(EditLine *el) {
    sl_editor *editor = editor_of(el);
    return editor && editor->prompt ? editor->prompt : "";
}

// Ctrl-C while editing: the terminal does not turn it into SIGINT (isig is off in edit mode), so
// it arrives here as a key. The line is abandoned; the REPL stays.
static unsigned char on_ctrl_c(EditLine *el, int ch) {
    (void)ch;
    sl_editor *editor = editor_of(el);
    if (editor) editor->interrupted = 1;
    fputs("^C", stdout);
    fflush(stdout);
    return CC_NEWLINE;
}

static unsigned char on_tab(EditLine *el, int ch) {
    (void)ch;
    sl_editor *editor = editor_of(el);
    if (!editor || !editor->complete) return CC_ERROR;
    const LineInfo *info = el_line(el);
    size_t length = (size_t)(info->cursor - info->buffer);
    char *before = malloc(length + 1);
    if (!before) return CC_ERROR;
    memcpy(before, info->buffer, length);
    before[length] = '\0';
    char *insert = NULL, *listing = NULL;
    editor->complete(editor->complete_context, before, &insert, &listing);
    free(before);
    unsigned char status = CC_REFRESH;
    if (insert && *insert) {
        if (el_insertstr(el, insert) == -1) status = CC_ERROR;
    }
    if (listing && *listing) {
        fputs("\n", stdout);
        fputs(listing, stdout);
        fflush(stdout);
        status = CC_REDISPLAY;
    } else if (!insert || !*insert) {
        status = CC_REFRESH_BEEP;
    }
    free(insert);
    free(listing);
    return status;
}

sl_editor *sl_open(const char *program, const char *history_path, int history_size) {
    sl_editor *editor = calloc(1, sizeof *editor);
    if (!editor) return NULL;
    editor->el = el_init(program, stdin, stdout, stderr);
    if (!editor->el) {
        free(editor);
        return NULL;
    }
    EditLine *el = editor->el;
    el_set(el, EL_CLIENTDATA, editor);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_PROMPT, prompt_of);
    el_set(el, EL_SIGNAL, 0);
    // Ctrl-C is a key while editing (see on_ctrl_c); it is a signal again while work runs.
    el_set(el, EL_SETTY, "-d", "-isig", NULL);

    HistEvent event;
    editor->history = history_init();
    history(editor->history, &event, H_SETSIZE, history_size > 0 ? history_size : 1000);
    history(editor->history, &event, H_SETUNIQUE, 1);
    if (history_path) {
        editor->history_path = strdup(history_path);
        history(editor->history, &event, H_LOAD, history_path);
    }
    el_set(el, EL_HIST, history, editor->history);

    el_set(el, EL_ADDFN, "synth-complete", "Complete the word at the cursor", on_tab);
    el_set(el, EL_ADDFN, "synth-interrupt", "Abandon the line", on_ctrl_c);
    el_set(el, EL_BIND, "^I", "synth-complete", NULL);
    el_set(el, EL_BIND, "^C", "synth-interrupt", NULL);
    el_set(el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_source(el, NULL); // the user's ~/.editrc, if any
    return editor;
}

void sl_close(sl_editor *editor) {
    if (!editor) return;
    el_end(editor->el);
    history_end(editor->history);
    free(editor->history_path);
    free(editor->prompt);
    free(editor);
}

void sl_set_prompt(sl_editor *editor, const char *prompt) {
    free(editor->prompt);
    editor->prompt = strdup(prompt ? prompt : "");
}

void sl_set_completer(sl_editor *editor, sl_complete_fn function, void *context) {
    editor->complete = function;
    editor->complete_context = context;
}

char *sl_read_line(sl_editor *editor, int *interrupted) {
    int count = 0;
    editor->interrupted = 0;
    const char *line = el_gets(editor->el, &count);
    if (interrupted) *interrupted = editor->interrupted;
    if (editor->interrupted) {
        fputs("\n", stdout);
        fflush(stdout);
        return strdup("");
    }
    if (!line || count <= 0) return NULL;
    size_t length = strlen(line);
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) length--;
    char *copy = malloc(length + 1);
    if (!copy) return NULL;
    memcpy(copy, line, length);
    copy[length] = '\0';
    return copy;
}

void sl_add_history(sl_editor *editor, const char *line) {
    HistEvent event;
    if (!line || !*line) return;
    history(editor->history, &event, H_ENTER, line);
    if (editor->history_path) history(editor->history, &event, H_SAVE, editor->history_path);
}
