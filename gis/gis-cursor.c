/* gis-cursor.c: read-only queries
 *
 * The SQL console and query exports run user SQL.  Three locks keep it
 * from writing: only one statement, which SQLite says is read-only and
 * which starts with a reading keyword; and PRAGMA query_only on the
 * connection while the cursor lives, which also stops SpatiaLite
 * functions such as DropTable() that write from inside a SELECT.
 *
 * Virtual tables connect on their first use on a connection, and the
 * R*Tree module's connect prepares (but never runs) the statements that
 * would write its shadow tables: the authorizer would deny those and
 * every query on a spatial index with them.  So the store's R*Trees and
 * SpatiaLite's own index tables (SpatialIndex, KNN) connect before the
 * authorizer is in place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-cursor"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <cpl_conv.h>
#include <ogr_api.h>
#include <string.h>

#include "gis-blob-private.h"
#include "gis-cursor.h"
#include "gis-error.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

struct _GisCursor
{
  GisStore     *store;
  sqlite3      *db;
  sqlite3_stmt *stmt;
  GCancellable *cancellable;
  gboolean      reset_query_only;
  gboolean      done;
  gboolean      write_attempted;
};

static const char *
skip_space_and_comments (const char *p)
{
  for (;;)
    {
      while (g_ascii_isspace (*p) || *p == ';')
        p++;
      if (p[0] == '-' && p[1] == '-')
        {
          while (*p != '\0' && *p != '\n')
            p++;
          continue;
        }
      if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          p = end != NULL ? end + 2 : p + strlen (p);
          continue;
        }
      return p;
    }
}

static gboolean
starts_with_reading_keyword (const char *sql)
{
  static const char *const keywords[] = { "SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA" };
  const char *p = skip_space_and_comments (sql);

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      gsize n = strlen (keywords[i]);

      if (g_ascii_strncasecmp (p, keywords[i], n) == 0 &&
          !g_ascii_isalnum (p[n]) && p[n] != '_')
        return TRUE;
    }
  return FALSE;
}

/* Every statement a cursor prepares, its own and those that SpatiaLite
 * functions prepare while it runs, passes here: anything that would write
 * is denied and remembered, so that a function that swallows the error
 * still ends in a refusal the user sees. */
static int
on_authorize (void       *data,
              int         action,
              const char *arg1,
              const char *arg2,
              const char *db_name,
              const char *trigger)
{
  GisCursor *cursor = data;

  switch (action)
    {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      /* reading pragmas only: no value, or a table-valued one */
      if (arg2 == NULL)
        return SQLITE_OK;
      cursor->write_attempted = TRUE;
      return SQLITE_DENY;
    default:
      cursor->write_attempted = TRUE;
      return SQLITE_DENY;
    }
}

/* The virtual table modules connected ahead: those that live in the
 * database.  Modules that read files (VirtualText, VirtualShape…) may be
 * slow to connect and are left alone; queries on them are refused. */
static gboolean
is_index_module (const char *sql)
{
  static const char *const modules[] = {
    "rtree", "rtree_i32", "VirtualSpatialIndex", "VirtualKNN", "VirtualKNN2", "VirtualElementary",
  };
  const char *p = NULL;
  gsize n = 0;

  /* CREATE VIRTUAL TABLE name USING module(...) */
  for (const char *q = sql != NULL && *sql != '\0' ? sql + 1 : NULL; q != NULL && *q != '\0'; q++)
    if (g_ascii_isspace (q[-1]) && g_ascii_strncasecmp (q, "USING", 5) == 0 && g_ascii_isspace (q[5]))
      {
        p = q + 5;
        break;
      }
  if (p == NULL)
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  while (g_ascii_isalnum (p[n]) || p[n] == '_')
    n++;
  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    if (n == strlen (modules[i]) && g_ascii_strncasecmp (p, modules[i], n) == 0)
      return TRUE;
  return FALSE;
}

static void
connect_index_tables (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) names = NULL;

  names = gis_sql_prepare (db, "SELECT name, sql FROM sqlite_master "
                               "WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'", NULL);
  while (names != NULL && sqlite3_step (names) == SQLITE_ROW)
    {
      g_autofree char *quoted = NULL;
      g_autofree char *sql = NULL;
      sqlite3_stmt *stmt = NULL;

      if (!is_index_module ((const char *) sqlite3_column_text (names, 1)))
        continue;
      quoted = gis_sql_quote_ident ((const char *) sqlite3_column_text (names, 0));
      sql = g_strdup_printf ("SELECT 0 FROM %s LIMIT 0", quoted);
      /* a table that does not connect fails again, and says why, in the query */
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
      sqlite3_finalize (stmt);
    }
}

static void
set_refused (GError **error)
{
  g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY,
               _("Refused: the SQL console only reads, and this statement would "
                 "change the store. Nothing was changed."));
}

static int
on_progress (void *data)
{
  GCancellable *cancellable = data;

  return g_cancellable_is_cancelled (cancellable) ? 1 : 0;
}

/**
 * gis_store_query:
 * @store: a store
 * @sql: one SELECT (or WITH, VALUES, EXPLAIN, reading PRAGMA) statement
 * @error: return location for a #GIS_ERROR_READ_ONLY or #GIS_ERROR_SQL error
 *
 * Prepares a read-only query.  Statements that would write are refused
 * before they run.  While the cursor lives the connection is query-only.
 *
 * Returns: (transfer full) (nullable): a cursor before the first row
 */
GisCursor *
gis_store_query (GisStore    *store,
                 const char  *sql,
                 GError     **error)
{
  g_autoptr(GisCursor) cursor = NULL;
  const char *tail = NULL;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  if (*skip_space_and_comments (sql) == '\0')
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The query is empty"));
      return NULL;
    }

  cursor = g_new0 (GisCursor, 1);
  cursor->store = g_object_ref (store);
  cursor->db = gis_store_get_db (store);

  if (!gis_store_is_read_only (store))
    {
      if (!gis_sql_exec (cursor->db, "PRAGMA query_only = 1", error))
        return NULL;
      cursor->reset_query_only = TRUE;
    }

  connect_index_tables (cursor->db);
  sqlite3_set_authorizer (cursor->db, on_authorize, cursor);

  rc = sqlite3_prepare_v2 (cursor->db, sql, -1, &cursor->stmt, &tail);
  if (rc != SQLITE_OK)
    {
      if (cursor->write_attempted)
        set_refused (error);
      else
        g_set_error (error, GIS_ERROR, GIS_ERROR_SQL, _("SQL error: %s"),
                     sqlite3_errmsg (cursor->db));
      return NULL;
    }
  if (cursor->stmt == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The query is empty"));
      return NULL;
    }
  if (tail != NULL && *skip_space_and_comments (tail) != '\0')
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Only one statement can run at a time"));
      return NULL;
    }
  if (!sqlite3_stmt_readonly (cursor->stmt) || !starts_with_reading_keyword (sql))
    {
      set_refused (error);
      return NULL;
    }

  return g_steal_pointer (&cursor);
}

void
gis_cursor_free (GisCursor *cursor)
{
  if (cursor == NULL)
    return;

  g_clear_pointer (&cursor->stmt, sqlite3_finalize);
  if (cursor->db != NULL)
    sqlite3_set_authorizer (cursor->db, NULL, NULL);
  if (cursor->reset_query_only)
    gis_sql_exec (cursor->db, "PRAGMA query_only = 0", NULL);
  g_clear_object (&cursor->store);
  g_free (cursor);
}

guint
gis_cursor_get_n_columns (GisCursor *cursor)
{
  return (guint) sqlite3_column_count (cursor->stmt);
}

const char *
gis_cursor_get_column_name (GisCursor *cursor,
                            guint      column)
{
  return sqlite3_column_name (cursor->stmt, (int) column);
}

/**
 * gis_cursor_get_column_decltype:
 *
 * Returns: (nullable): the declared type of a column that comes straight
 *   from a table (for geometry columns, the SpatiaLite geometry type)
 */
const char *
gis_cursor_get_column_decltype (GisCursor *cursor,
                                guint      column)
{
  return sqlite3_column_decltype (cursor->stmt, (int) column);
}

/**
 * gis_cursor_next:
 * @cursor: a cursor
 * @cancellable: (nullable): interrupts a long step
 * @error: return location for an error
 *
 * Returns: %TRUE on a row; %FALSE at the end or on error (@error set)
 */
gboolean
gis_cursor_next (GisCursor     *cursor,
                 GCancellable  *cancellable,
                 GError       **error)
{
  int rc;

  if (cursor->done)
    return FALSE;

  if (cancellable != NULL)
    sqlite3_progress_handler (cursor->db, 1000, on_progress, cancellable);
  rc = sqlite3_step (cursor->stmt);
  if (cancellable != NULL)
    sqlite3_progress_handler (cursor->db, 0, NULL, NULL);

  if (cursor->write_attempted)
    {
      cursor->done = TRUE;
      set_refused (error);
      return FALSE;
    }

  if (rc == SQLITE_ROW)
    return TRUE;

  cursor->done = TRUE;
  if (rc == SQLITE_DONE)
    return FALSE;

  if (rc == SQLITE_INTERRUPT && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_AUTH)
    set_refused (error);
  else
    gis_sql_set_error (error, cursor->db, rc, _("SQL error"));
  return FALSE;
}

GisValueType
gis_cursor_get_value_type (GisCursor *cursor,
                           guint      column)
{
  switch (sqlite3_column_type (cursor->stmt, (int) column))
    {
    case SQLITE_INTEGER:
      return GIS_VALUE_INTEGER;
    case SQLITE_FLOAT:
      return GIS_VALUE_REAL;
    case SQLITE_TEXT:
      return GIS_VALUE_TEXT;
    case SQLITE_BLOB:
      {
        const guint8 *blob = sqlite3_column_blob (cursor->stmt, (int) column);
        gsize len = (gsize) sqlite3_column_bytes (cursor->stmt, (int) column);

        return gis_blob_is_geometry (blob, len) ? GIS_VALUE_GEOMETRY : GIS_VALUE_BLOB;
      }
    case SQLITE_NULL:
    default:
      return GIS_VALUE_NULL;
    }
}

gint64
gis_cursor_get_int64 (GisCursor *cursor,
                      guint      column)
{
  return sqlite3_column_int64 (cursor->stmt, (int) column);
}

double
gis_cursor_get_double (GisCursor *cursor,
                       guint      column)
{
  return sqlite3_column_double (cursor->stmt, (int) column);
}

const char *
gis_cursor_get_text (GisCursor *cursor,
                     guint      column)
{
  return (const char *) sqlite3_column_text (cursor->stmt, (int) column);
}

const guint8 *
gis_cursor_get_blob (GisCursor *cursor,
                     guint      column,
                     gsize     *len)
{
  const guint8 *blob = sqlite3_column_blob (cursor->stmt, (int) column);

  *len = (gsize) sqlite3_column_bytes (cursor->stmt, (int) column);
  return blob;
}

/**
 * gis_cursor_get_wkb:
 *
 * Returns: (transfer full) (nullable): the geometry as little-endian ISO
 *   WKB, or %NULL if the value is not a geometry
 */
guint8 *
gis_cursor_get_wkb (GisCursor *cursor,
                    guint      column,
                    gsize     *len,
                    int       *srid)
{
  gsize blob_len;
  const guint8 *blob = gis_cursor_get_blob (cursor, column, &blob_len);

  return gis_blob_to_wkb (blob, blob_len, len, srid);
}

/**
 * gis_cursor_get_wkt:
 *
 * Returns: (transfer full) (nullable): the geometry as WKT
 */
char *
gis_cursor_get_wkt (GisCursor *cursor,
                    guint      column)
{
  g_autofree guint8 *wkb = NULL;
  OGRGeometryH geom = NULL;
  char *wkt = NULL;
  char *result = NULL;
  gsize len;

  wkb = gis_cursor_get_wkb (cursor, column, &len, NULL);
  if (wkb == NULL)
    return NULL;
  if (OGR_G_CreateFromWkb (wkb, NULL, &geom, (int) len) != OGRERR_NONE)
    return NULL;
  if (OGR_G_ExportToIsoWkt (geom, &wkt) == OGRERR_NONE)
    result = g_strdup (wkt);
  CPLFree (wkt);
  OGR_G_DestroyGeometry (geom);
  return result;
}

/**
 * gis_cursor_format_value:
 *
 * Returns: (transfer full) (nullable): the value as text for display;
 *   %NULL for SQL NULL
 */
char *
gis_cursor_format_value (GisCursor *cursor,
                         guint      column)
{
  switch (gis_cursor_get_value_type (cursor, column))
    {
    case GIS_VALUE_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, gis_cursor_get_int64 (cursor, column));
    case GIS_VALUE_REAL:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g",
                                          gis_cursor_get_double (cursor, column)));
      }
    case GIS_VALUE_TEXT:
      return g_strdup (gis_cursor_get_text (cursor, column));
    case GIS_VALUE_GEOMETRY:
      return gis_cursor_get_wkt (cursor, column);
    case GIS_VALUE_BLOB:
      {
        gsize len;
        gis_cursor_get_blob (cursor, column, &len);
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "(%zu byte)", "(%zu bytes)", len), len);
      }
    case GIS_VALUE_NULL:
    default:
      return NULL;
    }
}
