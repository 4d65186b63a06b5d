/* gis-sql.c: SQLite helpers
 *
 * Identifiers are always quoted with gis_sql_quote_ident(); values are
 * always bound.  Nothing here pastes user text into SQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-sql"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "gis-error.h"
#include "gis-sql-private.h"

/**
 * gis_sql_quote_ident:
 * @ident: an identifier
 *
 * Returns: (transfer full): @ident in double quotes, inner quotes doubled
 */
char *
gis_sql_quote_ident (const char *ident)
{
  GString *s = g_string_sized_new (strlen (ident) + 2);

  g_string_append_c (s, '"');
  for (const char *p = ident; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

void
gis_sql_set_error (GError     **error,
                   sqlite3     *db,
                   int          rc,
                   const char  *what)
{
  int code;
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = GIS_ERROR_CORRUPT;
      break;
    case SQLITE_READONLY:
      code = GIS_ERROR_READ_ONLY;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      code = GIS_ERROR_IO;
      break;
    default:
      code = GIS_ERROR_SQL;
      break;
    }

  if (what != NULL)
    g_set_error (error, GIS_ERROR, code, "%s: %s", what, msg);
  else
    g_set_error_literal (error, GIS_ERROR, code, msg);
}

gboolean
gis_sql_exec (sqlite3     *db,
              const char  *sql,
              GError     **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      gis_sql_set_error (error, db, rc, NULL);
      sqlite3_free (errmsg);
      return FALSE;
    }

  return TRUE;
}

gboolean
gis_sql_execf (sqlite3     *db,
               GError     **error,
               const char  *format,
               ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  return gis_sql_exec (db, sql, error);
}

/**
 * gis_sql_prepare:
 *
 * Returns: (transfer full) (nullable): the statement
 */
sqlite3_stmt *
gis_sql_prepare (sqlite3     *db,
                 const char  *sql,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      gis_sql_set_error (error, db, rc, NULL);
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

gboolean
gis_sql_table_exists (sqlite3    *db,
                      const char *table)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = gis_sql_prepare (db,
                          "SELECT 1 FROM sqlite_master "
                          "WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE",
                          NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

gboolean
gis_sql_column_exists (sqlite3    *db,
                       const char *table,
                       const char *column)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = gis_sql_prepare (db,
                          "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
                          NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, column, -1, SQLITE_TRANSIENT);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/**
 * gis_sql_now_iso8601:
 *
 * Returns: (transfer full): the current UTC time as YYYY-MM-DDTHH:MM:SSZ
 */
char *
gis_sql_now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}
