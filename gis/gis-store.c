/* gis-store.c: the SpatiaLite project file
 *
 * A store is one SQLite database with SpatiaLite metadata, so QGIS and
 * spatialite-gui open it too.  Opening never writes before the file has
 * been recognised as a store of a version we understand: a file that is
 * not a store, is damaged, or is newer is left exactly as it was.
 *
 * One GisStore is one connection and belongs to one thread at a time.
 * Worker threads open their own GisStore on the same file: WAL lets many
 * readers work while one writer writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-store"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>
#include <spatialite.h>
#include <string.h>

#include "gis-error.h"
#include "gis-layer-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

struct _GisStore
{
  GObject   parent_instance;

  char     *path;
  sqlite3  *db;
  void     *splite_cache;
  int       schema_version;
  gboolean  read_only;
};

G_DEFINE_FINAL_TYPE (GisStore, gis_store, G_TYPE_OBJECT)

#define BUSY_TIMEOUT_MS 10000

static void
gis_store_close (GisStore *self)
{
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  if (self->splite_cache != NULL)
    {
      spatialite_cleanup_ex (self->splite_cache);
      self->splite_cache = NULL;
    }
}

static void
gis_store_finalize (GObject *object)
{
  GisStore *self = (GisStore *) object;

  gis_store_close (self);
  g_free (self->path);

  G_OBJECT_CLASS (gis_store_parent_class)->finalize (object);
}

static void
gis_store_class_init (GisStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gis_store_finalize;
}

static void
gis_store_init (GisStore *self)
{
}

/* ---- migrations ----------------------------------------------------
 *
 * A store is created by running every migration from version 0, so the
 * migration path is the creation path and is always exercised.  Each step
 * runs inside the one transaction of gis_store_migrate().
 */

typedef gboolean (*MigrationFunc) (sqlite3 *db, GError **error);

static gboolean
migrate_to_1 (sqlite3  *db,
              GError  **error)
{
  g_autofree char *now = gis_sql_now_iso8601 ();
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!gis_sql_table_exists (db, "spatial_ref_sys") &&
      !gis_sql_exec (db, "SELECT InitSpatialMetadata(0)", error))
    return FALSE;

  if (!gis_sql_exec (db,
                     "CREATE TABLE atalaya_meta ("
                     "  key TEXT PRIMARY KEY NOT NULL,"
                     "  value TEXT);"
                     "CREATE TABLE atalaya_layers ("
                     "  id INTEGER PRIMARY KEY,"
                     "  name TEXT NOT NULL UNIQUE,"
                     "  table_name TEXT UNIQUE,"
                     "  role TEXT NOT NULL DEFAULT 'other' CHECK (role IN"
                     "    ('boundary', 'port', 'facility', 'habitat', 'incident',"
                     "     'resource', 'zone', 'result', 'other')),"
                     "  geometry_type TEXT,"
                     "  srid INTEGER NOT NULL DEFAULT 4326,"
                     "  source TEXT,"
                     "  imported_at TEXT,"
                     "  feature_count INTEGER NOT NULL DEFAULT 0,"
                     "  extent TEXT,"
                     "  style_json TEXT,"
                     "  visible INTEGER NOT NULL DEFAULT 1,"
                     "  z_order INTEGER NOT NULL DEFAULT 0,"
                     "  opacity REAL NOT NULL DEFAULT 1.0"
                     "    CHECK (opacity >= 0.0 AND opacity <= 1.0));"
                     "CREATE TABLE atalaya_runs ("
                     "  id INTEGER PRIMARY KEY,"
                     "  kind TEXT NOT NULL,"
                     "  params_json TEXT NOT NULL DEFAULT '{}',"
                     "  inputs_json TEXT NOT NULL DEFAULT '[]',"
                     "  started_at TEXT NOT NULL,"
                     "  finished_at TEXT,"
                     "  result_layer INTEGER"
                     "    REFERENCES atalaya_layers (id) ON DELETE SET NULL);",
                     error))
    return FALSE;

  stmt = gis_sql_prepare (db,
                          "INSERT INTO atalaya_meta (key, value) VALUES "
                          "('application', 'atalaya'), "
                          "('created_at', ?1), "
                          "('analysis_crs', 'cec-laea')",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), NULL);
      return FALSE;
    }

  return TRUE;
}

static gboolean
migrate_to_2 (sqlite3  *db,
              GError  **error)
{
  /* Density surfaces and other grids: a raster is a layer of the registry
   * (geometry_type 'RASTER') whose cells live here as float32. */
  return gis_sql_exec (db,
                       "CREATE TABLE atalaya_rasters ("
                       "  layer_id INTEGER PRIMARY KEY"
                       "    REFERENCES atalaya_layers (id) ON DELETE CASCADE,"
                       "  width INTEGER NOT NULL CHECK (width > 0),"
                       "  height INTEGER NOT NULL CHECK (height > 0),"
                       "  geotransform TEXT NOT NULL,"
                       "  crs TEXT NOT NULL,"
                       "  nodata REAL,"
                       "  data BLOB NOT NULL);",
                       error);
}

static gboolean
migrate_to_3 (sqlite3  *db,
              GError  **error)
{
  /* saved queries: the query model as JSON (gis_query_to_json()) */
  return gis_sql_exec (db,
                       "CREATE TABLE atalaya_queries ("
                       "  id INTEGER PRIMARY KEY,"
                       "  name TEXT NOT NULL UNIQUE,"
                       "  query_json TEXT NOT NULL,"
                       "  created_at TEXT NOT NULL,"
                       "  updated_at TEXT NOT NULL);",
                       error);
}

static const MigrationFunc migrations[] = {
  migrate_to_1,
  migrate_to_2,
  migrate_to_3,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == GIS_STORE_SCHEMA_VERSION);

static gboolean
gis_store_migrate (GisStore  *self,
                   int        target,
                   GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *version = NULL;

  g_assert (target <= GIS_STORE_SCHEMA_VERSION);

  if (self->schema_version >= target)
    return TRUE;

  if (!gis_sql_exec (self->db, "BEGIN IMMEDIATE", error))
    return FALSE;

  for (int v = self->schema_version; v < target; v++)
    {
      g_debug ("Migrating %s from schema %d to %d", self->path, v, v + 1);
      if (!migrations[v] (self->db, error))
        goto fail;
    }

  version = g_strdup_printf ("%d", target);
  stmt = gis_sql_prepare (self->db,
                          "INSERT OR REPLACE INTO atalaya_meta (key, value) "
                          "VALUES ('schema_version', ?1)",
                          error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, version, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, self->db, sqlite3_errcode (self->db), NULL);
      goto fail;
    }

  if (!gis_sql_exec (self->db, "COMMIT", error))
    goto fail;

  self->schema_version = target;
  return TRUE;

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* ---- opening --------------------------------------------------------- */

static gboolean
gis_store_connect (GisStore  *self,
                   int        flags,
                   GError   **error)
{
  int rc;

  rc = sqlite3_open_v2 (self->path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot open “%s”: %s"),
                   self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  self->splite_cache = spatialite_alloc_connection ();
  {
    /* spatialite_init_ex() sets LC_NUMERIC to "C" for the whole process,
     * which strips the user's digit grouping from every number the
     * window formats afterwards.  Put it back; the lock keeps two opening
     * threads from restoring each other's "C". */
    static GMutex locale_lock;
    g_autofree char *numeric = NULL;

    g_mutex_lock (&locale_lock);
    numeric = g_strdup (setlocale (LC_NUMERIC, NULL));
    spatialite_init_ex (self->db, self->splite_cache, 0);
    if (numeric != NULL)
      setlocale (LC_NUMERIC, numeric);
    g_mutex_unlock (&locale_lock);
  }

  return TRUE;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Checks the 100-byte SQLite header before SQLite sees the file: an empty
 * file, a file of another kind, and a file shorter than its header says
 * are refused here with a message that names the problem. */
static gboolean
check_header (const char  *path,
              GError     **error)
{
  guint8 header[100];
  GStatBuf st;
  FILE *fp;
  size_t n;
  guint32 page_size, page_count, change_counter, valid_for;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, GIS_ERROR,
                   saved_errno == ENOENT ? GIS_ERROR_NOT_FOUND : GIS_ERROR_IO,
                   _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_A_STORE,
                   _("“%s” is not an Atalaya store: not a regular file"), path);
      return FALSE;
    }

  if (st.st_size == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_A_STORE,
                   _("“%s” is not an Atalaya store: the file is empty"), path);
      return FALSE;
    }

  fp = g_fopen (path, "rb");
  if (fp == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot open “%s”: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }
  n = fread (header, 1, sizeof header, fp);
  fclose (fp);

  if (n < 16 || memcmp (header, "SQLite format 3", 16) != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_A_STORE,
                   _("“%s” is not an Atalaya store: not a SQLite database"), path);
      return FALSE;
    }

  if (n < sizeof header)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                   _("“%s” is damaged: the file is truncated (%" PRId64 " bytes)"),
                   path, (gint64) st.st_size);
      return FALSE;
    }

  page_size = ((guint32) header[16] << 8) | header[17];
  if (page_size == 1)
    page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                   _("“%s” is damaged: invalid page size in its header"), path);
      return FALSE;
    }

  change_counter = read_be32 (header + 24);
  page_count = read_be32 (header + 28);
  valid_for = read_be32 (header + 92);

  /* The in-header size is only meaningful when written by the same
   * transaction as the change counter (SQLite file format §1.3.7). */
  if (page_count > 0 && valid_for == change_counter &&
      (guint64) st.st_size < (guint64) page_count * page_size)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                   _("“%s” is damaged: the file is truncated (%" PRId64
                     " of %" PRIu64 " bytes)"),
                   path, (gint64) st.st_size, (guint64) page_count * page_size);
      return FALSE;
    }

  if (st.st_size % page_size != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                   _("“%s” is damaged: its size is not a whole number of pages"), path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_schema_version (GisStore  *self,
                     GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT value FROM atalaya_meta WHERE key = 'schema_version'",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      int primary = rc & 0xff;

      if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                     _("“%s” is damaged: %s"), self->path, sqlite3_errmsg (self->db));
      else if (primary == SQLITE_ERROR &&
               strstr (sqlite3_errmsg (self->db), "no such table") != NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_A_STORE,
                     _("“%s” is not an Atalaya store: it is a SQLite database "
                       "without Atalaya’s tables"), self->path);
      else
        g_set_error (error, GIS_ERROR, GIS_ERROR_IO,
                     _("Cannot read “%s”: %s"), self->path, sqlite3_errmsg (self->db));
      return FALSE;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);
      gint64 v = 0;

      if (text == NULL || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT, &v, NULL))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                       _("“%s” is damaged: its schema version “%s” is not a number"),
                       self->path, text ? text : "");
          return FALSE;
        }
      self->schema_version = (int) v;
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                 _("“%s” is damaged: it has no schema version"), self->path);
  else
    gis_sql_set_error (error, self->db, rc, self->path);
  return FALSE;
}

/* Reads every table the store needs, so a damaged schema or registry is
 * found at open rather than halfway through some later work. */
static gboolean
check_registry (GisStore  *self,
                GError   **error)
{
  static const char *const required[] = {
    "atalaya_layers", "atalaya_runs", "geometry_columns", "spatial_ref_sys",
  };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (!gis_sql_table_exists (self->db, required[i]))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                       _("“%s” is damaged: table “%s” is missing"),
                       self->path, required[i]);
          return FALSE;
        }
    }

  stmt = gis_sql_prepare (self->db,
                          "SELECT l.table_name, "
                          "       (SELECT count(*) FROM sqlite_master m"
                          "        WHERE m.type = 'table' AND m.name = l.table_name)"
                          "FROM atalaya_layers l WHERE l.table_name IS NOT NULL",
                          NULL);
  if (stmt == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("“%s” is damaged: %s"),
                   self->path, sqlite3_errmsg (self->db));
      return FALSE;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (sqlite3_column_int (stmt, 1) == 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                       _("“%s” is damaged: the table “%s” of a layer is missing"),
                       self->path, (const char *) sqlite3_column_text (stmt, 0));
          return FALSE;
        }
    }

  if (rc != SQLITE_DONE)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("“%s” is damaged: %s"),
                   self->path, sqlite3_errmsg (self->db));
      return FALSE;
    }

  return TRUE;
}

/**
 * gis_store_open:
 * @path: the store file
 * @flags: read-write or read-only
 * @error: return location for a #GIS_ERROR error
 *
 * Opens a store, migrating it to the current schema when it is older and
 * opened for writing.  A file that is not a store, is damaged or is of a
 * newer schema is refused and left unchanged.
 *
 * Returns: (transfer full) (nullable): the store
 */
GisStore *
gis_store_open (const char         *path,
                GisStoreOpenFlags   flags,
                GError            **error)
{
  g_autoptr(GisStore) self = NULL;
  gboolean read_only = (flags & GIS_STORE_OPEN_READ_ONLY) != 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_header (path, error))
    return NULL;

  self = g_object_new (GIS_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = read_only;

  if (!gis_store_connect (self,
                          read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                          error))
    return NULL;

  if (!read_schema_version (self, error))
    return NULL;

  if (self->schema_version > GIS_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NEWER_VERSION,
                   _("“%s” was written by a newer version of Atalaya "
                     "(schema %d; this version reads up to %d)"),
                   path, self->schema_version, GIS_STORE_SCHEMA_VERSION);
      return NULL;
    }

  if (!check_registry (self, error))
    return NULL;

  if (self->schema_version < GIS_STORE_SCHEMA_VERSION)
    {
      /* schema 3 only added saved queries, which a reader finds none of */
      if (read_only && self->schema_version < GIS_STORE_READ_ONLY_MIN_VERSION)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY,
                       _("“%s” uses an older schema (%d) and must be opened "
                         "for writing once to be upgraded"),
                       path, self->schema_version);
          return NULL;
        }
      if (!read_only && !gis_store_migrate (self, GIS_STORE_SCHEMA_VERSION, error))
        {
          g_prefix_error (error, _("Cannot upgrade “%s”: "), path);
          return NULL;
        }
    }

  if (!read_only)
    {
      g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (self->db, "PRAGMA journal_mode", NULL);

      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW &&
          g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0)
        {
          g_clear_pointer (&stmt, sqlite3_finalize);
          if (!gis_sql_exec (self->db, "PRAGMA journal_mode = WAL", error))
            return NULL;
        }
    }
  else
    {
      gis_sql_exec (self->db, "PRAGMA query_only = 1", NULL);
    }

  gis_sql_exec (self->db, "PRAGMA foreign_keys = ON", NULL);

  return g_steal_pointer (&self);
}

GisStore *
gis_store_create_at_version (const char  *path,
                             int          version,
                             GError     **error)
{
  g_autoptr(GisStore) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (version >= 1 && version <= GIS_STORE_SCHEMA_VERSION, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS,
                   _("Cannot create “%s”: the file already exists"), path);
      return NULL;
    }

  self = g_object_new (GIS_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (!gis_store_connect (self, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &local_error) ||
      !gis_sql_exec (self->db, "PRAGMA journal_mode = WAL", &local_error) ||
      !gis_sql_exec (self->db, "PRAGMA foreign_keys = ON", &local_error) ||
      !gis_store_migrate (self, version, &local_error))
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      gis_store_close (self);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_set_error (error, GIS_ERROR, local_error->code,
                   _("Cannot create “%s”: %s"), path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * gis_store_create:
 * @path: where to create the store; the file must not exist
 * @error: return location for a #GIS_ERROR error
 *
 * Returns: (transfer full) (nullable): a new, empty store
 */
GisStore *
gis_store_create (const char  *path,
                  GError     **error)
{
  return gis_store_create_at_version (path, GIS_STORE_SCHEMA_VERSION, error);
}

typedef struct
{
  char              *path;
  GisStoreOpenFlags  flags;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *od = data;

  g_free (od->path);
  g_free (od);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *od = task_data;
  GError *error = NULL;
  GisStore *store;

  store = gis_store_open (od->path, od->flags, &error);
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

/**
 * gis_store_open_async:
 * @path: the store file
 * @flags: open flags
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the store is open
 * @user_data: closure
 *
 * Opens the store on a worker thread (an upgrade can take a while).  The
 * returned store may then be used on the thread that finishes the call.
 */
void
gis_store_open_async (const char          *path,
                      GisStoreOpenFlags    flags,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *od;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gis_store_open_async);
  od = g_new0 (OpenData, 1);
  od->path = g_strdup (path);
  od->flags = flags;
  g_task_set_task_data (task, od, open_data_free);
  g_task_run_in_thread (task, open_thread);
}

/**
 * gis_store_open_finish:
 *
 * Returns: (transfer full) (nullable): the store
 */
GisStore *
gis_store_open_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gis_store_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- accessors ------------------------------------------------------- */

sqlite3 *
gis_store_get_db (GisStore *self)
{
  g_return_val_if_fail (GIS_IS_STORE (self), NULL);
  return self->db;
}

const char *
gis_store_get_path (GisStore *self)
{
  g_return_val_if_fail (GIS_IS_STORE (self), NULL);
  return self->path;
}

gboolean
gis_store_is_read_only (GisStore *self)
{
  g_return_val_if_fail (GIS_IS_STORE (self), TRUE);
  return self->read_only;
}

int
gis_store_get_schema_version (GisStore *self)
{
  g_return_val_if_fail (GIS_IS_STORE (self), 0);
  return self->schema_version;
}

/**
 * gis_store_get_meta:
 * @self: a store
 * @key: a key of atalaya_meta
 *
 * Returns: (transfer full) (nullable): the value
 */
char *
gis_store_get_meta (GisStore   *self,
                    const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (GIS_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = gis_sql_prepare (self->db, "SELECT value FROM atalaya_meta WHERE key = ?1", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* ---- layers -------------------------------------------------------- */

/**
 * gis_store_list_layers:
 * @self: a store
 * @error: return location for a #GIS_ERROR error
 *
 * Returns: (transfer full) (nullable): a #GListModel of #GisLayer in
 *   drawing order (bottom first)
 */
GListModel *
gis_store_list_layers (GisStore  *self,
                       GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GListStore) list = NULL;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (self), NULL);

  stmt = gis_sql_prepare (self->db,
                          "SELECT " GIS_LAYER_COLUMNS " FROM atalaya_layers "
                          "ORDER BY z_order, id",
                          error);
  if (stmt == NULL)
    return NULL;

  list = g_list_store_new (GIS_TYPE_LAYER);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GisLayer) layer = gis_layer_new_from_row (stmt);

      g_list_store_append (list, layer);
    }

  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, self->db, rc, self->path);
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&list));
}

/**
 * gis_store_get_layer:
 * @self: a store
 * @name: the layer's name
 * @error: return location for a #GIS_ERROR_NOT_FOUND error
 *
 * Returns: (transfer full) (nullable): the layer
 */
GisLayer *
gis_store_get_layer (GisStore    *self,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  stmt = gis_sql_prepare (self->db,
                          "SELECT " GIS_LAYER_COLUMNS " FROM atalaya_layers WHERE name = ?1",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return gis_layer_new_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                 _("No layer named “%s” in “%s”"), name, self->path);
  else
    gis_sql_set_error (error, self->db, rc, self->path);
  return NULL;
}

static GisFieldType
field_type_from_decl (const char *decl)
{
  g_autofree char *up = g_ascii_strup (decl ? decl : "", -1);

  /* SQLite's own affinity rules (datatype3.html §3.1) */
  if (strstr (up, "INT") != NULL)
    return GIS_FIELD_INTEGER;
  if (strstr (up, "CHAR") || strstr (up, "CLOB") || strstr (up, "TEXT"))
    return GIS_FIELD_TEXT;
  if (strstr (up, "BLOB") || *up == '\0')
    return GIS_FIELD_BLOB;
  if (strstr (up, "REAL") || strstr (up, "FLOA") || strstr (up, "DOUB"))
    return GIS_FIELD_REAL;
  return GIS_FIELD_REAL;
}

/**
 * gis_store_get_fields:
 * @self: a store
 * @layer: one of its layers
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type GisField) (nullable): the
 *   attribute columns of @layer, without the feature id and geometry
 */
GPtrArray *
gis_store_get_fields (GisStore  *self,
                      GisLayer  *layer,
                      GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (self), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);

  stmt = gis_sql_prepare (self->db,
                          "SELECT name, type FROM pragma_table_info(?1) "
                          "WHERE name NOT IN ('fid', 'geom') ORDER BY cid",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, gis_layer_get_table_name (layer), -1, SQLITE_TRANSIENT);

  fields = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_field_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GisField *field = g_new0 (GisField, 1);

      field->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      field->type = field_type_from_decl ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (fields, field);
    }

  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, self->db, rc, self->path);
      return NULL;
    }

  return g_steal_pointer (&fields);
}

/**
 * gis_store_remove_layer:
 * @self: a store
 * @layer: one of its layers
 * @error: return location for an error
 *
 * Drops the layer's table, its spatial index and its registry row in one
 * transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_store_remove_layer (GisStore  *self,
                        GisLayer  *layer,
                        GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *table;

  g_return_val_if_fail (GIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);

  table = gis_layer_get_table_name (layer);

  if (!gis_sql_exec (self->db, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (table != NULL && gis_sql_table_exists (self->db, table))
    {
      stmt = gis_sql_prepare (self->db, "SELECT DropTable(NULL, ?1)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_int (stmt, 0) != 1)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_SQL,
                       _("Cannot remove the table of layer “%s”: %s"),
                       gis_layer_get_name (layer), sqlite3_errmsg (self->db));
          goto fail;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  stmt = gis_sql_prepare (self->db, "DELETE FROM atalaya_layers WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, gis_layer_get_id (layer));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, self->db, sqlite3_errcode (self->db), NULL);
      goto fail;
    }

  if (!gis_sql_exec (self->db, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/**
 * gis_store_save_layer_properties:
 * @self: a store
 * @layer: one of its layers
 * @error: return location for an error
 *
 * Writes the layer's visibility, order, opacity and style.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_store_save_layer_properties (GisStore  *self,
                                 GisLayer  *layer,
                                 GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (GIS_IS_STORE (self), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);

  stmt = gis_sql_prepare (self->db,
                          "UPDATE atalaya_layers SET visible = ?1, z_order = ?2, "
                          "opacity = ?3, style_json = ?4 WHERE id = ?5",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, gis_layer_get_visible (layer));
  sqlite3_bind_int (stmt, 2, gis_layer_get_z_order (layer));
  sqlite3_bind_double (stmt, 3, gis_layer_get_opacity (layer));
  sqlite3_bind_text (stmt, 4, gis_layer_get_style_json (layer), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, gis_layer_get_id (layer));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, self->db, sqlite3_errcode (self->db), self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
gis_store_layer_name_exists (GisStore   *self,
                             const char *name)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = gis_sql_prepare (self->db, "SELECT 1 FROM atalaya_layers WHERE name = ?1", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/**
 * gis_store_make_table_name:
 * @self: a store
 * @layer_name: any text
 *
 * Returns: (transfer full): a table name made of [a-z0-9_] from
 *   @layer_name that no table of the store uses
 */
char *
gis_store_make_table_name (GisStore   *self,
                           const char *layer_name)
{
  g_autofree char *ascii = g_str_to_ascii (layer_name, "C");
  GString *base = g_string_new (NULL);
  g_autofree char *candidate = NULL;

  for (const char *p = ascii; *p != '\0' && base->len < 40; p++)
    {
      char c = g_ascii_tolower (*p);

      if (g_ascii_isalnum (c))
        g_string_append_c (base, c);
      else if (base->len > 0 && base->str[base->len - 1] != '_')
        g_string_append_c (base, '_');
    }
  while (base->len > 0 && base->str[base->len - 1] == '_')
    g_string_truncate (base, base->len - 1);

  /* Keep clear of SQLite's, SpatiaLite's and our own tables. */
  if (base->len == 0 || g_ascii_isdigit (base->str[0]) ||
      g_str_has_prefix (base->str, "sqlite") ||
      g_str_has_prefix (base->str, "atalaya") ||
      g_str_has_prefix (base->str, "idx_") ||
      g_str_has_prefix (base->str, "spatial") ||
      g_str_has_prefix (base->str, "geometry") ||
      g_str_has_prefix (base->str, "views_") ||
      g_str_has_prefix (base->str, "virts_") ||
      g_str_has_prefix (base->str, "vector") ||
      g_str_has_prefix (base->str, "sql_") ||
      g_str_has_prefix (base->str, "data_licenses") ||
      g_str_has_prefix (base->str, "spatialite") ||
      g_str_has_prefix (base->str, "kml") ||
      g_str_has_prefix (base->str, "elementary"))
    g_string_prepend (base, "l_");

  candidate = g_strdup (base->str);
  for (guint i = 2; gis_sql_table_exists (self->db, candidate); i++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s_%u", base->str, i);
    }

  g_string_free (base, TRUE);
  return g_steal_pointer (&candidate);
}

int
gis_store_next_z_order (GisStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = gis_sql_prepare (self->db, "SELECT coalesce(max(z_order) + 1, 0) FROM atalaya_layers", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int (stmt, 0);
}

/* ---- integrity --------------------------------------------------------- */

static void
checksum_value (GChecksum    *sum,
                sqlite3_stmt *stmt,
                int           col)
{
  int type = sqlite3_column_type (stmt, col);
  guchar tag = (guchar) type;

  g_checksum_update (sum, &tag, 1);
  switch (type)
    {
    case SQLITE_INTEGER:
      {
        gint64 v = GINT64_TO_LE (sqlite3_column_int64 (stmt, col));
        g_checksum_update (sum, (const guchar *) &v, sizeof v);
      }
      break;
    case SQLITE_FLOAT:
      {
        double d = sqlite3_column_double (stmt, col);
        g_checksum_update (sum, (const guchar *) &d, sizeof d);
      }
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      {
        const void *p = sqlite3_column_blob (stmt, col);
        gint32 n = GINT32_TO_LE (sqlite3_column_bytes (stmt, col));

        g_checksum_update (sum, (const guchar *) &n, sizeof n);
        if (p != NULL)
          g_checksum_update (sum, p, sqlite3_column_bytes (stmt, col));
      }
      break;
    case SQLITE_NULL:
    default:
      break;
    }
}

gboolean
gis_store_checksum_query (GChecksum   *sum,
                          sqlite3     *db,
                          const char  *sql,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  g_checksum_update (sum, (const guchar *) sql, -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    for (int i = 0; i < sqlite3_column_count (stmt); i++)
      checksum_value (sum, stmt, i);

  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, NULL);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_store_checksum:
 * @self: a store
 * @error: return location for an error
 *
 * A SHA-256 digest of everything a user owns in the store: the schema,
 * the registry, the method records and every row of every layer.  Two
 * stores with the same digest hold the same data.
 *
 * Returns: (transfer full) (nullable): the digest in hexadecimal
 */
char *
gis_store_checksum (GisStore  *self,
                    GError   **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GListModel) layers = NULL;

  g_return_val_if_fail (GIS_IS_STORE (self), NULL);

  if (!gis_store_checksum_query (sum, self->db,
                       "SELECT type, name, tbl_name, sql FROM sqlite_master "
                       "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name", error) ||
      !gis_store_checksum_query (sum, self->db,
                       "SELECT * FROM atalaya_meta ORDER BY key", error) ||
      !gis_store_checksum_query (sum, self->db,
                       "SELECT * FROM atalaya_layers ORDER BY id", error) ||
      !gis_store_checksum_query (sum, self->db,
                       "SELECT * FROM atalaya_runs ORDER BY id", error) ||
      !gis_store_checksum_query (sum, self->db,
                       "SELECT * FROM geometry_columns ORDER BY f_table_name", error))
    return NULL;
  if (gis_sql_table_exists (self->db, "atalaya_queries") &&
      !gis_store_checksum_query (sum, self->db, "SELECT * FROM atalaya_queries ORDER BY id", error))
    return NULL;

  layers = gis_store_list_layers (self, error);
  if (layers == NULL)
    return NULL;

  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
      g_autofree char *quoted = NULL;
      g_autofree char *sql = NULL;

      if (gis_layer_get_table_name (layer) == NULL)
        continue;
      quoted = gis_sql_quote_ident (gis_layer_get_table_name (layer));
      sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1", quoted);
      if (!gis_store_checksum_query (sum, self->db, sql, error))
        return NULL;
    }

  return g_strdup (g_checksum_get_string (sum));
}

/**
 * gis_store_check:
 * @self: a store
 * @error: return location for a #GIS_ERROR_CORRUPT error
 *
 * Runs SQLite's integrity check and checks every layer's spatial index
 * against its table.  Reads the whole file: use it on demand, not on
 * every open.
 *
 * Returns: %TRUE if the store is sound
 */
gboolean
gis_store_check (GisStore  *self,
                 GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GListModel) layers = NULL;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (self), FALSE);

  stmt = gis_sql_prepare (self->db, "PRAGMA integrity_check", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("“%s” is damaged: %s"),
                   self->path,
                   rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0)
                                    : sqlite3_errmsg (self->db));
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  layers = gis_store_list_layers (self, error);
  if (layers == NULL)
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
      g_autofree char *index = NULL;
      const char *table = gis_layer_get_table_name (layer);

      if (table == NULL)
        continue;
      index = g_strdup_printf ("idx_%s_geom", table);
      if (!gis_sql_table_exists (self->db, index))
        continue;

      stmt = gis_sql_prepare (self->db, "SELECT rtreecheck(?1)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, index, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_ROW ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                       _("“%s” is damaged: the spatial index of layer “%s”: %s"),
                       self->path, gis_layer_get_name (layer),
                       (const char *) sqlite3_column_text (stmt, 0));
          return FALSE;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);

      /* rtreecheck() checks the tree; this checks it against the table. */
      {
        g_autofree char *qt = gis_sql_quote_ident (table);
        g_autofree char *qi = gis_sql_quote_ident (index);
        g_autofree char *sql = g_strdup_printf (
          "SELECT (SELECT count(*) FROM %s WHERE geom IS NOT NULL), "
          "(SELECT count(*) FROM %s), "
          "(SELECT count(*) FROM %s t JOIN %s i ON i.pkid = t.fid "
          " WHERE i.xmin > MbrMinX (t.geom) OR i.xmax < MbrMaxX (t.geom) "
          "    OR i.ymin > MbrMinY (t.geom) OR i.ymax < MbrMaxY (t.geom))",
          qt, qi, qt, qi);

        stmt = gis_sql_prepare (self->db, sql, error);
        if (stmt == NULL)
          return FALSE;
        if (sqlite3_step (stmt) != SQLITE_ROW ||
            sqlite3_column_int64 (stmt, 0) != sqlite3_column_int64 (stmt, 1) ||
            sqlite3_column_int64 (stmt, 2) != 0)
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                         _("“%s” is damaged: the spatial index of layer “%s” "
                           "does not match its features"),
                         self->path, gis_layer_get_name (layer));
            return FALSE;
          }
        g_clear_pointer (&stmt, sqlite3_finalize);
      }
    }

  return TRUE;
}
