// The C shim between dosh's line editor and libedit.
//
// Why C at all: libedit's configuration entry points `el_set`, `el_get` and `history` are
// variadic, and Swift cannot call variadic C functions. Each wrapper below fixes one argument
// list. Everything libedit offers as a plain function (el_init, el_gets, el_line, el_insertstr,
// el_deletestr, el_source, history_init, ...) is called from Swift directly.
#ifndef DOSH_LINE_EDITOR_H
#define DOSH_LINE_EDITOR_H

#include <histedit.h>
#include <wchar.h>

/// A prompt callback: returns the prompt text, which libedit reads but does not free.
typedef char *(*dosh_el_prompt_function)(EditLine *);
/// An editor function added with EL_ADDFN: returns one of the CC_* codes.
typedef unsigned char (*dosh_el_editor_function)(EditLine *, int);
/// A read-character function (EL_GETCFN): stores one character, returns 1, 0 at end of file,
/// or -1 with errno set on an error.
typedef int (*dosh_el_read_function)(EditLine *, wchar_t *);

/// el_set(EL_PROMPT_ESC): characters between two `ignore` characters do not take screen space
/// (colour sequences). Why C: el_set is variadic.
int dosh_el_set_prompt(EditLine *el, dosh_el_prompt_function prompt, char ignore);

/// el_set(EL_EDITOR, "emacs" or "vi"). Resets all key bindings. Why C: el_set is variadic.
int dosh_el_set_editor(EditLine *el, const char *name);

/// el_get(EL_EDITOR): 1 when the editing mode is vi, 0 otherwise. Why C: el_get is variadic.
int dosh_el_editor_is_vi(EditLine *el);

/// el_set(EL_SIGNAL): when on, libedit installs its own handlers for SIGINT, SIGQUIT, SIGTSTP,
/// SIGHUP, SIGTERM, SIGCONT and SIGWINCH while el_gets runs. Why C: el_set is variadic.
int dosh_el_set_signal_handling(EditLine *el, int on);

/// el_set(EL_CLIENTDATA): the pointer callbacks use to find their editor. Why C: variadic.
int dosh_el_set_client_data(EditLine *el, void *data);

/// el_get(EL_CLIENTDATA), or NULL. Why C: el_get is variadic.
void *dosh_el_client_data(EditLine *el);

/// el_set(EL_ADDFN): makes `function` available to key bindings under `name`.
/// Why C: el_set is variadic.
int dosh_el_add_function(EditLine *el, const char *name, const char *help,
                         dosh_el_editor_function function);

/// el_set(EL_BIND, key, command, NULL) in the current editing mode's insert map.
/// Why C: el_set is variadic.
int dosh_el_bind(EditLine *el, const char *key, const char *command);

/// el_set(EL_SETTY, "-d", "-isig", NULL): in edit mode the terminal's interrupt,
/// quit and suspend characters arrive as plain keys, so ^C can be an editor command.
/// Why C: el_set is variadic.
int dosh_el_disable_terminal_signals(EditLine *el);

/// el_set(EL_HIST, history, h): Up, Down and the searches walk `h`. Why C: variadic.
int dosh_el_set_history(EditLine *el, History *h);

/// el_set(EL_GETCFN): libedit reads each character with `function` instead of its own
/// read(2) of the input descriptor. Why C: el_set is variadic.
int dosh_el_set_read_function(EditLine *el, dosh_el_read_function function);

/// el_set(EL_REFRESH): forgets what libedit believes is on the screen and draws the prompt and
/// the line again, from the cursor's position (which must be at the start of a line).
/// Why C: el_set is variadic.
int dosh_el_refresh(EditLine *el);

/// el_get(EL_GETTC, name): one of the terminal's numbers (termcap names: "co" its width in
/// columns, "li" its height in lines), or 0 when unknown. Why C: el_get is variadic.
int dosh_el_terminal_number(EditLine *el, const char *name);

/// el_get(EL_GETTC, name): one of the terminal's control strings (termcap names: "up" moves
/// the cursor up a row, "cd" clears to the end of the screen), or NULL when the terminal has
/// none. libedit keeps the string. Why C: el_get is variadic.
const char *dosh_el_terminal_string(EditLine *el, const char *name);

/// wcwidth(c): the columns libedit gives a character when it lays out the line, -1 when it
/// cannot be printed. Why C: glibc declares wcwidth only for _XOPEN_SOURCE, which the Swift
/// Glibc module is not built with.
int dosh_character_width(wchar_t c);

/// history(H_ENTER): appends one entry. Why C: history() is variadic.
int dosh_history_enter(History *h, const char *entry);

/// history(H_SETSIZE): keeps at most `size` entries. Why C: history() is variadic.
int dosh_history_set_size(History *h, int size);

/// history(H_CLEAR): removes every entry. Why C: history() is variadic.
int dosh_history_clear(History *h);

#endif
