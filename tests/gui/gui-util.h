/* gui-util.h: what every GUI test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

typedef gboolean (*Predicate) (gpointer data);

void       gui_test_init    (int          *argc,
                             char       ***argv);
void       wait_for         (Predicate     predicate,
                             gpointer      data,
                             const char   *what);
gpointer   find_controller  (GtkWidget    *widget,
                             GType         type);
GtkWidget *find_widget      (GtkWidget    *widget,
                             GType         type,
                             gboolean    (*match) (GtkWidget *widget, gconstpointer data),
                             gconstpointer match_data);


char      *gui_store_checksum (const char   *store_path);
double     gui_sql_double     (const char   *store_path,
                               const char   *sql);

G_END_DECLS
