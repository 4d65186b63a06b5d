/* atalaya-sql-console.h: read-only SQL on the store, results in a table and on the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

#include "atalaya-map-controller.h"
#include "atalaya-map-view.h"

G_BEGIN_DECLS

/** At most this many rows of a result are kept and shown. */
#define ATALAYA_SQL_CONSOLE_MAX_ROWS 100000

/** The history keeps this many distinct statements. */
#define ATALAYA_SQL_CONSOLE_MAX_HISTORY 50

#define ATALAYA_TYPE_SQL_CONSOLE (atalaya_sql_console_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaSqlConsole, atalaya_sql_console, ATALAYA, SQL_CONSOLE, AdwWindow)

AtalayaSqlConsole *atalaya_sql_console_new            (GtkWindow            *parent,
                                                       const char           *store_path,
                                                       AtalayaMapController *controller,
                                                       AtalayaMapView       *map_view);
const char        *atalaya_sql_console_get_store_path (AtalayaSqlConsole    *self);
char              *atalaya_sql_console_dup_text       (AtalayaSqlConsole    *self);
void               atalaya_sql_console_set_text       (AtalayaSqlConsole    *self,
                                                       const char           *sql);
void               atalaya_sql_console_run            (AtalayaSqlConsole    *self);
void               atalaya_sql_console_cancel         (AtalayaSqlConsole    *self);
gboolean           atalaya_sql_console_get_running    (AtalayaSqlConsole    *self);

G_END_DECLS
