/* gis-feature-model.c: the features of a layer as a lazy GListModel
 *
 * Made for the attribute table of a layer of a million features.  A load
 * runs on a worker thread with its own connection: it reads only the ids,
 * `SELECT fid FROM t [WHERE filter] ORDER BY [col [DESC],] fid`, into an
 * array (a million ids take a fraction of a second), and the model then
 * swaps the list in one items-changed.  g_list_model_get_item() makes a
 * small GisFeatureRow; values are read on the main thread, when a row is
 * first shown, a page of GIS_FEATURE_PAGE_SIZE rows at a time by id (a
 * few milliseconds), and the last GIS_FEATURE_PAGE_CACHE pages are kept.
 *
 * Sorting and filtering are SQL: a new sort or filter starts a new load,
 * cancelling one still running (a progress handler interrupts SQLite
 * within a few thousand steps), and the old list stays shown until the
 * new one is ready.  A failed load (an unknown column, a filter value
 * that is not a number for a numeric column) keeps the old list and sets
 * GisFeatureModel:error.
 *
 * Connections: the first load also opens the connection the main thread
 * reads pages with and hands it over; each load takes the idle worker
 * connection left by the previous one, or opens its own.  Both are read-
 * only, with PRAGMA query_only, so nothing the model runs can write.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-feature-model"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "gis-error.h"
#include "gis-feature-model-private.h"
#include "gis-features-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

typedef struct
{
  gint64  fid;
  guint32 position;
} FidPosition;

struct _GisFeatureSnapshot
{
  grefcount     ref_count;

  GisStore     *store;         /* the model's page connection */
  char         *table;
  GPtrArray    *columns;       /* GisField, "fid" first */
  sqlite3_stmt *stmt;          /* page query, prepared on first use */

  GArray       *fids;          /* gint64, in list order */

  /* fid -> position: a binary search of @fids when they ascend; else a
   * dense array when the ids are dense, else pairs sorted by id. */
  gboolean      fids_ascending;
  gint64        dense_min;
  gsize         dense_len;
  guint32      *dense;
  FidPosition  *sparse;

  GHashTable   *pages;         /* page index -> GisFeaturePage */
  GQueue        lru;           /* page indices, most recent first */

  GWeakRef      model;         /* to report read errors */
};

struct _GisFeatureModel
{
  GObject             parent_instance;

  char               *store_path;
  GisLayer           *layer;

  char               *sort_column;
  gboolean            sort_descending;
  GisFeatureFilter   *filter;

  GisFeatureSnapshot *snapshot;      /* nullable before the first load */
  GPtrArray          *columns;       /* GisField, nullable before the first load */
  guint               total_count;

  GisStore           *page_store;    /* main thread */
  GisStore           *idle_store;    /* for the next load */
  GCancellable       *cancellable;
  guint               generation;
  gint64              load_started_us;
  double              load_seconds;
  gboolean            loading;
  GError             *error;
};

static void gis_feature_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GisFeatureModel, gis_feature_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      gis_feature_model_list_model_init))

enum {
  PROP_0,
  PROP_STORE_PATH,
  PROP_LAYER,
  PROP_SORT_COLUMN,
  PROP_SORT_DESCENDING,
  PROP_FILTER,
  PROP_COLUMNS,
  PROP_TOTAL_COUNT,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

enum {
  READY,
  LOAD_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void gis_feature_model_report_error (GisFeatureModel *self,
                                            const GError    *error);

/* ---- pages ----------------------------------------------------------- */

static GisFeaturePage *
gis_feature_page_new (guint n_rows,
                      guint n_columns)
{
  GisFeaturePage *page = g_new0 (GisFeaturePage, 1);

  g_ref_count_init (&page->ref_count);
  page->n_rows = n_rows;
  page->n_columns = n_columns;
  page->chunk = g_string_chunk_new (4096);
  page->values = g_new0 (const char *, (gsize) n_rows * n_columns);
  return page;
}

GisFeaturePage *
gis_feature_page_ref (GisFeaturePage *page)
{
  g_ref_count_inc (&page->ref_count);
  return page;
}

void
gis_feature_page_unref (GisFeaturePage *page)
{
  if (g_ref_count_dec (&page->ref_count))
    {
      g_string_chunk_free (page->chunk);
      g_free (page->values);
      g_free (page);
    }
}

/* ---- snapshots --------------------------------------------------------- */

static int
compare_fid_positions (const void *a,
                       const void *b)
{
  gint64 fa = ((const FidPosition *) a)->fid, fb = ((const FidPosition *) b)->fid;

  return (fa > fb) - (fa < fb);
}

/* Builds the fid -> position index.  Runs on the worker thread. */
static void
snapshot_index_fids (GisFeatureSnapshot *snapshot)
{
  const gint64 *fids = (const gint64 *) (gpointer) snapshot->fids->data;
  guint n = snapshot->fids->len;
  gint64 min, max;

  snapshot->fids_ascending = TRUE;
  for (guint i = 1; i < n; i++)
    if (fids[i] <= fids[i - 1])
      {
        snapshot->fids_ascending = FALSE;
        break;
      }
  if (snapshot->fids_ascending)
    return;

  min = max = fids[0];
  for (guint i = 1; i < n; i++)
    {
      min = MIN (min, fids[i]);
      max = MAX (max, fids[i]);
    }

  /* Ids from an import are 1..n: one slot per id is the fastest index. */
  if ((guint64) (max - min) < (guint64) n * 4 + 1024)
    {
      snapshot->dense_min = min;
      snapshot->dense_len = (gsize) (max - min) + 1;
      snapshot->dense = g_new (guint32, snapshot->dense_len);
      memset (snapshot->dense, 0xff, snapshot->dense_len * sizeof (guint32));
      for (guint i = 0; i < n; i++)
        snapshot->dense[fids[i] - min] = i;
      return;
    }

  snapshot->sparse = g_new (FidPosition, n);
  for (guint i = 0; i < n; i++)
    {
      snapshot->sparse[i].fid = fids[i];
      snapshot->sparse[i].position = i;
    }
  qsort (snapshot->sparse, n, sizeof (FidPosition), compare_fid_positions);
}

static GisFeatureSnapshot *
gis_feature_snapshot_new (const char *table,
                          GPtrArray  *columns,
                          GArray     *fids)
{
  GisFeatureSnapshot *snapshot = g_new0 (GisFeatureSnapshot, 1);

  g_ref_count_init (&snapshot->ref_count);
  snapshot->table = g_strdup (table);
  snapshot->columns = g_ptr_array_ref (columns);
  snapshot->fids = g_array_ref (fids);
  snapshot->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                           (GDestroyNotify) gis_feature_page_unref);
  g_queue_init (&snapshot->lru);
  g_weak_ref_init (&snapshot->model, NULL);

  if (fids->len > 0)
    snapshot_index_fids (snapshot);
  else
    snapshot->fids_ascending = TRUE;

  return snapshot;
}

GisFeatureSnapshot *
gis_feature_snapshot_ref (GisFeatureSnapshot *snapshot)
{
  g_ref_count_inc (&snapshot->ref_count);
  return snapshot;
}

void
gis_feature_snapshot_unref (GisFeatureSnapshot *snapshot)
{
  if (!g_ref_count_dec (&snapshot->ref_count))
    return;

  /* The statement goes before its connection. */
  g_clear_pointer (&snapshot->stmt, sqlite3_finalize);
  g_clear_object (&snapshot->store);
  g_hash_table_unref (snapshot->pages);
  g_queue_clear (&snapshot->lru);
  g_weak_ref_clear (&snapshot->model);
  g_ptr_array_unref (snapshot->columns);
  g_array_unref (snapshot->fids);
  g_free (snapshot->dense);
  g_free (snapshot->sparse);
  g_free (snapshot->table);
  g_free (snapshot);
}

guint
gis_feature_snapshot_get_n_rows (GisFeatureSnapshot *snapshot)
{
  return snapshot->fids->len;
}

guint
gis_feature_snapshot_get_n_columns (GisFeatureSnapshot *snapshot)
{
  return snapshot->columns->len;
}

gint64
gis_feature_snapshot_get_fid (GisFeatureSnapshot *snapshot,
                              guint               position)
{
  g_assert (position < snapshot->fids->len);

  return g_array_index (snapshot->fids, gint64, position);
}

static guint
snapshot_get_position (GisFeatureSnapshot *snapshot,
                       gint64              fid)
{
  const gint64 *fids = (const gint64 *) (gpointer) snapshot->fids->data;
  guint n = snapshot->fids->len;

  if (snapshot->fids_ascending)
    {
      guint lo = 0, hi = n;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (fids[mid] < fid)
            lo = mid + 1;
          else
            hi = mid;
        }
      return lo < n && fids[lo] == fid ? lo : GIS_FEATURE_MODEL_INVALID_POSITION;
    }

  if (snapshot->dense != NULL)
    {
      guint32 position;

      if (fid < snapshot->dense_min || (guint64) (fid - snapshot->dense_min) >= snapshot->dense_len)
        return GIS_FEATURE_MODEL_INVALID_POSITION;
      position = snapshot->dense[fid - snapshot->dense_min];
      return position == G_MAXUINT32 ? GIS_FEATURE_MODEL_INVALID_POSITION : position;
    }

  {
    FidPosition key = { fid, 0 };
    const FidPosition *found = bsearch (&key, snapshot->sparse, n, sizeof (FidPosition),
                                        compare_fid_positions);

    return found != NULL ? found->position : GIS_FEATURE_MODEL_INVALID_POSITION;
  }
}

static const char *
chunk_insert_column (GStringChunk *chunk,
                     sqlite3_stmt *stmt,
                     int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_TEXT)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, column);
      int len = sqlite3_column_bytes (stmt, column);

      if (g_utf8_validate_len (text, len, NULL))
        return g_string_chunk_insert_len (chunk, text, len);
    }

  {
    g_autofree char *text = gis_features_format_column (stmt, column);

    return text != NULL ? g_string_chunk_insert (chunk, text) : NULL;
  }
}

static gboolean
snapshot_prepare (GisFeatureSnapshot  *snapshot,
                  GError             **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autofree char *qt = gis_sql_quote_ident (snapshot->table);

  for (guint i = 0; i < snapshot->columns->len; i++)
    {
      g_autofree char *qc = gis_sql_quote_ident (((GisField *) g_ptr_array_index (snapshot->columns, i))->name);

      g_string_append_printf (sql, "%s%s", i > 0 ? ", " : "", qc);
    }
  g_string_append_printf (sql, " FROM %s WHERE fid IN (?1", qt);
  for (guint i = 2; i <= GIS_FEATURE_PAGE_SIZE; i++)
    g_string_append_printf (sql, ", ?%u", i);
  g_string_append (sql, ")");

  snapshot->stmt = gis_sql_prepare (gis_store_get_db (snapshot->store), sql->str, error);
  return snapshot->stmt != NULL;
}

static gboolean
snapshot_read_page (GisFeatureSnapshot  *snapshot,
                    GisFeaturePage      *page,
                    guint                start,
                    GError             **error)
{
  const gint64 *fids = &g_array_index (snapshot->fids, gint64, start);
  g_autoptr(GHashTable) slots = NULL;
  guint n_columns = snapshot->columns->len;
  int rc;

  if (snapshot->stmt == NULL && !snapshot_prepare (snapshot, error))
    return FALSE;

  sqlite3_reset (snapshot->stmt);
  sqlite3_clear_bindings (snapshot->stmt);
  slots = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < page->n_rows; i++)
    {
      sqlite3_bind_int64 (snapshot->stmt, (int) i + 1, fids[i]);
      g_hash_table_insert (slots, (gpointer) &fids[i], GUINT_TO_POINTER (i));
    }

  while ((rc = sqlite3_step (snapshot->stmt)) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (snapshot->stmt, 0);
      gpointer slot_ptr;
      guint slot;

      if (!g_hash_table_lookup_extended (slots, &fid, NULL, &slot_ptr))
        continue;
      slot = GPOINTER_TO_UINT (slot_ptr);
      for (guint c = 0; c < n_columns; c++)
        page->values[slot * n_columns + c] = chunk_insert_column (page->chunk, snapshot->stmt, (int) c);
    }

  /* Let the connection forget the read transaction at once. */
  sqlite3_reset (snapshot->stmt);

  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (snapshot->store), rc, snapshot->table);
      return FALSE;
    }
  return TRUE;
}

/* Returns: (transfer full): the page holding @position, read if needed.
 * A page that cannot be read shows empty values; the model reports the
 * error. */
GisFeaturePage *
gis_feature_snapshot_get_page (GisFeatureSnapshot *snapshot,
                               guint               position)
{
  guint index = position / GIS_FEATURE_PAGE_SIZE;
  gpointer key = GUINT_TO_POINTER (index);
  GisFeaturePage *page;
  g_autoptr(GError) error = NULL;
  guint start, n_rows;

  g_assert (position < snapshot->fids->len);

  page = g_hash_table_lookup (snapshot->pages, key);
  if (page != NULL)
    {
      GList *link = g_queue_find (&snapshot->lru, key);

      g_queue_unlink (&snapshot->lru, link);
      g_queue_push_head_link (&snapshot->lru, link);
      return gis_feature_page_ref (page);
    }

  start = index * GIS_FEATURE_PAGE_SIZE;
  n_rows = MIN (GIS_FEATURE_PAGE_SIZE, snapshot->fids->len - start);
  page = gis_feature_page_new (n_rows, snapshot->columns->len);

  if (!snapshot_read_page (snapshot, page, start, &error))
    {
      g_autoptr(GisFeatureModel) model = g_weak_ref_get (&snapshot->model);

      g_debug ("Cannot read rows %u to %u of %s: %s",
               start, start + n_rows, snapshot->table, error->message);
      if (model != NULL)
        gis_feature_model_report_error (model, error);
      /* Not cached: the next row asks again. */
      return page;
    }

  g_hash_table_insert (snapshot->pages, key, gis_feature_page_ref (page));
  g_queue_push_head (&snapshot->lru, key);
  while (g_queue_get_length (&snapshot->lru) > GIS_FEATURE_PAGE_CACHE)
    g_hash_table_remove (snapshot->pages, g_queue_pop_tail (&snapshot->lru));

  return page;
}

/* ---- loading ----------------------------------------------------------- */

typedef struct
{
  /* in */
  char             *store_path;
  GisLayer         *layer;
  char             *sort_column;
  gboolean          sort_descending;
  GisFeatureFilter *filter;
  gboolean          want_page_store;
  guint             generation;
  GWeakRef          model;

  /* in and out */
  GisStore         *worker_store;

  /* out */
  GisStore         *page_store;
  GPtrArray        *columns;
  GisFeatureSnapshot *snapshot;
  guint             total_count;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *ld = data;

  g_free (ld->store_path);
  g_clear_object (&ld->layer);
  g_free (ld->sort_column);
  g_clear_pointer (&ld->filter, gis_feature_filter_unref);
  g_clear_pointer (&ld->snapshot, gis_feature_snapshot_unref);
  g_clear_pointer (&ld->columns, g_ptr_array_unref);
  g_clear_object (&ld->page_store);
  g_clear_object (&ld->worker_store);
  g_weak_ref_clear (&ld->model);
  g_free (ld);
}

static int
on_sqlite_progress (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static gboolean
load_fids (LoadData      *ld,
           GCancellable  *cancellable,
           GError       **error)
{
  sqlite3 *db = gis_store_get_db (ld->worker_store);
  const char *table = gis_layer_get_table_name (ld->layer);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) fids = NULL;
  g_autofree char *qt = NULL;
  guint total = 0;
  int rc;

  ld->columns = gis_features_get_columns (ld->worker_store, ld->layer, NULL, error);
  if (ld->columns == NULL)
    return FALSE;

  qt = gis_sql_quote_ident (table);
  g_string_append_printf (sql, "SELECT fid FROM %s", qt);

  if (ld->filter != NULL)
    {
      g_string_append (sql, " WHERE ");
      if (!gis_feature_filter_to_sql (ld->filter, ld->columns, sql, binds, error))
        return FALSE;
    }

  g_string_append (sql, " ORDER BY ");
  if (ld->sort_column != NULL)
    {
      const GisField *field = gis_features_find_column (ld->columns, ld->sort_column);
      g_autofree char *qc = NULL;

      if (field == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                       _("Cannot sort by “%s”: the layer has no such column"),
                       ld->sort_column);
          return FALSE;
        }
      qc = gis_sql_quote_ident (field->name);
      g_string_append_printf (sql, "%s%s, ", qc, ld->sort_descending ? " DESC" : "");
    }
  g_string_append (sql, "fid");

  g_debug ("Loading %s: %s", gis_layer_get_name (ld->layer), sql->str);

  stmt = gis_sql_prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < binds->len; i++)
    gis_features_bind_variant (stmt, (int) i + 1, g_ptr_array_index (binds, i));

  fids = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                            ld->filter == NULL ? MAX (gis_layer_get_feature_count (ld->layer), 0) : 0);

  sqlite3_progress_handler (db, 4096, on_sqlite_progress, cancellable);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);

      if (G_UNLIKELY (fids->len == G_MAXUINT32 - 1))
        {
          rc = SQLITE_TOOBIG;
          break;
        }
      g_array_append_val (fids, fid);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (rc == SQLITE_DONE && ld->filter != NULL)
    {
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s", qt);

      stmt = gis_sql_prepare (db, count_sql, NULL);
      rc = stmt != NULL ? sqlite3_step (stmt) : sqlite3_errcode (db);
      if (rc == SQLITE_ROW)
        {
          total = (guint) CLAMP (sqlite3_column_int64 (stmt, 0), 0, G_MAXUINT32);
          rc = SQLITE_DONE;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  else
    total = fids->len;
  sqlite3_progress_handler (db, 0, NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (rc == SQLITE_TOOBIG)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Layer “%s” has too many features to list"),
                   gis_layer_get_name (ld->layer));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, gis_layer_get_name (ld->layer));
      return FALSE;
    }

  ld->total_count = total;
  ld->snapshot = gis_feature_snapshot_new (table, ld->columns, fids);
  return TRUE;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *ld = task_data;
  GError *error = NULL;

  if (ld->worker_store == NULL)
    {
      ld->worker_store = gis_store_open (ld->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
      if (ld->worker_store == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if (!load_fids (ld, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (ld->want_page_store)
    {
      ld->page_store = gis_store_open (ld->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
      if (ld->page_store == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
columns_equal (GPtrArray *a,
               GPtrArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const GisField *fa = g_ptr_array_index (a, i), *fb = g_ptr_array_index (b, i);

      if (fa->type != fb->type || strcmp (fa->name, fb->name) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
gis_feature_model_set_loading (GisFeatureModel *self,
                               gboolean         loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
gis_feature_model_set_error (GisFeatureModel *self,
                             const GError    *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
gis_feature_model_report_error (GisFeatureModel *self,
                                const GError    *error)
{
  gis_feature_model_set_error (self, error);
  g_signal_emit (self, signals[LOAD_FAILED], 0, error);
}

/* The task holds no reference to the model: the worker thread drops the
 * task's last reference, and the model must not be finalized there. */
static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = G_TASK (result);
  LoadData *ld = g_task_get_task_data (task);
  g_autoptr(GisFeatureModel) self = g_weak_ref_get (&ld->model);
  g_autoptr(GError) error = NULL;
  GisFeatureSnapshot *old;
  guint old_n, new_n;

  if (self == NULL)
    return;

  /* Keep the connections whatever became of the load. */
  if (ld->page_store != NULL && self->page_store == NULL)
    self->page_store = g_steal_pointer (&ld->page_store);
  if (ld->worker_store != NULL && self->idle_store == NULL)
    self->idle_store = g_steal_pointer (&ld->worker_store);

  if (!g_task_propagate_boolean (task, &error))
    {
      if (ld->generation != self->generation ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_clear_object (&self->cancellable);
      gis_feature_model_set_loading (self, FALSE);
      gis_feature_model_report_error (self, error);
      return;
    }

  if (ld->generation != self->generation)
    return;

  g_clear_object (&self->cancellable);
  self->load_seconds = (g_get_monotonic_time () - self->load_started_us) / (double) G_USEC_PER_SEC;
  g_debug ("Loaded %u ids of %s in %.3f s",
           gis_feature_snapshot_get_n_rows (ld->snapshot),
           gis_layer_get_name (self->layer), self->load_seconds);

  g_assert (self->page_store != NULL);
  ld->snapshot->store = g_object_ref (self->page_store);
  g_weak_ref_set (&ld->snapshot->model, self);

  old = g_steal_pointer (&self->snapshot);
  old_n = old != NULL ? gis_feature_snapshot_get_n_rows (old) : 0;
  self->snapshot = g_steal_pointer (&ld->snapshot);
  new_n = gis_feature_snapshot_get_n_rows (self->snapshot);
  g_clear_pointer (&old, gis_feature_snapshot_unref);

  g_object_freeze_notify (G_OBJECT (self));

  if (!columns_equal (self->columns, ld->columns))
    {
      g_clear_pointer (&self->columns, g_ptr_array_unref);
      self->columns = g_ptr_array_ref (ld->columns);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLUMNS]);
    }
  if (self->total_count != ld->total_count)
    {
      self->total_count = ld->total_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_COUNT]);
    }
  gis_feature_model_set_error (self, NULL);
  gis_feature_model_set_loading (self, FALSE);

  if (old_n > 0 || new_n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, new_n);

  g_object_thaw_notify (G_OBJECT (self));

  g_signal_emit (self, signals[READY], 0);
}

static void
gis_feature_model_start_load (GisFeatureModel *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *ld;

  g_assert (GIS_IS_FEATURE_MODEL (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->load_started_us = g_get_monotonic_time ();

  ld = g_new0 (LoadData, 1);
  ld->store_path = g_strdup (self->store_path);
  ld->layer = g_object_ref (self->layer);
  ld->sort_column = g_strdup (self->sort_column);
  ld->sort_descending = self->sort_descending;
  ld->filter = self->filter != NULL ? gis_feature_filter_ref (self->filter) : NULL;
  ld->want_page_store = self->page_store == NULL;
  ld->generation = self->generation;
  ld->worker_store = g_steal_pointer (&self->idle_store);
  g_weak_ref_init (&ld->model, self);

  task = g_task_new (NULL, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, gis_feature_model_start_load);
  g_task_set_name (task, "[gis] feature model load");
  g_task_set_task_data (task, ld, load_data_free);
  g_task_run_in_thread (task, load_thread);

  gis_feature_model_set_loading (self, TRUE);
}

/* ---- GListModel -------------------------------------------------------- */

static GType
gis_feature_model_get_item_type (GListModel *model)
{
  return GIS_TYPE_FEATURE_ROW;
}

static guint
gis_feature_model_get_n_items (GListModel *model)
{
  GisFeatureModel *self = GIS_FEATURE_MODEL (model);

  return self->snapshot != NULL ? gis_feature_snapshot_get_n_rows (self->snapshot) : 0;
}

static gpointer
gis_feature_model_get_item (GListModel *model,
                            guint       position)
{
  GisFeatureModel *self = GIS_FEATURE_MODEL (model);

  if (self->snapshot == NULL || position >= gis_feature_snapshot_get_n_rows (self->snapshot))
    return NULL;

  return gis_feature_row_new (self->snapshot, position);
}

static void
gis_feature_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = gis_feature_model_get_item_type;
  iface->get_n_items = gis_feature_model_get_n_items;
  iface->get_item = gis_feature_model_get_item;
}

/* ---- GObject ----------------------------------------------------------- */

static void
gis_feature_model_constructed (GObject *object)
{
  GisFeatureModel *self = GIS_FEATURE_MODEL (object);

  G_OBJECT_CLASS (gis_feature_model_parent_class)->constructed (object);

  g_assert (self->store_path != NULL);
  g_assert (GIS_IS_LAYER (self->layer));

  gis_feature_model_start_load (self);
}

static void
gis_feature_model_dispose (GObject *object)
{
  GisFeatureModel *self = GIS_FEATURE_MODEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (gis_feature_model_parent_class)->dispose (object);
}

static void
gis_feature_model_finalize (GObject *object)
{
  GisFeatureModel *self = GIS_FEATURE_MODEL (object);

  g_clear_pointer (&self->snapshot, gis_feature_snapshot_unref);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_object (&self->page_store);
  g_clear_object (&self->idle_store);
  g_clear_object (&self->layer);
  g_clear_pointer (&self->filter, gis_feature_filter_unref);
  g_clear_pointer (&self->sort_column, g_free);
  g_clear_pointer (&self->store_path, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (gis_feature_model_parent_class)->finalize (object);
}

static void
gis_feature_model_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GisFeatureModel *self = GIS_FEATURE_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE_PATH:
      g_value_set_string (value, self->store_path);
      break;

    case PROP_LAYER:
      g_value_set_object (value, self->layer);
      break;

    case PROP_SORT_COLUMN:
      g_value_set_string (value, self->sort_column);
      break;

    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->sort_descending);
      break;

    case PROP_FILTER:
      g_value_set_boxed (value, self->filter);
      break;

    case PROP_COLUMNS:
      g_value_set_boxed (value, self->columns);
      break;

    case PROP_TOTAL_COUNT:
      g_value_set_uint (value, self->total_count);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_feature_model_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GisFeatureModel *self = GIS_FEATURE_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE_PATH:
      self->store_path = g_value_dup_string (value);
      break;

    case PROP_LAYER:
      self->layer = g_value_dup_object (value);
      break;

    case PROP_FILTER:
      gis_feature_model_set_filter (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_feature_model_class_init (GisFeatureModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gis_feature_model_constructed;
  object_class->dispose = gis_feature_model_dispose;
  object_class->finalize = gis_feature_model_finalize;
  object_class->get_property = gis_feature_model_get_property;
  object_class->set_property = gis_feature_model_set_property;

  /**
   * GisFeatureModel:store-path:
   *
   * The store file; the model opens its own connections to it.
   */
  properties[PROP_STORE_PATH] =
    g_param_spec_string ("store-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:layer:
   *
   * The layer whose features are listed.
   */
  properties[PROP_LAYER] =
    g_param_spec_object ("layer", NULL, NULL, GIS_TYPE_LAYER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:sort-column: (nullable)
   *
   * The column sorted by, or %NULL for the feature id.
   */
  properties[PROP_SORT_COLUMN] =
    g_param_spec_string ("sort-column", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:sort-descending:
   *
   * Whether the sort column is sorted largest first.
   */
  properties[PROP_SORT_DESCENDING] =
    g_param_spec_boolean ("sort-descending", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:filter: (nullable)
   *
   * Which features are listed; %NULL for all.
   */
  properties[PROP_FILTER] =
    g_param_spec_boxed ("filter", NULL, NULL, GIS_TYPE_FEATURE_FILTER,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:columns: (nullable) (element-type GisField)
   *
   * The columns of the layer ("fid" first, no geometry), known once the
   * first load is ready.
   */
  properties[PROP_COLUMNS] =
    g_param_spec_boxed ("columns", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:total-count:
   *
   * The number of features of the layer, whatever the filter.
   */
  properties[PROP_TOTAL_COUNT] =
    g_param_spec_uint ("total-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:loading:
   *
   * Whether a load is running (the items are still the previous ones).
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GisFeatureModel:error: (nullable)
   *
   * Why the last load, or the last read of values, failed; %NULL after a
   * successful load.
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GisFeatureModel::ready:
   *
   * Emitted when a load is done and its items are in the model (after
   * #GListModel::items-changed).
   */
  signals[READY] =
    g_signal_new ("ready",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * GisFeatureModel::load-failed:
   * @error: what went wrong, a #GIS_ERROR
   *
   * Emitted when a load fails (the items stay as they were) or values
   * cannot be read.
   */
  signals[LOAD_FAILED] =
    g_signal_new ("load-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
gis_feature_model_init (GisFeatureModel *self)
{
}

/* ---- public ------------------------------------------------------------ */

/**
 * gis_feature_model_new:
 * @store_path: the store file
 * @layer: a layer of that store
 *
 * Makes a model of the features of @layer and starts loading it on a
 * worker thread; it is empty until #GisFeatureModel::ready.  Callbacks
 * come on the thread-default main context of the caller, which must be
 * the only thread to use the model.
 *
 * Returns: (transfer full): a new model
 */
GisFeatureModel *
gis_feature_model_new (const char *store_path,
                       GisLayer   *layer)
{
  g_return_val_if_fail (store_path != NULL, NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);

  return g_object_new (GIS_TYPE_FEATURE_MODEL,
                       "store-path", store_path,
                       "layer", layer,
                       NULL);
}

/**
 * gis_feature_model_get_store_path:
 * @self: a model
 *
 * Returns: (transfer none): the store file
 */
const char *
gis_feature_model_get_store_path (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), NULL);

  return self->store_path;
}

/**
 * gis_feature_model_get_layer:
 * @self: a model
 *
 * Returns: (transfer none): the layer listed
 */
GisLayer *
gis_feature_model_get_layer (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), NULL);

  return self->layer;
}

/**
 * gis_feature_model_set_sort:
 * @self: a model
 * @column: (nullable): a column of the layer, or %NULL for the feature id
 * @descending: largest first
 *
 * Sorts the features by @column, then by id (ascending), in SQL.  Starts
 * a load; an unknown column fails it (see #GisFeatureModel:error).
 */
void
gis_feature_model_set_sort (GisFeatureModel *self,
                            const char      *column,
                            gboolean         descending)
{
  g_return_if_fail (GIS_IS_FEATURE_MODEL (self));

  descending = column != NULL && descending;
  if (g_strcmp0 (self->sort_column, column) == 0 && self->sort_descending == descending)
    return;

  g_free (self->sort_column);
  self->sort_column = g_strdup (column);
  self->sort_descending = descending;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_COLUMN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
  gis_feature_model_start_load (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * gis_feature_model_get_sort_column:
 * @self: a model
 *
 * Returns: (transfer none) (nullable): the column sorted by
 */
const char *
gis_feature_model_get_sort_column (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), NULL);

  return self->sort_column;
}

/**
 * gis_feature_model_get_sort_descending:
 * @self: a model
 *
 * Returns: whether the sort column is sorted largest first
 */
gboolean
gis_feature_model_get_sort_descending (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), FALSE);

  return self->sort_descending;
}

/**
 * gis_feature_model_set_filter:
 * @self: a model
 * @filter: (nullable): which features to list; %NULL for all
 *
 * Starts a load.  A filter that does not fit the layer (an unknown
 * column, a value that is not a number for a numeric column) fails it:
 * the items stay as they were and #GisFeatureModel:error says why.
 */
void
gis_feature_model_set_filter (GisFeatureModel  *self,
                              GisFeatureFilter *filter)
{
  g_return_if_fail (GIS_IS_FEATURE_MODEL (self));

  if (gis_feature_filter_equal (self->filter, filter))
    return;

  g_clear_pointer (&self->filter, gis_feature_filter_unref);
  self->filter = filter != NULL ? gis_feature_filter_ref (filter) : NULL;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
  gis_feature_model_start_load (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * gis_feature_model_get_filter:
 * @self: a model
 *
 * Returns: (transfer none) (nullable): the filter
 */
GisFeatureFilter *
gis_feature_model_get_filter (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), NULL);

  return self->filter;
}

/**
 * gis_feature_model_reload:
 * @self: a model
 *
 * Loads the list again, for after the layer's features were edited.
 */
void
gis_feature_model_reload (GisFeatureModel *self)
{
  g_return_if_fail (GIS_IS_FEATURE_MODEL (self));

  gis_feature_model_start_load (self);
}

/**
 * gis_feature_model_get_columns:
 * @self: a model
 *
 * The columns rows have values for: "fid" (the feature id) first, then
 * the layer's attributes in table order; the geometry is not a column.
 *
 * Returns: (transfer none) (nullable) (element-type GisField): the
 *   columns, %NULL until the first load is ready
 */
GPtrArray *
gis_feature_model_get_columns (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), NULL);

  return self->columns;
}

/**
 * gis_feature_model_find_column:
 * @self: a model
 * @name: a column name (ASCII case-insensitive, as in SQL)
 *
 * Returns: the index of the column, or -1
 */
int
gis_feature_model_find_column (GisFeatureModel *self,
                               const char      *name)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  if (self->columns == NULL)
    return -1;
  for (guint i = 0; i < self->columns->len; i++)
    if (g_ascii_strcasecmp (((GisField *) g_ptr_array_index (self->columns, i))->name, name) == 0)
      return (int) i;
  return -1;
}

/**
 * gis_feature_model_get_total_count:
 * @self: a model
 *
 * Returns: the number of features in the layer, whatever the filter (the
 *   number listed is g_list_model_get_n_items())
 */
guint
gis_feature_model_get_total_count (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), 0);

  return self->total_count;
}

/**
 * gis_feature_model_get_position:
 * @self: a model
 * @fid: a feature id
 *
 * Returns: the position of the feature in the list, or
 *   %GIS_FEATURE_MODEL_INVALID_POSITION when it is not listed
 */
guint
gis_feature_model_get_position (GisFeatureModel *self,
                                gint64           fid)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), GIS_FEATURE_MODEL_INVALID_POSITION);

  if (self->snapshot == NULL)
    return GIS_FEATURE_MODEL_INVALID_POSITION;

  return snapshot_get_position (self->snapshot, fid);
}

/**
 * gis_feature_model_get_fid:
 * @self: a model
 * @position: a position in the list
 *
 * Returns: the id of the feature at @position, or -1 when out of range
 */
gint64
gis_feature_model_get_fid (GisFeatureModel *self,
                           guint            position)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), -1);

  if (self->snapshot == NULL || position >= gis_feature_snapshot_get_n_rows (self->snapshot))
    return -1;

  return gis_feature_snapshot_get_fid (self->snapshot, position);
}

/**
 * gis_feature_model_get_loading:
 * @self: a model
 *
 * Returns: whether a load is running
 */
gboolean
gis_feature_model_get_loading (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), FALSE);

  return self->loading;
}

/**
 * gis_feature_model_get_error:
 * @self: a model
 *
 * Returns: (transfer none) (nullable): why the last load failed
 */
const GError *
gis_feature_model_get_error (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), NULL);

  return self->error;
}

/**
 * gis_feature_model_get_load_seconds:
 * @self: a model
 *
 * Returns: how long the last successful load took, from its start to
 *   its items being in the model
 */
double
gis_feature_model_get_load_seconds (GisFeatureModel *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_MODEL (self), 0.0);

  return self->load_seconds;
}
