/* gis-sql-private.h: small SQLite helpers shared inside gis/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

char     *gis_sql_quote_ident   (const char    *ident);
void      gis_sql_set_error     (GError       **error,
                                 sqlite3       *db,
                                 int            rc,
                                 const char    *what);
gboolean  gis_sql_exec          (sqlite3       *db,
                                 const char    *sql,
                                 GError       **error);
gboolean  gis_sql_execf         (sqlite3       *db,
                                 GError       **error,
                                 const char    *format,
                                 ...) G_GNUC_PRINTF (3, 4);
sqlite3_stmt *gis_sql_prepare   (sqlite3       *db,
                                 const char    *sql,
                                 GError       **error);
gboolean  gis_sql_table_exists  (sqlite3       *db,
                                 const char    *table);
gboolean  gis_sql_column_exists (sqlite3       *db,
                                 const char    *table,
                                 const char    *column);
char     *gis_sql_now_iso8601   (void);

G_END_DECLS
