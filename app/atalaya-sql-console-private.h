/* atalaya-sql-console-private.h: the console's widgets and state, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-sql-console.h"

G_BEGIN_DECLS

typedef struct _SqlResult SqlResult;

struct _AtalayaSqlConsole
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkMenuButton        *history_button;
  GtkPopover           *history_popover;
  GtkStack             *history_stack;
  GtkListBox           *history_list;
  GtkTextView          *text_view;
  GtkSpinner           *spinner;
  GtkLabel             *status_label;
  GtkStack             *result_stack;
  AdwStatusPage        *message_page;
  GtkColumnView        *column_view;

  /* Owned */
  char                 *store_path;
  AtalayaMapController *controller;
  GSettings            *settings;
  GCancellable         *cancellable;     /* the running query; NULL when idle */
  gpointer              job;             /* the running query's job */
  SqlResult            *result;          /* the result shown; nullable */
  char                 *draft;           /* the text before browsing the history */

  /* Borrowed */
  AtalayaMapView       *map_view;        /* weak */

  /* State */
  int                   history_index;   /* -1: the draft */
  gboolean              setting_text;
  guint                 tick_id;
};

guint        atalaya_sql_console_get_n_result_rows   (AtalayaSqlConsole *self);
gboolean     atalaya_sql_console_get_result_capped   (AtalayaSqlConsole *self);
int          atalaya_sql_console_get_geometry_column (AtalayaSqlConsole *self);
const char  *atalaya_sql_console_get_cell            (AtalayaSqlConsole *self,
                                                      guint              row,
                                                      guint              column);

G_END_DECLS
