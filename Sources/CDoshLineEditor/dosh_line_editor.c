#define _XOPEN_SOURCE 700
#include "dosh_line_editor.h"

#include <stddef.h>
#include <string.h>

int dosh_el_set_prompt(EditLine *el, dosh_el_prompt_function prompt, char ignore) {
  return el_set(el, EL_PROMPT_ESC, prompt, ignore);
}

int dosh_el_set_editor(EditLine *el, const char *name) {
  return el_set(el, EL_EDITOR, name);
}

int dosh_el_editor_is_vi(EditLine *el) {
  const char *name = NULL;
  if (el_get(el, EL_EDITOR, &name) != 0 || name == NULL) return 0;
  return strcmp(name, "vi") == 0;
}

int dosh_el_set_signal_handling(EditLine *el, int on) {
  return el_set(el, EL_SIGNAL, on);
}

int dosh_el_set_client_data(EditLine *el, void *data) {
  return el_set(el, EL_CLIENTDATA, data);
}

void *dosh_el_client_data(EditLine *el) {
  void *data = NULL;
  if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
  return data;
}

int dosh_el_add_function(EditLine *el, const char *name, const char *help,
                         dosh_el_editor_function function) {
  return el_set(el, EL_ADDFN, name, help, function);
}

int dosh_el_bind(EditLine *el, const char *key, const char *command) {
  return el_set(el, EL_BIND, key, command, (const char *)NULL);
}

int dosh_el_disable_terminal_signals(EditLine *el) {
  return el_set(el, EL_SETTY, "-d", "-isig", (const char *)NULL);
}

int dosh_el_set_history(EditLine *el, History *h) {
  return el_set(el, EL_HIST, history, h);
}

int dosh_el_set_read_function(EditLine *el, dosh_el_read_function function) {
  return el_set(el, EL_GETCFN, function);
}

int dosh_el_refresh(EditLine *el) {
  return el_set(el, EL_REFRESH);
}

int dosh_el_terminal_number(EditLine *el, const char *name) {
  int value = 0;
  if (el_get(el, EL_GETTC, name, &value, (void *)NULL) != 0) return 0;
  return value;
}

const char *dosh_el_terminal_string(EditLine *el, const char *name) {
  char *value = NULL;
  if (el_get(el, EL_GETTC, name, &value, (void *)NULL) != 0) return NULL;
  return value;
}

int dosh_character_width(wchar_t c) {
  return wcwidth(c);
}

int dosh_history_enter(History *h, const char *entry) {
  HistEvent event;
  return history(h, &event, H_ENTER, entry);
}

int dosh_history_set_size(History *h, int size) {
  HistEvent event;
  return history(h, &event, H_SETSIZE, size);
}

int dosh_history_clear(History *h) {
  HistEvent event;
  return history(h, &event, H_CLEAR);
}
