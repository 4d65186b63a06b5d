/* atalaya-sql-console.c: read-only SQL on the store, results in a table and on the map
 *
 * One statement runs at a time, on a worker thread, through its own
 * read-only connection to the store (a GisStore belongs to one thread,
 * and the window keeps its own).  gis_store_query() refuses statements
 * that would write, SpatiaLite functions included; the cursor's
 * cancellable interrupts a long step, so Cancel stops even one
 * aggregate over a billion rows at once.
 *
 * The worker fetches up to ATALAYA_SQL_CONSOLE_MAX_ROWS rows and formats
 * them there: the main thread only gets an immutable SqlResult, a table
 * of strings, and the WKB of the first column that holds geometries.
 * The table is a GtkColumnView over a model that makes a row object when
 * a row is shown, so a large result costs no objects.  The geometries go
 * to the map controller as a temporary overlay, never to the store.
 *
 * The history is a GSettings string array: the last distinct
 * statements, most recent first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-sql-console"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "atalaya-format.h"
#include "atalaya-sql-console-private.h"

/* A cell keeps at most this many bytes of a long text (whole characters). */
#define MAX_CELL_BYTES 1024
/* The abbreviated WKT of a geometry cell stops after about this many bytes. */
#define MAX_WKT_BYTES  120
/* How often the status line counts while a query runs. */
#define TICK_MS        100

/* ---- a result: made on the worker, then read-only ----------------------------- */

struct _SqlResult
{
  guint          n_columns;
  char         **names;           /* n_columns, NULL-terminated */
  gboolean      *numeric;         /* per column: the first value is a number */
  int            geometry_column; /* the first column holding a geometry; -1 */
  guint          n_rows;
  GStringChunk  *chunk;
  GPtrArray     *cells;           /* const char *, row-major; NULL for SQL NULL */
  GPtrArray     *wkb;             /* GBytes or NULL per row; NULL without geometries */
  int            srid;            /* of the first geometry */
  guint          n_geometries;    /* in @wkb */
  guint          n_other_srid;    /* geometries left out of @wkb: another SRID */
  gboolean       capped;          /* more rows than were fetched */
  double         seconds;
};

static void
sql_result_clear (gpointer data)
{
  SqlResult *result = data;

  g_strfreev (result->names);
  g_free (result->numeric);
  g_clear_pointer (&result->chunk, g_string_chunk_free);
  g_clear_pointer (&result->cells, g_ptr_array_unref);
  g_clear_pointer (&result->wkb, g_ptr_array_unref);
}

static SqlResult *
sql_result_ref (SqlResult *result)
{
  return g_atomic_rc_box_acquire (result);
}

static void
sql_result_unref (SqlResult *result)
{
  g_atomic_rc_box_release_full (result, sql_result_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SqlResult, sql_result_unref)

static const char *
sql_result_get_cell (SqlResult *result,
                     guint      row,
                     guint      column)
{
  return g_ptr_array_index (result->cells, (gsize) row * result->n_columns + column);
}

/* ---- a row of the result, for the column view -------------------------------- */

#define ATALAYA_TYPE_SQL_ROW (atalaya_sql_row_get_type ())
G_DECLARE_FINAL_TYPE (AtalayaSqlRow, atalaya_sql_row, ATALAYA, SQL_ROW, GObject)

struct _AtalayaSqlRow
{
  GObject    parent_instance;
  SqlResult *result;
  guint      index;
};

G_DEFINE_FINAL_TYPE (AtalayaSqlRow, atalaya_sql_row, G_TYPE_OBJECT)

static void
atalaya_sql_row_finalize (GObject *object)
{
  AtalayaSqlRow *self = (AtalayaSqlRow *) object;

  g_clear_pointer (&self->result, sql_result_unref);
  G_OBJECT_CLASS (atalaya_sql_row_parent_class)->finalize (object);
}

static void
atalaya_sql_row_class_init (AtalayaSqlRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = atalaya_sql_row_finalize;
}

static void
atalaya_sql_row_init (AtalayaSqlRow *self)
{
}

/* The rows of a result: a row object is made when the view asks for it. */
#define ATALAYA_TYPE_SQL_ROWS (atalaya_sql_rows_get_type ())
G_DECLARE_FINAL_TYPE (AtalayaSqlRows, atalaya_sql_rows, ATALAYA, SQL_ROWS, GObject)

struct _AtalayaSqlRows
{
  GObject    parent_instance;
  SqlResult *result;
};

static GType
atalaya_sql_rows_get_item_type (GListModel *model)
{
  return ATALAYA_TYPE_SQL_ROW;
}

static guint
atalaya_sql_rows_get_n_items (GListModel *model)
{
  return ((AtalayaSqlRows *) model)->result->n_rows;
}

static gpointer
atalaya_sql_rows_get_item (GListModel *model,
                           guint       position)
{
  AtalayaSqlRows *self = (AtalayaSqlRows *) model;
  AtalayaSqlRow *row;

  if (position >= self->result->n_rows)
    return NULL;
  row = g_object_new (ATALAYA_TYPE_SQL_ROW, NULL);
  row->result = sql_result_ref (self->result);
  row->index = position;
  return row;
}

static void
atalaya_sql_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = atalaya_sql_rows_get_item_type;
  iface->get_n_items = atalaya_sql_rows_get_n_items;
  iface->get_item = atalaya_sql_rows_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (AtalayaSqlRows, atalaya_sql_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, atalaya_sql_rows_list_model_init))

static void
atalaya_sql_rows_finalize (GObject *object)
{
  AtalayaSqlRows *self = (AtalayaSqlRows *) object;

  g_clear_pointer (&self->result, sql_result_unref);
  G_OBJECT_CLASS (atalaya_sql_rows_parent_class)->finalize (object);
}

static void
atalaya_sql_rows_class_init (AtalayaSqlRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = atalaya_sql_rows_finalize;
}

static void
atalaya_sql_rows_init (AtalayaSqlRows *self)
{
}

static GListModel *
atalaya_sql_rows_new (SqlResult *result)
{
  AtalayaSqlRows *self = g_object_new (ATALAYA_TYPE_SQL_ROWS, NULL);

  self->result = sql_result_ref (result);
  return G_LIST_MODEL (self);
}

/* ---- the console ---------------------------------------------------------------- */

G_DEFINE_FINAL_TYPE (AtalayaSqlConsole, atalaya_sql_console, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE_PATH,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void atalaya_sql_console_update_actions (AtalayaSqlConsole *self);

/* ---- geometry cells -------------------------------------------------------------- */

typedef struct
{
  const guint8 *p;
  gsize         len;
  gsize         pos;
  GString      *out;
  gboolean      cut;
} WktWriter;

static gboolean
wkt_read_u32 (WktWriter *w,
              guint32   *v)
{
  guint32 le;

  if (w->len - w->pos < 4)
    return FALSE;
  memcpy (&le, w->p + w->pos, 4);
  *v = GUINT32_FROM_LE (le);
  w->pos += 4;
  return TRUE;
}

static gboolean
wkt_point (WktWriter *w)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (w->len - w->pos < 16)
    return FALSE;
  for (int i = 0; i < 2; i++)
    {
      guint64 bits;
      double v;

      memcpy (&bits, w->p + w->pos, 8);
      bits = GUINT64_FROM_LE (bits);
      memcpy (&v, &bits, 8);
      w->pos += 8;
      if (i > 0)
        g_string_append_c (w->out, ' ');
      g_string_append (w->out, g_ascii_formatd (buf, sizeof buf, "%.10g", v));
    }
  if (w->out->len >= MAX_WKT_BYTES)
    w->cut = TRUE;
  return TRUE;
}

static gboolean
wkt_points (WktWriter *w)
{
  guint32 n;

  if (!wkt_read_u32 (w, &n))
    return FALSE;
  if (n == 0)
    {
      g_string_append (w->out, "EMPTY");
      return TRUE;
    }
  g_string_append_c (w->out, '(');
  for (guint32 i = 0; i < n && !w->cut; i++)
    {
      if (i > 0)
        g_string_append (w->out, ", ");
      if (!wkt_point (w))
        return FALSE;
    }
  if (!w->cut)
    g_string_append_c (w->out, ')');
  return TRUE;
}

/* One geometry of little-endian 2D WKB; members of a multi-geometry go
 * without their type name, as in ISO WKT.  Stops once the text is long
 * enough for a cell (w->cut): a country's vertices are never all read. */
static gboolean
wkt_geometry (WktWriter *w,
              gboolean   with_name)
{
  static const char *const names[] = {
    NULL, "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
    "MULTIPOLYGON", "GEOMETRYCOLLECTION",
  };
  guint32 type, n;

  if (w->len - w->pos < 5 || w->p[w->pos] != 0x01)
    return FALSE;
  w->pos++;
  if (!wkt_read_u32 (w, &type) || type < 1 || type >= G_N_ELEMENTS (names))
    return FALSE;
  if (with_name)
    {
      g_string_append (w->out, names[type]);
      g_string_append_c (w->out, ' ');
    }

  switch (type)
    {
    case 1:
      g_string_append_c (w->out, '(');
      if (!wkt_point (w))
        return FALSE;
      if (!w->cut)
        g_string_append_c (w->out, ')');
      return TRUE;

    case 2:
      return wkt_points (w);

    default:
      if (!wkt_read_u32 (w, &n))
        return FALSE;
      if (n == 0)
        {
          g_string_append (w->out, "EMPTY");
          return TRUE;
        }
      g_string_append_c (w->out, '(');
      for (guint32 i = 0; i < n && !w->cut; i++)
        {
          gboolean ok;

          if (i > 0)
            g_string_append (w->out, ", ");
          if (type == 3)
            ok = wkt_points (w);
          else
            ok = wkt_geometry (w, type == 7);
          if (!ok)
            return FALSE;
        }
      if (!w->cut)
        g_string_append_c (w->out, ')');
      return TRUE;
    }
}

/* The start of a geometry's WKT, with "…" when there is more. */
static char *
abbreviated_wkt (const guint8 *wkb,
                 gsize         len)
{
  WktWriter w = { wkb, len, 0, g_string_new (NULL), FALSE };

  if (!wkt_geometry (&w, TRUE))
    {
      g_string_free (w.out, TRUE);
      return NULL;
    }
  if (w.cut)
    g_string_append (w.out, "…");
  return g_string_free (w.out, FALSE);
}

/* ---- the query, on a worker thread ----------------------------------------------- */

typedef struct
{
  char   *store_path;
  char   *sql;
  guint   max_rows;
  gint64  started_us;
  int     n_fetched;   /* atomic: rows so far, for the status line */
} QueryJob;

static void
query_job_free (gpointer data)
{
  QueryJob *job = data;

  g_free (job->store_path);
  g_free (job->sql);
  g_free (job);
}

/* Inserts @text in the chunk as valid UTF-8, cut to MAX_CELL_BYTES. */
static const char *
insert_cell (GStringChunk *chunk,
             const char   *text)
{
  gsize len = strlen (text);
  g_autofree char *valid = NULL;
  g_autofree char *cut = NULL;

  if (!g_utf8_validate (text, (gssize) len, NULL))
    {
      valid = g_utf8_make_valid (text, (gssize) len);
      text = valid;
      len = strlen (text);
    }
  if (len <= MAX_CELL_BYTES)
    return g_string_chunk_insert (chunk, text);

  cut = g_strdup_printf ("%.*s…", (int) (g_utf8_find_prev_char (text, text + MAX_CELL_BYTES + 1) - text), text);
  return g_string_chunk_insert (chunk, cut);
}

static SqlResult *
run_query (QueryJob      *job,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCursor) cursor = NULL;
  g_autoptr(SqlResult) result = NULL;
  g_autofree GisValueType *first_types = NULL;
  gint64 start;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  store = gis_store_open (job->store_path, GIS_STORE_OPEN_READ_ONLY, error);
  if (store == NULL)
    return NULL;

  start = g_get_monotonic_time ();
  cursor = gis_store_query (store, job->sql, error);
  if (cursor == NULL)
    return NULL;

  result = g_atomic_rc_box_new0 (SqlResult);
  result->n_columns = gis_cursor_get_n_columns (cursor);
  result->names = g_new0 (char *, result->n_columns + 1);
  result->numeric = g_new0 (gboolean, MAX (result->n_columns, 1));
  result->geometry_column = -1;
  result->chunk = g_string_chunk_new (64 * 1024);
  result->cells = g_ptr_array_new ();
  first_types = g_new0 (GisValueType, MAX (result->n_columns, 1));
  for (guint i = 0; i < result->n_columns; i++)
    {
      const char *name = gis_cursor_get_column_name (cursor, i);

      result->names[i] = g_strdup (name != NULL ? name : "");
      first_types[i] = GIS_VALUE_NULL;
    }

  for (;;)
    {
      GError *local = NULL;

      if (result->n_rows == job->max_rows)
        {
          result->capped = gis_cursor_next (cursor, cancellable, &local);
          if (local != NULL)
            {
              g_propagate_error (error, local);
              return NULL;
            }
          break;
        }
      if (!gis_cursor_next (cursor, cancellable, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              return NULL;
            }
          break;
        }

      for (guint i = 0; i < result->n_columns; i++)
        {
          GisValueType type = gis_cursor_get_value_type (cursor, i);
          const char *cell = NULL;

          if (first_types[i] == GIS_VALUE_NULL)
            first_types[i] = type;

          if (type == GIS_VALUE_GEOMETRY)
            {
              gsize len = 0;
              int srid = 0;
              guint8 *wkb = gis_cursor_get_wkb (cursor, i, &len, &srid);
              g_autofree char *text = wkb != NULL ? abbreviated_wkt (wkb, len) : NULL;

              cell = g_string_chunk_insert (result->chunk, text != NULL ? text : _("(geometry)"));
              if (result->geometry_column < 0)
                {
                  result->geometry_column = (int) i;
                  result->wkb = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
                  g_ptr_array_set_size (result->wkb, result->n_rows);
                }
              if ((int) i == result->geometry_column && wkb != NULL)
                {
                  /* the first geometry that can be drawn sets the SRID */
                  if (result->n_geometries == 0 && result->n_other_srid == 0)
                    result->srid = srid;
                  if (srid == result->srid)
                    {
                      g_ptr_array_add (result->wkb, g_bytes_new_take (g_steal_pointer (&wkb), len));
                      result->n_geometries++;
                    }
                  else
                    result->n_other_srid++;
                }
              g_free (wkb);
            }
          else if (type != GIS_VALUE_NULL)
            {
              g_autofree char *text = gis_cursor_format_value (cursor, i);

              cell = text != NULL ? insert_cell (result->chunk, text) : NULL;
            }
          g_ptr_array_add (result->cells, (gpointer) cell);
        }
      if (result->wkb != NULL && result->wkb->len == result->n_rows)
        g_ptr_array_add (result->wkb, NULL);

      result->n_rows++;
      g_atomic_int_set (&job->n_fetched, (int) MIN (result->n_rows, G_MAXINT));
    }

  for (guint i = 0; i < result->n_columns; i++)
    result->numeric[i] = first_types[i] == GIS_VALUE_INTEGER || first_types[i] == GIS_VALUE_REAL;
  result->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  return g_steal_pointer (&result);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  SqlResult *result = run_query (task_data, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) sql_result_unref);
}

/* ---- text ------------------------------------------------------------------------- */

static char *
format_count (guint n)
{
  return atalaya_format_user ("%'u", n);
}

/* Milliseconds count below a second: "0.004", then "1.25". */
static char *
format_seconds (double seconds)
{
  return atalaya_format_user (seconds < 1 ? "%.3f" : "%.2f", seconds);
}

static void
set_status (AtalayaSqlConsole *self,
            const char        *text,
            gboolean           is_error)
{
  gtk_label_set_text (self->status_label, text);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
show_result_status (AtalayaSqlConsole *self)
{
  SqlResult *result = self->result;
  g_autofree char *count = format_count (result->n_rows);
  g_autofree char *seconds = format_seconds (result->seconds);
  g_autofree char *text = NULL;

  if (result->capped)
    /* Translators: a count of rows, then seconds, as in "First 100,000
     * rows in 1.52 s; the query has more" */
    text = g_strdup_printf (ngettext ("First %s row in %s s; the query has more",
                                      "First %s rows in %s s; the query has more",
                                      result->n_rows),
                            count, seconds);
  else
    /* Translators: a count of rows, then seconds, as in "123 rows in 0.04 s" */
    text = g_strdup_printf (ngettext ("%s row in %s s", "%s rows in %s s", result->n_rows),
                            count, seconds);

  if (result->n_geometries > 0)
    {
      const char *column = result->names[result->geometry_column];
      g_autofree char *n = format_count (result->n_geometries);
      g_autofree char *name = NULL;
      g_autofree char *drawn = NULL;
      g_autofree char *joined = NULL;

      /* an expression can make a long column name */
      if (g_utf8_strlen (column, -1) > 32)
        {
          g_autofree char *start = g_utf8_substring (column, 0, 31);

          name = g_strconcat (start, "…", NULL);
        }
      else
        name = g_strdup (column);
      drawn = g_strdup_printf (ngettext ("%s geometry of “%s” on the map",
                                         "%s geometries of “%s” on the map",
                                         result->n_geometries),
                               n, name);
      /* Translators: the count of rows, then what is on the map, as in
       * "120 rows in 0.01 s · 120 geometries of “geom” on the map" */
      joined = g_strdup_printf (C_("sql status", "%s · %s"), text, drawn);

      g_free (text);
      text = g_steal_pointer (&joined);
    }
  if (result->n_other_srid > 0)
    {
      g_autofree char *n = format_count (result->n_other_srid);
      g_autofree char *left = g_strdup_printf (ngettext ("%s geometry in another SRID not drawn",
                                                         "%s geometries in another SRID not drawn",
                                                         result->n_other_srid),
                                               n);
      g_autofree char *joined = g_strdup_printf (C_("sql status", "%s · %s"), text, left);

      g_free (text);
      text = g_steal_pointer (&joined);
    }

  set_status (self, text, FALSE);
}

static gboolean
on_tick (gpointer user_data)
{
  AtalayaSqlConsole *self = user_data;
  QueryJob *job = self->job;
  g_autofree char *seconds = NULL;
  g_autofree char *text = NULL;
  int n;

  if (job == NULL)
    return G_SOURCE_CONTINUE;
  seconds = format_seconds ((g_get_monotonic_time () - job->started_us) / (double) G_USEC_PER_SEC);
  n = g_atomic_int_get (&job->n_fetched);
  if (n > 0)
    {
      g_autofree char *count = format_count ((guint) n);

      /* Translators: while a query runs: rows so far, then seconds */
      text = g_strdup_printf (ngettext ("Running… %s row · %s s", "Running… %s rows · %s s", (gulong) n),
                              count, seconds);
    }
  else
    /* Translators: while a query runs, as in "Running… 1.20 s" */
    text = g_strdup_printf (_("Running… %s s"), seconds);
  set_status (self, text, FALSE);
  return G_SOURCE_CONTINUE;
}

/* ---- the result table ------------------------------------------------------------------ */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (GPOINTER_TO_UINT (numeric))
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  column)
{
  AtalayaSqlRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = sql_result_get_cell (row->result, row->index, GPOINTER_TO_UINT (column));

  if (text == NULL)
    {
      gtk_label_set_text (GTK_LABEL (label), "NULL");
      gtk_widget_add_css_class (label, "dim-label");
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (label), text);
      gtk_widget_remove_css_class (label, "dim-label");
    }
}

static void
clear_columns (AtalayaSqlConsole *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
}

static void
build_columns (AtalayaSqlConsole *self)
{
  SqlResult *result = self->result;

  clear_columns (self);
  for (guint i = 0; i < result->n_columns; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      gboolean numeric = result->numeric[i];
      int width;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (numeric));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (i));

      column = gtk_column_view_column_new (result->names[i], factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      /* fixed widths: measuring 100,000 rows is not an option */
      if ((int) i == result->geometry_column)
        width = 280;
      else
        width = numeric ? 110 : 180;
      width = MAX (width, (int) g_utf8_strlen (result->names[i], -1) * 9 + 36);
      gtk_column_view_column_set_fixed_width (column, MIN (width, 360));
      gtk_column_view_column_set_expand (column, i + 1 == result->n_columns);
      gtk_column_view_append_column (self->column_view, column);
    }
}

/* The row picked in the table is highlighted on the map. */
static void
on_selection_changed (AtalayaSqlConsole  *self,
                      guint               position,
                      guint               n_items,
                      GtkSingleSelection *selection)
{
  guint selected = gtk_single_selection_get_selected (selection);

  if (self->controller == NULL)
    return;
  atalaya_map_controller_set_overlay_selected (self->controller,
                                               selected == GTK_INVALID_LIST_POSITION ? -1 : (gint64) selected);
}

static void
set_result (AtalayaSqlConsole *self,
            SqlResult         *result)
{
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GtkSingleSelection) selection = NULL;

  gtk_column_view_set_model (self->column_view, NULL);
  clear_columns (self);
  g_clear_pointer (&self->result, sql_result_unref);
  if (result == NULL)
    return;

  self->result = sql_result_ref (result);
  build_columns (self);
  rows = atalaya_sql_rows_new (result);
  /* no row is selected until the user picks one */
  selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_model (selection, rows);
  g_signal_connect_object (selection, "selection-changed",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
}

/* ---- the overlay --------------------------------------------------------------------------- */

static void
show_overlay (AtalayaSqlConsole *self)
{
  g_autoptr(GisCrs) crs = NULL;
  SqlResult *result = self->result;

  if (self->controller == NULL)
    return;
  if (result == NULL || result->n_geometries == 0)
    {
      atalaya_map_controller_set_overlay (self->controller, NULL, NULL);
      return;
    }

  /* SpatiaLite's SRID is an EPSG code; 0 and -1 say "unknown": take the
   * store's own CRS */
  if (result->srid > 0 && result->srid != 4326)
    {
      g_autofree char *def = g_strdup_printf ("EPSG:%d", result->srid);
      g_autoptr(GError) error = NULL;

      crs = gis_crs_new (def, &error);
      if (crs == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("The geometries cannot be drawn: %s"), error->message);

          atalaya_map_controller_set_overlay (self->controller, NULL, NULL);
          set_status (self, text, TRUE);
          return;
        }
    }
  atalaya_map_controller_set_overlay (self->controller, result->wkb, crs);
}

static void
zoom_to_extent (AtalayaSqlConsole *self,
                const GisExtent   *extent)
{
  GisViewport *viewport;
  double res;

  if (self->map_view == NULL || gis_extent_is_empty (extent))
    return;
  viewport = atalaya_map_view_get_viewport (self->map_view);
  res = gis_viewport_get_resolution (viewport);
  /* a single point: keep the scale, centre it */
  if (extent->max_x - extent->min_x < res && extent->max_y - extent->min_y < res)
    gis_viewport_set_center (viewport,
                             (extent->min_x + extent->max_x) / 2,
                             (extent->min_y + extent->max_y) / 2);
  else
    gis_viewport_fit_extent (viewport, extent, 48);
}

static void
on_controller_notify_overlay (AtalayaSqlConsole *self)
{
  atalaya_sql_console_update_actions (self);
}

/* ---- running ------------------------------------------------------------------------------- */

static void
set_running (AtalayaSqlConsole *self,
             gboolean           running)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  gtk_spinner_set_spinning (self->spinner, running);
  if (running && self->tick_id == 0)
    self->tick_id = g_timeout_add (TICK_MS, on_tick, self);
  else if (!running)
    g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_set_sensitive (GTK_WIDGET (self->column_view), !running);
  atalaya_sql_console_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
show_failure (AtalayaSqlConsole *self,
              const GError      *error,
              double             seconds)
{
  g_autofree char *text = NULL;

  set_result (self, NULL);
  show_overlay (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *s = format_seconds (seconds);

      /* Translators: the status after Cancel, as in "Cancelled after 1.20 s" */
      text = g_strdup_printf (_("Cancelled after %s s"), s);
      set_status (self, text, FALSE);
      adw_status_page_set_icon_name (self->message_page, "process-stop-symbolic");
      adw_status_page_set_title (self->message_page, _("Query Cancelled"));
    }
  else
    {
      set_status (self, error->message, TRUE);
      if (g_error_matches (error, GIS_ERROR, GIS_ERROR_READ_ONLY))
        {
          adw_status_page_set_icon_name (self->message_page, "action-unavailable-symbolic");
          adw_status_page_set_title (self->message_page, _("Statement Refused"));
        }
      else
        {
          adw_status_page_set_icon_name (self->message_page, "dialog-error-symbolic");
          adw_status_page_set_title (self->message_page, _("Query Failed"));
        }
    }
  gtk_stack_set_visible_child_name (self->result_stack, "message");
}

/* The task holds no reference on the console (user_data is a weak
 * reference): closing the console while a query runs disposes of it at
 * once, which cancels the query. */
static void
query_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(AtalayaSqlConsole) self = g_weak_ref_get (weak);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (res));
  QueryJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autoptr(SqlResult) result = g_task_propagate_pointer (G_TASK (res), &error);
  double seconds;

  g_weak_ref_clear (weak);
  g_free (weak);

  /* the console closed meanwhile */
  if (self == NULL || cancellable != self->cancellable)
    return;

  seconds = (g_get_monotonic_time () - job->started_us) / (double) G_USEC_PER_SEC;
  g_clear_object (&self->cancellable);
  self->job = NULL;
  set_running (self, FALSE);

  if (result == NULL)
    {
      show_failure (self, error, seconds);
      return;
    }

  set_result (self, result);
  gtk_stack_set_visible_child_name (self->result_stack, "table");
  show_result_status (self);
  show_overlay (self);
  atalaya_sql_console_update_actions (self);
}

/* ---- the history --------------------------------------------------------------------------- */

static void
add_to_history (AtalayaSqlConsole *self,
                const char        *sql)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "sql-history");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) history = NULL;
  guint n = 1;

  g_strv_builder_add (builder, sql);
  for (guint i = 0; old[i] != NULL && n < ATALAYA_SQL_CONSOLE_MAX_HISTORY; i++)
    if (strcmp (old[i], sql) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  history = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "sql-history", (const char *const *) history);
}

/* The start of the statement on one line, for the history list. */
static char *
one_line (const char *sql)
{
  g_autofree char *valid = g_utf8_make_valid (sql, -1);
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  guint n = 0;

  for (const char *p = valid; *p != '\0' && n < 300; p = g_utf8_next_char (p), n++)
    {
      if (g_ascii_isspace (*p))
        space = out->len > 0;
      else
        {
          if (space)
            g_string_append_c (out, ' ');
          g_string_append_len (out, p, g_utf8_next_char (p) - p);
          space = FALSE;
        }
    }
  return g_string_free (out, FALSE);
}

static void
update_history_list (AtalayaSqlConsole *self)
{
  g_auto(GStrv) history = g_settings_get_strv (self->settings, "sql-history");
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))) != NULL)
    gtk_list_box_remove (self->history_list, child);

  for (guint i = 0; history[i] != NULL; i++)
    {
      g_autofree char *line = one_line (history[i]);
      g_autofree char *tip = g_utf8_make_valid (history[i], MIN (strlen (history[i]), 2000));
      GtkWidget *label = gtk_label_new (line);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "monospace");
      gtk_widget_set_tooltip_text (label, tip);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_list_box_append (self->history_list, label);
    }
  gtk_stack_set_visible_child_name (self->history_stack, history[0] != NULL ? "list" : "empty");
}

static void
on_settings_changed (AtalayaSqlConsole *self,
                     const char        *key)
{
  update_history_list (self);
  atalaya_sql_console_update_actions (self);
}

static void
set_text_from_code (AtalayaSqlConsole *self,
                    const char        *sql)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter end;

  self->setting_text = TRUE;
  gtk_text_buffer_set_text (buffer, sql, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  self->setting_text = FALSE;
  atalaya_sql_console_update_actions (self);
}

/* Shows history entry @index (-1: the text the user was writing). */
static void
recall (AtalayaSqlConsole *self,
        int                index)
{
  g_auto(GStrv) history = g_settings_get_strv (self->settings, "sql-history");

  if (index >= (int) g_strv_length (history))
    return;
  if (self->history_index < 0)
    {
      g_free (self->draft);
      self->draft = atalaya_sql_console_dup_text (self);
    }
  self->history_index = MAX (index, -1);
  set_text_from_code (self, index >= 0 ? history[index] : self->draft != NULL ? self->draft : "");
  if (index < 0)
    g_clear_pointer (&self->draft, g_free);
  atalaya_sql_console_update_actions (self);
}

/* The entry Ctrl+Up shows: the next older one, skipping the statement
 * in the editor when it is the last one run. */
static int
previous_index (AtalayaSqlConsole  *self,
                char              **history)
{
  g_autofree char *text = NULL;

  if (self->history_index >= 0 || history[0] == NULL)
    return self->history_index + 1;
  text = g_strstrip (atalaya_sql_console_dup_text (self));
  return strcmp (text, history[0]) == 0 ? 1 : 0;
}

static void
on_history_list_row_activated (AtalayaSqlConsole *self,
                               GtkListBoxRow     *row,
                               GtkListBox        *list)
{
  recall (self, gtk_list_box_row_get_index (row));
  gtk_popover_popdown (self->history_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
on_buffer_changed (AtalayaSqlConsole *self,
                   GtkTextBuffer     *buffer)
{
  if (self->setting_text)
    return;
  /* an edit makes the text the user's own again */
  self->history_index = -1;
  g_clear_pointer (&self->draft, g_free);
  atalaya_sql_console_update_actions (self);
}

/* ---- actions ----------------------------------------------------------------------------------- */

static gboolean
text_is_blank (AtalayaSqlConsole *self)
{
  g_autofree char *text = atalaya_sql_console_dup_text (self);

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static void
atalaya_sql_console_update_actions (AtalayaSqlConsole *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->cancellable != NULL;
  GisLayerData *overlay = self->controller != NULL ? atalaya_map_controller_get_overlay (self->controller) : NULL;
  g_auto(GStrv) history = g_settings_get_strv (self->settings, "sql-history");
  int n_history = (int) g_strv_length (history);
  const char *page = gtk_stack_get_visible_child_name (self->result_stack);

  gtk_widget_action_set_enabled (widget, "console.run", !running && !text_is_blank (self));
  gtk_widget_action_set_enabled (widget, "console.cancel", running);
  gtk_widget_action_set_enabled (widget, "console.clear", !running && g_strcmp0 (page, "empty") != 0);
  gtk_widget_action_set_enabled (widget, "console.zoom-to-result",
                                 self->map_view != NULL && self->result != NULL &&
                                 self->result->n_geometries > 0 && overlay != NULL &&
                                 !gis_extent_is_empty (gis_layer_data_get_extent (overlay)));
  gtk_widget_action_set_enabled (widget, "console.history-previous", previous_index (self, history) < n_history);
  gtk_widget_action_set_enabled (widget, "console.history-next", self->history_index >= 0);
  gtk_widget_action_set_enabled (widget, "console.clear-history", n_history > 0);
}

static void
atalaya_sql_console_action_run (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  atalaya_sql_console_run (ATALAYA_SQL_CONSOLE (widget));
}

static void
atalaya_sql_console_action_cancel (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  atalaya_sql_console_cancel (ATALAYA_SQL_CONSOLE (widget));
}

static void
atalaya_sql_console_action_clear (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  AtalayaSqlConsole *self = ATALAYA_SQL_CONSOLE (widget);

  set_result (self, NULL);
  show_overlay (self);
  set_status (self, "", FALSE);
  gtk_stack_set_visible_child_name (self->result_stack, "empty");
  atalaya_sql_console_update_actions (self);
}

static void
atalaya_sql_console_action_zoom_to_result (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *param)
{
  AtalayaSqlConsole *self = ATALAYA_SQL_CONSOLE (widget);
  GisLayerData *overlay = self->controller != NULL ? atalaya_map_controller_get_overlay (self->controller) : NULL;

  if (overlay != NULL)
    zoom_to_extent (self, gis_layer_data_get_extent (overlay));
}

static void
atalaya_sql_console_action_history (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  AtalayaSqlConsole *self = ATALAYA_SQL_CONSOLE (widget);
  g_auto(GStrv) history = g_settings_get_strv (self->settings, "sql-history");

  if (g_str_equal (action_name, "console.history-previous"))
    recall (self, previous_index (self, history));
  else if (self->history_index >= 0)
    recall (self, self->history_index - 1);
}

static void
atalaya_sql_console_action_clear_history (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *param)
{
  AtalayaSqlConsole *self = ATALAYA_SQL_CONSOLE (widget);

  g_settings_reset (self->settings, "sql-history");
  self->history_index = -1;
  g_clear_pointer (&self->draft, g_free);
  gtk_popover_popdown (self->history_popover);
  atalaya_sql_console_update_actions (self);
}

/* A double click on a row shows its geometry. */
static void
on_column_view_activate (AtalayaSqlConsole *self,
                         guint              position,
                         GtkColumnView     *column_view)
{
  GisLayerData *overlay = self->controller != NULL ? atalaya_map_controller_get_overlay (self->controller) : NULL;
  GisExtent extent;

  if (overlay == NULL || position >= gis_layer_data_get_n_features (overlay))
    return;
  gis_layer_data_get_feature_extent (overlay, position, &extent);
  zoom_to_extent (self, &extent);
}

/* ---- GObject ------------------------------------------------------------------------------------ */

static void
atalaya_sql_console_dispose (GObject *object)
{
  AtalayaSqlConsole *self = (AtalayaSqlConsole *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->job = NULL;
  g_clear_handle_id (&self->tick_id, g_source_remove);

  /* the overlay goes with the console */
  if (self->controller != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->controller, self);
      atalaya_map_controller_set_overlay (self->controller, NULL, NULL);
    }
  g_clear_object (&self->controller);
  if (self->map_view != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->map_view), (gpointer *) &self->map_view);
  self->map_view = NULL;
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->column_view != NULL)
    {
      gtk_column_view_set_model (self->column_view, NULL);
      clear_columns (self);
    }
  g_clear_pointer (&self->result, sql_result_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_SQL_CONSOLE);

  G_OBJECT_CLASS (atalaya_sql_console_parent_class)->dispose (object);
}

static void
atalaya_sql_console_finalize (GObject *object)
{
  AtalayaSqlConsole *self = (AtalayaSqlConsole *) object;

  g_clear_object (&self->settings);
  g_clear_pointer (&self->store_path, g_free);
  g_clear_pointer (&self->draft, g_free);

  G_OBJECT_CLASS (atalaya_sql_console_parent_class)->finalize (object);
}

static void
atalaya_sql_console_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AtalayaSqlConsole *self = ATALAYA_SQL_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_STORE_PATH:
      g_value_set_string (value, self->store_path);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, atalaya_sql_console_get_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_sql_console_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  AtalayaSqlConsole *self = ATALAYA_SQL_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_STORE_PATH:
      self->store_path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_sql_console_class_init (AtalayaSqlConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_sql_console_dispose;
  object_class->finalize = atalaya_sql_console_finalize;
  object_class->get_property = atalaya_sql_console_get_property;
  object_class->set_property = atalaya_sql_console_set_property;

  /**
   * AtalayaSqlConsole:store-path:
   *
   * The store to query; each query opens its own read-only connection
   * on a worker thread.
   */
  properties[PROP_STORE_PATH] =
    g_param_spec_string ("store-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaSqlConsole:running:
   *
   * Whether a query is running.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-sql-console.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, window_title);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, history_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, history_popover);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, history_stack);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, history_list);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, text_view);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, spinner);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, status_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, result_stack);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, message_page);
  gtk_widget_class_bind_template_child (widget_class, AtalayaSqlConsole, column_view);
  gtk_widget_class_bind_template_callback (widget_class, on_history_list_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate);

  gtk_widget_class_install_action (widget_class, "console.run", NULL,
                                   atalaya_sql_console_action_run);
  gtk_widget_class_install_action (widget_class, "console.cancel", NULL,
                                   atalaya_sql_console_action_cancel);
  gtk_widget_class_install_action (widget_class, "console.clear", NULL,
                                   atalaya_sql_console_action_clear);
  gtk_widget_class_install_action (widget_class, "console.zoom-to-result", NULL,
                                   atalaya_sql_console_action_zoom_to_result);
  gtk_widget_class_install_action (widget_class, "console.history-previous", NULL,
                                   atalaya_sql_console_action_history);
  gtk_widget_class_install_action (widget_class, "console.history-next", NULL,
                                   atalaya_sql_console_action_history);
  gtk_widget_class_install_action (widget_class, "console.clear-history", NULL,
                                   atalaya_sql_console_action_clear_history);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
atalaya_sql_console_init (AtalayaSqlConsole *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->history_index = -1;
  self->settings = g_settings_new (APP_ID);
  g_signal_connect_swapped (self->settings, "changed::sql-history",
                            G_CALLBACK (on_settings_changed), self);
  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (on_buffer_changed), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  update_history_list (self);
}

/* ---- public API ------------------------------------------------------------------------------- */

/**
 * atalaya_sql_console_new:
 * @parent: the main window
 * @store_path: the store to query
 * @controller: the map's controller, to draw the result's geometries
 * @map_view: the map, to zoom to the result (not referenced)
 *
 * A console on @store_path, showing the last statement of the history,
 * selected, so that typing replaces it.  Closing the console removes its
 * geometries from the map.
 *
 * Returns: (transfer none): the console, not yet shown
 */
AtalayaSqlConsole *
atalaya_sql_console_new (GtkWindow            *parent,
                         const char           *store_path,
                         AtalayaMapController *controller,
                         AtalayaMapView       *map_view)
{
  AtalayaSqlConsole *self;
  g_autofree char *name = NULL;
  g_auto(GStrv) history = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (store_path != NULL, NULL);
  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (controller), NULL);
  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (map_view), NULL);

  self = g_object_new (ATALAYA_TYPE_SQL_CONSOLE,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       "store-path", store_path,
                       NULL);
  self->controller = g_object_ref (controller);
  g_signal_connect_object (controller, "notify::overlay",
                           G_CALLBACK (on_controller_notify_overlay), self, G_CONNECT_SWAPPED);
  self->map_view = map_view;
  g_object_add_weak_pointer (G_OBJECT (map_view), (gpointer *) &self->map_view);

  name = g_filename_display_basename (store_path);
  adw_window_title_set_subtitle (self->window_title, name);

  history = g_settings_get_strv (self->settings, "sql-history");
  if (history[0] != NULL)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
      GtkTextIter start, end;

      set_text_from_code (self, history[0]);
      gtk_text_buffer_get_bounds (buffer, &start, &end);
      gtk_text_buffer_select_range (buffer, &start, &end);
    }
  atalaya_sql_console_update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  return self;
}

/**
 * atalaya_sql_console_get_store_path:
 *
 * Returns: (transfer none): the store the console queries
 */
const char *
atalaya_sql_console_get_store_path (AtalayaSqlConsole *self)
{
  g_return_val_if_fail (ATALAYA_IS_SQL_CONSOLE (self), NULL);

  return self->store_path;
}

/**
 * atalaya_sql_console_dup_text:
 *
 * Returns: (transfer full): the editor's text
 */
char *
atalaya_sql_console_dup_text (AtalayaSqlConsole *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (ATALAYA_IS_SQL_CONSOLE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * atalaya_sql_console_set_text:
 *
 * Replaces the editor's text, as if the user had typed @sql.
 */
void
atalaya_sql_console_set_text (AtalayaSqlConsole *self,
                              const char        *sql)
{
  g_return_if_fail (ATALAYA_IS_SQL_CONSOLE (self));
  g_return_if_fail (sql != NULL);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), sql, -1);
}

/**
 * atalaya_sql_console_run:
 *
 * Runs the selected text, or all the text when none is selected, on a
 * worker thread, and records it in the history.  Does nothing while a
 * query runs.
 */
void
atalaya_sql_console_run (AtalayaSqlConsole *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;
  g_autofree char *stripped = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  GWeakRef *weak;
  QueryJob *job;

  g_return_if_fail (ATALAYA_IS_SQL_CONSOLE (self));

  if (self->cancellable != NULL)
    return;

  buffer = gtk_text_view_get_buffer (self->text_view);
  if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    return;

  add_to_history (self, stripped);
  self->history_index = -1;
  g_clear_pointer (&self->draft, g_free);

  job = g_new0 (QueryJob, 1);
  job->store_path = g_strdup (self->store_path);
  job->sql = g_steal_pointer (&stripped);
  job->max_rows = ATALAYA_SQL_CONSOLE_MAX_ROWS;
  job->started_us = g_get_monotonic_time ();

  self->cancellable = g_cancellable_new ();
  self->job = job;
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, query_cb, weak);
  g_task_set_source_tag (task, atalaya_sql_console_run);
  g_task_set_task_data (task, job, query_job_free);
  g_task_run_in_thread (task, query_thread);

  on_tick (self);
  set_running (self, TRUE);
}

/**
 * atalaya_sql_console_cancel:
 *
 * Interrupts the running query, if any; the console says so when the
 * worker has stopped.
 */
void
atalaya_sql_console_cancel (AtalayaSqlConsole *self)
{
  g_return_if_fail (ATALAYA_IS_SQL_CONSOLE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/**
 * atalaya_sql_console_get_running:
 *
 * Returns: whether a query is running
 */
gboolean
atalaya_sql_console_get_running (AtalayaSqlConsole *self)
{
  g_return_val_if_fail (ATALAYA_IS_SQL_CONSOLE (self), FALSE);

  return self->cancellable != NULL;
}

/* ---- for tests -------------------------------------------------------------------------------------- */

guint
atalaya_sql_console_get_n_result_rows (AtalayaSqlConsole *self)
{
  g_return_val_if_fail (ATALAYA_IS_SQL_CONSOLE (self), 0);

  return self->result != NULL ? self->result->n_rows : 0;
}

gboolean
atalaya_sql_console_get_result_capped (AtalayaSqlConsole *self)
{
  g_return_val_if_fail (ATALAYA_IS_SQL_CONSOLE (self), FALSE);

  return self->result != NULL && self->result->capped;
}

int
atalaya_sql_console_get_geometry_column (AtalayaSqlConsole *self)
{
  g_return_val_if_fail (ATALAYA_IS_SQL_CONSOLE (self), -1);

  return self->result != NULL ? self->result->geometry_column : -1;
}

/* The text of a cell of the result; NULL for SQL NULL. */
const char *
atalaya_sql_console_get_cell (AtalayaSqlConsole *self,
                              guint              row,
                              guint              column)
{
  g_return_val_if_fail (ATALAYA_IS_SQL_CONSOLE (self), NULL);
  g_return_val_if_fail (self->result != NULL, NULL);
  g_return_val_if_fail (row < self->result->n_rows && column < self->result->n_columns, NULL);

  return sql_result_get_cell (self->result, row, column);
}
