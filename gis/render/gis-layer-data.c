/* gis-layer-data.c: a layer's features projected to the display CRS, in memory
 *
 * Reading geometry blobs row by row is what makes a desktop GIS slow to
 * redraw (DESIGN §9), so a layer is read once, on a worker thread, into
 * flat arrays of display-CRS coordinates, and every render and click
 * works on those.  A GisLayerData never changes after
 * gis_layer_data_load() returns, so any number of threads may read it;
 * a change of display CRS or of the layer's rows means loading a new one.
 * gis_layer_data_new_from_wkb() makes the same arrays from geometries
 * that are not a layer of a store (a query's result in the SQL console).
 *
 * Features are kept in fid order.  A point layer whose features are all
 * single points keeps one coordinate per feature and no offsets; other
 * layers keep features -> parts -> coordinates as offset arrays over one
 * coordinate array.  A uniform grid over the layer's extent (a counting
 * sort of the features by cell, so items of a cell are contiguous) finds
 * the features of a box.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-layer-data"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-blob-private.h"
#include "gis-error.h"
#include "gis-layer-data.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

/* Features between cancellation checks and PROJ batches. */
#define CHUNK 65536

typedef struct
{
  char          *name;
  GisColumnKind  kind;
  double        *numbers;     /* kind NUMERIC */
  guint32       *ids;         /* kind TEXT */
  GPtrArray     *strings;     /* kind TEXT: char *, by id */
} Column;

typedef struct
{
  double    x0;
  double    y0;
  double    cell;
  guint     nx;
  guint     ny;
  guint32  *start;            /* nx * ny + 1 offsets into items */
  guint32  *items;
  gboolean  multi;            /* an item may sit in several cells */
} Grid;

struct _GisLayerData
{
  gint64     layer_id;
  GisCrs    *crs;
  GisExtent  extent;
  gboolean   single_points;   /* feature i is the point x[i], y[i] (NaN: none) */

  guint      n;
  gint64    *fids;
  guint8    *kinds;           /* GisFeatureKind; NULL when single_points */
  guint32   *feature_parts;   /* n + 1 offsets into part_coords; NULL when single_points */
  guint32   *part_coords;     /* n_parts + 1 offsets into x, y */
  guint      n_parts;
  double    *x;
  double    *y;
  guint      n_coords;
  double    *bbox;            /* min x, min y, max x, max y per feature; NULL when single_points */
  guint      n_valid;         /* features with a geometry in the display CRS */

  gint64    *times;           /* NULL without occurred_at */
  GPtrArray *columns;         /* Column * */
  Grid       grid;

  GisRaster *raster;          /* a raster layer's grid (no features), immutable */
};

G_DEFINE_BOXED_TYPE (GisLayerData, gis_layer_data, gis_layer_data_ref, gis_layer_data_unref)

static void
column_free (gpointer p)
{
  Column *c = p;

  g_free (c->name);
  g_free (c->numbers);
  g_free (c->ids);
  g_clear_pointer (&c->strings, g_ptr_array_unref);
  g_free (c);
}

static void
gis_layer_data_clear (gpointer p)
{
  GisLayerData *self = p;

  g_clear_pointer (&self->crs, gis_crs_unref);
  g_free (self->fids);
  g_free (self->kinds);
  g_free (self->feature_parts);
  g_free (self->part_coords);
  g_free (self->x);
  g_free (self->y);
  g_free (self->bbox);
  g_free (self->times);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_free (self->grid.start);
  g_free (self->grid.items);
  g_clear_pointer (&self->raster, gis_raster_free);
}

/**
 * gis_layer_data_ref:
 *
 * Returns: (transfer full): @data; any thread may hold and read it
 */
GisLayerData *
gis_layer_data_ref (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return g_atomic_rc_box_acquire (data);
}

void
gis_layer_data_unref (GisLayerData *data)
{
  g_return_if_fail (data != NULL);
  g_atomic_rc_box_release_full (data, gis_layer_data_clear);
}

/* ---- reading ------------------------------------------------------------- */

/* Growable arrays of the reader; trimmed into the GisLayerData at the end. */
typedef struct
{
  GArray     *fids;         /* gint64 */
  GArray     *kinds;        /* guint8 */
  GArray     *feature_parts;/* guint32 */
  GArray     *part_coords;  /* guint32 */
  GArray     *x;            /* double */
  GArray     *y;
  GArray     *times;        /* gint64 */
  gboolean    single_points;
} Reader;

static inline gint64
days_from_civil (gint64 y,
                 unsigned m,
                 unsigned d)
{
  /* Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic
   * Gregorian date */
  gint64 era;
  unsigned yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static inline gboolean
digits (const char *s,
        int         n,
        int        *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return FALSE;
      v = v * 10 + (s[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* occurred_at as the import writes it ("YYYY-MM-DDTHH:MM:SSZ"), or a date,
 * or any ISO 8601 time GLib reads (UTC when it names no zone). */
static gint64
parse_time (const char *s,
            gsize       len)
{
  int Y, M, D, h = 0, m = 0, sec = 0;

  if (s == NULL)
    return GIS_LAYER_DATA_NO_TIME;

  if ((len == 10 || (len == 20 && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z')) &&
      s[4] == '-' && s[7] == '-' &&
      digits (s, 4, &Y) && digits (s + 5, 2, &M) && digits (s + 8, 2, &D) &&
      M >= 1 && M <= 12 && D >= 1 && D <= 31 &&
      (len == 10 || (digits (s + 11, 2, &h) && digits (s + 14, 2, &m) && digits (s + 17, 2, &sec))))
    return days_from_civil (Y, (unsigned) M, (unsigned) D) * 86400 + h * 3600 + m * 60 + sec;

  {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autofree char *copy = g_strndup (s, len);
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (copy, utc);

    if (dt != NULL)
      return g_date_time_to_unix (dt);
  }
  return GIS_LAYER_DATA_NO_TIME;
}

static inline guint32
get_u32_le (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline double
get_f64_le (const guint8 *p)
{
  guint64 bits;
  double v;

  memcpy (&bits, p, 8);
  bits = GUINT64_FROM_LE (bits);
  memcpy (&v, &bits, 8);
  return v;
}

/* Appends the parts of one little-endian 2D WKB geometry.  *kind is the
 * kind of the feature: set by its first part; parts of another kind (in a
 * geometry collection) are skipped.  Returns the bytes read, 0 when the
 * WKB is malformed. */
static gsize
read_wkb (Reader         *r,
          const guint8   *p,
          gsize           len,
          GisFeatureKind *kind)
{
  gsize pos = 5;
  guint32 type, n;

  if (len < 5 || p[0] != 0x01)
    return 0;
  type = get_u32_le (p + 1);

#define ADD_PART(count)                                                      \
  G_STMT_START {                                                             \
    guint32 end_ = (guint32) r->x->len;                                      \
    for (guint32 k_ = 0; k_ < (count); k_++)                                 \
      {                                                                      \
        double vx_ = get_f64_le (p + pos), vy_ = get_f64_le (p + pos + 8);   \
        g_array_append_val (r->x, vx_);                                      \
        g_array_append_val (r->y, vy_);                                      \
        pos += 16;                                                           \
      }                                                                      \
    end_ = (guint32) r->x->len;                                              \
    g_array_append_val (r->part_coords, end_);                               \
  } G_STMT_END

  switch (type)
    {
    case 1: /* point */
      if (len < pos + 16)
        return 0;
      if (*kind == GIS_FEATURE_NONE)
        *kind = GIS_FEATURE_POINT;
      if (*kind == GIS_FEATURE_POINT)
        ADD_PART (1);
      else
        pos += 16;
      return pos;

    case 2: /* linestring */
      if (len < pos + 4)
        return 0;
      n = get_u32_le (p + pos);
      pos += 4;
      if ((len - pos) / 16 < n)
        return 0;
      if (*kind == GIS_FEATURE_NONE)
        *kind = GIS_FEATURE_LINE;
      if (*kind == GIS_FEATURE_LINE && n >= 1)
        ADD_PART (n);
      else
        pos += (gsize) n * 16;
      return pos;

    case 3: /* polygon */
      {
        guint32 rings;

        if (len < pos + 4)
          return 0;
        rings = get_u32_le (p + pos);
        pos += 4;
        if (*kind == GIS_FEATURE_NONE)
          *kind = GIS_FEATURE_POLYGON;
        for (guint32 i = 0; i < rings; i++)
          {
            if (len < pos + 4)
              return 0;
            n = get_u32_le (p + pos);
            pos += 4;
            if ((len - pos) / 16 < n)
              return 0;
            if (*kind == GIS_FEATURE_POLYGON && n >= 3)
              ADD_PART (n);
            else
              pos += (gsize) n * 16;
          }
        return pos;
      }

    case 4: /* multi* and collections */
    case 5:
    case 6:
    case 7:
      if (len < pos + 4)
        return 0;
      n = get_u32_le (p + pos);
      pos += 4;
      for (guint32 i = 0; i < n; i++)
        {
          gsize used = read_wkb (r, p + pos, len - pos, kind);

          if (used == 0)
            return 0;
          pos += used;
        }
      return pos;

    default:
      return 0;
    }
#undef ADD_PART
}

static GisColumnKind
column_kind_for (const char *decltype)
{
  g_autofree char *up = g_ascii_strup (decltype != NULL ? decltype : "", -1);

  /* SQLite's affinity rules (datatype3.html §3.1): TEXT and BLOB columns
   * are categories, INTEGER, REAL and NUMERIC ones numbers */
  if (strstr (up, "INT") != NULL)
    return GIS_COLUMN_NUMERIC;
  if (strstr (up, "CHAR") || strstr (up, "CLOB") || strstr (up, "TEXT") ||
      strstr (up, "BLOB") || *up == '\0')
    return GIS_COLUMN_TEXT;
  return GIS_COLUMN_NUMERIC;
}

/* ---- the reader --------------------------------------------------------- */

static void
reader_init (Reader   *r,
             guint     hint,
             gboolean  has_time)
{
  guint32 zero = 0;

  r->fids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), hint);
  r->x = g_array_sized_new (FALSE, FALSE, sizeof (double), hint);
  r->y = g_array_sized_new (FALSE, FALSE, sizeof (double), hint);
  r->kinds = g_array_sized_new (FALSE, FALSE, sizeof (guint8), hint);
  r->feature_parts = g_array_sized_new (FALSE, FALSE, sizeof (guint32), hint + 1);
  r->part_coords = g_array_sized_new (FALSE, FALSE, sizeof (guint32), hint + 1);
  r->times = has_time ? g_array_sized_new (FALSE, FALSE, sizeof (gint64), hint) : NULL;
  g_array_append_val (r->feature_parts, zero);
  g_array_append_val (r->part_coords, zero);
  r->single_points = TRUE;
}

static void
reader_clear (Reader *r)
{
  g_clear_pointer (&r->fids, g_array_unref);
  g_clear_pointer (&r->x, g_array_unref);
  g_clear_pointer (&r->y, g_array_unref);
  g_clear_pointer (&r->kinds, g_array_unref);
  g_clear_pointer (&r->feature_parts, g_array_unref);
  g_clear_pointer (&r->part_coords, g_array_unref);
  g_clear_pointer (&r->times, g_array_unref);
}

/* Closes the feature whose parts were just appended. */
static void
reader_end_feature (Reader         *r,
                    GisFeatureKind  kind)
{
  guint8 k = (guint8) kind;
  guint32 parts_end = r->part_coords->len - 1;

  g_array_append_val (r->kinds, k);
  g_array_append_val (r->feature_parts, parts_end);
}

/* Appends a feature that is one point. */
static void
reader_add_point (Reader *r,
                  double  x,
                  double  y)
{
  guint32 end = r->x->len + 1;

  g_array_append_val (r->x, x);
  g_array_append_val (r->y, y);
  g_array_append_val (r->part_coords, end);
  reader_end_feature (r, GIS_FEATURE_POINT);
}

/* Appends a feature from little-endian 2D WKB; %NULL, or WKB that cannot
 * be read, is a feature without geometry. */
static void
reader_add_wkb (Reader       *r,
                const guint8 *wkb,
                gsize         wkb_len)
{
  GisFeatureKind kind = GIS_FEATURE_NONE;
  guint parts_before = r->part_coords->len;
  guint coords_before = r->x->len;

  if (wkb == NULL || read_wkb (r, wkb, wkb_len, &kind) != wkb_len)
    {
      g_array_set_size (r->part_coords, parts_before);
      g_array_set_size (r->x, coords_before);
      g_array_set_size (r->y, coords_before);
      kind = GIS_FEATURE_NONE;
    }
  if (kind == GIS_FEATURE_LINE || kind == GIS_FEATURE_POLYGON ||
      (kind == GIS_FEATURE_POINT && r->part_coords->len != parts_before + 1))
    r->single_points = FALSE;
  if (kind == GIS_FEATURE_NONE && r->single_points)
    {
      /* keep one coordinate per feature as long as that can be the
       * layout: a NaN point */
      double nan = NAN;
      guint32 end = r->x->len + 1;

      g_array_append_val (r->x, nan);
      g_array_append_val (r->y, nan);
      g_array_append_val (r->part_coords, end);
    }
  reader_end_feature (r, kind);
}

/* The layer data of the reader's features, still in the storage CRS and
 * without columns; the reader is left empty. */
static GisLayerData *
reader_steal (Reader *r,
              gint64  layer_id,
              GisCrs *display_crs)
{
  GisLayerData *self = g_atomic_rc_box_new0 (GisLayerData);

  self->layer_id = layer_id;
  self->crs = gis_crs_ref (display_crs);
  self->n = r->fids->len;
  self->fids = (gint64 *) (void *) g_array_free (g_steal_pointer (&r->fids), FALSE);
  self->n_coords = r->x->len;
  self->x = (double *) (void *) g_array_free (g_steal_pointer (&r->x), FALSE);
  self->y = (double *) (void *) g_array_free (g_steal_pointer (&r->y), FALSE);
  if (r->times != NULL)
    self->times = (gint64 *) (void *) g_array_free (g_steal_pointer (&r->times), FALSE);
  self->single_points = r->single_points && self->n_coords == self->n;
  if (!self->single_points)
    {
      self->n_parts = r->part_coords->len - 1;
      self->kinds = (guint8 *) g_array_free (g_steal_pointer (&r->kinds), FALSE);
      self->feature_parts = (guint32 *) (void *) g_array_free (g_steal_pointer (&r->feature_parts), FALSE);
      self->part_coords = (guint32 *) (void *) g_array_free (g_steal_pointer (&r->part_coords), FALSE);
    }
  reader_clear (r);
  return self;
}

/* Reads the registry row and the columns of the layer's table. */
static gboolean
describe_layer (sqlite3            *db,
                const char         *store_path,
                gint64              layer_id,
                const char *const  *fields,
                char              **out_table,
                char              **out_name,
                char              **out_geometry_type,
                gboolean           *out_has_time,
                GPtrArray          *columns,
                GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) decls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int rc;

  stmt = gis_sql_prepare (db, "SELECT table_name, name, geometry_type FROM atalaya_layers WHERE id = ?1",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, layer_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                     _("No layer with id %" PRId64 " in “%s”"), layer_id, store_path);
      else
        gis_sql_set_error (error, db, rc, store_path);
      return FALSE;
    }
  *out_table = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  *out_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  *out_geometry_type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = gis_sql_prepare (db, "SELECT name, type FROM pragma_table_info(?1)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, *out_table, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (decls,
                         g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, store_path);
      return FALSE;
    }
  if (g_strcmp0 (*out_geometry_type, "NONE") == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Layer “%s” is a table without geometry: there is nothing to draw"),
                   *out_name);
      return FALSE;
    }
  if (!g_hash_table_contains (decls, "fid") || !g_hash_table_contains (decls, "geom"))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT,
                   _("The table of layer “%s” in “%s” has no geometry column"), *out_name, store_path);
      return FALSE;
    }

  *out_has_time = g_hash_table_contains (decls, "occurred_at");

  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    {
      const char *decl;
      Column *c;
      gboolean seen = FALSE;

      for (guint j = 0; j < columns->len; j++)
        seen |= strcmp (((Column *) g_ptr_array_index (columns, j))->name, fields[i]) == 0;
      if (seen)
        continue;

      if (!g_hash_table_lookup_extended (decls, fields[i], NULL, (gpointer *) &decl) ||
          strcmp (fields[i], "geom") == 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                       _("Layer “%s” has no field “%s”"), *out_name, fields[i]);
          return FALSE;
        }
      c = g_new0 (Column, 1);
      c->name = g_strdup (fields[i]);
      c->kind = column_kind_for (decl);
      g_ptr_array_add (columns, c);
    }

  return TRUE;
}

typedef struct
{
  GHashTable *index;        /* string (owned by strings) -> id + 1 */
  GArray     *ids;          /* guint32 */
  GArray     *numbers;      /* double */
} ColumnReader;

static void
read_column_value (Column       *c,
                   ColumnReader *cr,
                   sqlite3_stmt *stmt,
                   int           col)
{
  int type = sqlite3_column_type (stmt, col);

  if (c->kind == GIS_COLUMN_NUMERIC)
    {
      double v = NAN;

      if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
        v = sqlite3_column_double (stmt, col);
      else if (type == SQLITE_TEXT)
        {
          const char *s = (const char *) sqlite3_column_text (stmt, col);
          char *end = NULL;
          double parsed = g_ascii_strtod (s, &end);

          if (end != s && *end == '\0')
            v = parsed;
        }
      g_array_append_val (cr->numbers, v);
    }
  else
    {
      guint32 id = GIS_LAYER_DATA_NULL_STRING;

      if (type != SQLITE_NULL)
        {
          const char *s = (const char *) sqlite3_column_text (stmt, col);
          gpointer found;

          if (s == NULL)
            s = "";
          found = g_hash_table_lookup (cr->index, s);
          if (found != NULL)
            id = GPOINTER_TO_UINT (found) - 1;
          else
            {
              char *copy = g_strdup (s);

              id = c->strings->len;
              g_ptr_array_add (c->strings, copy);
              g_hash_table_insert (cr->index, copy, GUINT_TO_POINTER (id + 1));
            }
        }
      g_array_append_val (cr->ids, id);
    }
}

/* ---- the grid ------------------------------------------------------------ */

static inline guint
grid_cx (const Grid *g,
         double      x)
{
  double c = floor ((x - g->x0) / g->cell);

  if (!(c > 0))
    return 0;
  if (c >= g->nx - 1)
    return g->nx - 1;
  return (guint) c;
}

static inline guint
grid_cy (const Grid *g,
         double      y)
{
  double c = floor ((y - g->y0) / g->cell);

  if (!(c > 0))
    return 0;
  if (c >= g->ny - 1)
    return g->ny - 1;
  return (guint) c;
}

static void
grid_shape (Grid            *g,
            const GisExtent *extent,
            double           target_cells)
{
  double w = extent->max_x - extent->min_x;
  double h = extent->max_y - extent->min_y;
  double cell;

  target_cells = CLAMP (target_cells, 1, 1 << 22);
  if (w > 0 && h > 0)
    cell = sqrt (w * h / target_cells);
  else if (w > 0 || h > 0)
    cell = MAX (w, h) / target_cells;
  else
    cell = 1;
  if (!(cell > 0) || !isfinite (cell))
    cell = 1;

  g->x0 = extent->min_x;
  g->y0 = extent->min_y;
  g->cell = cell;
  g->nx = (guint) CLAMP (ceil (w / cell), 1, 1 << 12);
  g->ny = (guint) CLAMP (ceil (h / cell), 1, 1 << 12);
  /* the clamps may have made cells too small for the extent */
  g->cell = MAX (cell, MAX (w / g->nx, h / g->ny));
  if (!(g->cell > 0))
    g->cell = 1;
}

static void
grid_build_points (GisLayerData *self)
{
  Grid *g = &self->grid;
  guint n_cells;
  g_autofree guint32 *cell_of = NULL;

  grid_shape (g, &self->extent, self->n_valid / 4.0);
  n_cells = g->nx * g->ny;
  g->start = g_new0 (guint32, (gsize) n_cells + 1);
  g->items = g_new (guint32, MAX (self->n_valid, 1));
  cell_of = g_new (guint32, MAX (self->n, 1));

  for (guint i = 0; i < self->n; i++)
    {
      if (isfinite (self->x[i]))
        {
          guint c = grid_cy (g, self->y[i]) * g->nx + grid_cx (g, self->x[i]);

          cell_of[i] = c;
          g->start[c + 1]++;
        }
      else
        cell_of[i] = G_MAXUINT32;
    }
  for (guint c = 0; c < n_cells; c++)
    g->start[c + 1] += g->start[c];
  {
    g_autofree guint32 *fill = g_memdup2 (g->start, sizeof (guint32) * n_cells);

    for (guint i = 0; i < self->n; i++)
      if (cell_of[i] != G_MAXUINT32)
        g->items[fill[cell_of[i]]++] = i;
  }
}

static void
grid_build_boxes (GisLayerData *self)
{
  Grid *g = &self->grid;
  double target = MAX (1.0, self->n_valid);
  guint64 entries;
  guint n_cells;

  /* coarsen until the features sit in few cells each */
  for (;;)
    {
      grid_shape (g, &self->extent, target);
      entries = 0;
      for (guint i = 0; i < self->n; i++)
        {
          const double *b = self->bbox + 4 * (gsize) i;

          if (self->kinds[i] == GIS_FEATURE_NONE)
            continue;
          entries += (guint64) (grid_cx (g, b[2]) - grid_cx (g, b[0]) + 1) *
                     (grid_cy (g, b[3]) - grid_cy (g, b[1]) + 1);
        }
      if (entries <= 8 * (guint64) self->n_valid + 4096 || target <= 1)
        break;
      target /= 4;
    }

  n_cells = g->nx * g->ny;
  g->multi = entries > self->n_valid;
  g->start = g_new0 (guint32, (gsize) n_cells + 1);
  g->items = g_new (guint32, MAX (entries, 1));

  for (int pass = 0; pass < 2; pass++)
    {
      g_autofree guint32 *fill = pass == 1 ? g_memdup2 (g->start, sizeof (guint32) * n_cells) : NULL;

      for (guint i = 0; i < self->n; i++)
        {
          const double *b = self->bbox + 4 * (gsize) i;
          guint cx0, cx1, cy0, cy1;

          if (self->kinds[i] == GIS_FEATURE_NONE)
            continue;
          cx0 = grid_cx (g, b[0]);
          cx1 = grid_cx (g, b[2]);
          cy0 = grid_cy (g, b[1]);
          cy1 = grid_cy (g, b[3]);
          for (guint cy = cy0; cy <= cy1; cy++)
            for (guint cx = cx0; cx <= cx1; cx++)
              {
                guint c = cy * g->nx + cx;

                if (pass == 0)
                  g->start[c + 1]++;
                else
                  g->items[fill[c]++] = i;
              }
        }
      if (pass == 0)
        for (guint c = 0; c < n_cells; c++)
          g->start[c + 1] += g->start[c];
    }
}

/* ---- loading ------------------------------------------------------------- */

static gboolean
project (GisLayerData  *self,
         GisCrs        *storage,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(GisTransform) t = gis_transform_new (storage, self->crs, error);

  if (t == NULL)
    return FALSE;

  /* Batches keep the cancellation prompt; gis_transform_array() makes
   * failed points infinite, which the callers treat as missing. */
  for (guint i = 0; i < self->n_coords; i += CHUNK)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      gis_transform_array (t, self->x + i, self->y + i, MIN (CHUNK, self->n_coords - i));
    }
  return TRUE;
}

static void
compute_extents (GisLayerData *self)
{
  gis_extent_init_empty (&self->extent);
  self->n_valid = 0;

  if (self->single_points)
    {
      double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;

      for (guint i = 0; i < self->n; i++)
        {
          double x = self->x[i], y = self->y[i];

          if (!isfinite (x) || !isfinite (y))
            {
              self->x[i] = self->y[i] = NAN;
              continue;
            }
          self->n_valid++;
          x0 = MIN (x0, x);
          x1 = MAX (x1, x);
          y0 = MIN (y0, y);
          y1 = MAX (y1, y);
        }
      if (self->n_valid > 0)
        {
          self->extent.min_x = x0;
          self->extent.min_y = y0;
          self->extent.max_x = x1;
          self->extent.max_y = y1;
        }
      return;
    }

  self->bbox = g_new (double, 4 * (gsize) MAX (self->n, 1));
  for (guint i = 0; i < self->n; i++)
    {
      double *b = self->bbox + 4 * (gsize) i;
      gboolean ok = self->kinds[i] != GIS_FEATURE_NONE;

      b[0] = b[1] = INFINITY;
      b[2] = b[3] = -INFINITY;
      for (guint p = self->feature_parts[i]; ok && p < self->feature_parts[i + 1]; p++)
        for (guint c = self->part_coords[p]; c < self->part_coords[p + 1]; c++)
          {
            double x = self->x[c], y = self->y[c];

            if (!isfinite (x) || !isfinite (y))
              {
                /* a shape with a vertex off the display CRS cannot be
                 * drawn as it is: leave it out */
                ok = FALSE;
                break;
              }
            b[0] = MIN (b[0], x);
            b[1] = MIN (b[1], y);
            b[2] = MAX (b[2], x);
            b[3] = MAX (b[3], y);
          }
      if (!ok || self->feature_parts[i] == self->feature_parts[i + 1])
        {
          self->kinds[i] = GIS_FEATURE_NONE;
          b[0] = b[1] = b[2] = b[3] = NAN;
          continue;
        }
      self->n_valid++;
      gis_extent_add_point (&self->extent, b[0], b[1]);
      gis_extent_add_point (&self->extent, b[2], b[3]);
    }
}

/* Projects the features from @source to the data's CRS, then measures
 * them and builds the grid. */
static gboolean
finish_layer_data (GisLayerData  *self,
                   GisCrs        *source,
                   GCancellable  *cancellable,
                   GError       **error)
{
  if (!project (self, source, cancellable, error))
    return FALSE;

  compute_extents (self);
  if (self->single_points)
    grid_build_points (self);
  else
    grid_build_boxes (self);
  return TRUE;
}

static gboolean
layer_is_raster (sqlite3 *db,
                 gint64   layer_id)
{
  g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (db, "SELECT geometry_type FROM atalaya_layers WHERE id = ?1", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, layer_id);
  return sqlite3_step (stmt) == SQLITE_ROW &&
         g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), GIS_RASTER_GEOMETRY_TYPE) == 0;
}

/* A raster layer: no features, its grid kept as it is (the renderer
 * samples it for each pixel of the view), its box in @display_crs. */
static GisLayerData *
load_raster (GisStore  *store,
             gint64     layer_id,
             GisCrs    *display_crs,
             GError   **error)
{
  g_autoptr(GisRaster) raster = gis_store_load_raster_by_id (store, layer_id, error);
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GisTransform) t = NULL;
  GisExtent out;
  Reader r = { 0 };
  GisLayerData *self;

  if (raster == NULL)
    return NULL;
  crs = gis_crs_new (raster->crs, error);
  if (crs == NULL)
    return NULL;
  t = gis_transform_new (crs, display_crs, error);
  if (t == NULL)
    return NULL;
  gis_raster_project_bounds (raster, t, &out);

  reader_init (&r, 0, FALSE);
  self = reader_steal (&r, layer_id, display_crs);
  self->columns = g_ptr_array_new_with_free_func (column_free);
  compute_extents (self);
  grid_build_points (self);
  self->extent = out;
  self->raster = g_steal_pointer (&raster);
  return self;
}

/**
 * gis_layer_data_get_raster:
 * @data: layer data
 *
 * Returns: (transfer none) (nullable): the grid of a raster layer (in its
 *   own CRS, not the display CRS), %NULL for a vector layer
 */
const GisRaster *
gis_layer_data_get_raster (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return data->raster;
}

/**
 * gis_layer_data_load:
 * @store_path: the store file
 * @layer_id: the layer's id in the store's registry
 * @display_crs: the CRS to project the features to
 * @fields: (nullable) (array zero-terminated=1): attribute columns to
 *   keep (for classes, labels, heat map weights); INTEGER, REAL and
 *   NUMERIC columns are kept as numbers, the others as text
 * @cancellable: (nullable): checked between chunks of features
 * @error: return location for a #GIS_ERROR_NOT_FOUND (layer, field),
 *   #GIS_ERROR_CRS, SQL or cancellation error
 *
 * Reads every feature of a layer on the calling thread, through its own
 * read-only connection to the store, and projects it to @display_crs on
 * the thread's own PROJ context.  Geometries that cannot be projected
 * are kept as features without geometry.  When the layer's table has an
 * occurred_at column, its values become seconds since the Unix epoch.
 *
 * Returns: (transfer full) (nullable): the layer's data
 */
GisLayerData *
gis_layer_data_load (const char         *store_path,
                     gint64              layer_id,
                     GisCrs             *display_crs,
                     const char *const  *fields,
                     GCancellable       *cancellable,
                     GError            **error)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCrs) storage = NULL;
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (column_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) sql = g_string_new ("SELECT fid, geom");
  g_autofree char *table = NULL;
  g_autofree char *name = NULL;
  g_autofree char *geometry_type = NULL;
  g_autofree char *quoted_table = NULL;
  g_autofree ColumnReader *readers = NULL;
  gboolean has_time = FALSE;
  GisLayerData *self;
  Reader r = { 0 };
  sqlite3 *db;
  int first_field_col;
  int rc;
  guint64 rows = 0;

  g_return_val_if_fail (store_path != NULL, NULL);
  g_return_val_if_fail (display_crs != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  store = gis_store_open (store_path, GIS_STORE_OPEN_READ_ONLY, error);
  if (store == NULL)
    return NULL;
  db = gis_store_get_db (store);

  if (layer_is_raster (db, layer_id))
    return load_raster (store, layer_id, display_crs, error);

  if (!describe_layer (db, store_path, layer_id, fields, &table, &name, &geometry_type,
                       &has_time, columns, error))
    return NULL;

  quoted_table = gis_sql_quote_ident (table);
  if (has_time)
    g_string_append (sql, ", occurred_at");
  first_field_col = has_time ? 3 : 2;
  for (guint i = 0; i < columns->len; i++)
    {
      g_autofree char *q = gis_sql_quote_ident (((Column *) g_ptr_array_index (columns, i))->name);

      g_string_append_printf (sql, ", %s", q);
    }
  g_string_append_printf (sql, " FROM %s ORDER BY fid", quoted_table);

  stmt = gis_sql_prepare (db, sql->str, error);
  if (stmt == NULL)
    return NULL;

  {
    g_autoptr(sqlite3_stmt) count = NULL;
    g_autofree char *q = g_strdup_printf ("SELECT feature_count FROM atalaya_layers WHERE id = %"
                                          G_GINT64_FORMAT, layer_id);
    guint hint = 0;

    count = gis_sql_prepare (db, q, NULL);
    if (count != NULL && sqlite3_step (count) == SQLITE_ROW)
      hint = (guint) CLAMP (sqlite3_column_int64 (count, 0), 0, 1 << 26);

    reader_init (&r, hint, has_time);
    readers = g_new0 (ColumnReader, MAX (columns->len, 1));
    for (guint i = 0; i < columns->len; i++)
      {
        Column *c = g_ptr_array_index (columns, i);

        if (c->kind == GIS_COLUMN_NUMERIC)
          readers[i].numbers = g_array_sized_new (FALSE, FALSE, sizeof (double), hint);
        else
          {
            c->strings = g_ptr_array_new_with_free_func (g_free);
            readers[i].ids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), hint);
            readers[i].index = g_hash_table_new (g_str_hash, g_str_equal);
          }
      }
  }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);
      const guint8 *blob = sqlite3_column_blob (stmt, 1);
      gsize blob_len = (gsize) sqlite3_column_bytes (stmt, 1);
      double px, py;

      if ((++rows & (CHUNK - 1)) == 0 &&
          g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;

      g_array_append_val (r.fids, fid);

      if (blob != NULL && gis_blob_get_point (blob, blob_len, &px, &py))
        reader_add_point (&r, px, py);
      else
        {
          gsize wkb_len = 0;
          g_autofree guint8 *wkb = blob != NULL ? gis_blob_to_wkb (blob, blob_len, &wkb_len, NULL) : NULL;

          reader_add_wkb (&r, wkb, wkb_len);
        }

      if (has_time)
        {
          gint64 t = parse_time ((const char *) sqlite3_column_text (stmt, 2),
                                 (gsize) sqlite3_column_bytes (stmt, 2));

          g_array_append_val (r.times, t);
        }

      for (guint i = 0; i < columns->len; i++)
        read_column_value (g_ptr_array_index (columns, i), &readers[i], stmt,
                           first_field_col + (int) i);
    }

  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, store_path);
      goto fail;
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_object (&store);

  self = reader_steal (&r, layer_id, display_crs);
  self->columns = g_steal_pointer (&columns);
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *c = g_ptr_array_index (self->columns, i);

      if (c->kind == GIS_COLUMN_NUMERIC)
        c->numbers = (double *) (void *) g_array_free (readers[i].numbers, FALSE);
      else
        {
          c->ids = (guint32 *) (void *) g_array_free (readers[i].ids, FALSE);
          g_hash_table_unref (readers[i].index);
        }
    }

  storage = gis_crs_new_storage ();
  if (!finish_layer_data (self, storage, cancellable, error))
    {
      gis_layer_data_unref (self);
      return NULL;
    }
  return self;

fail:
  reader_clear (&r);
  for (guint i = 0; i < columns->len; i++)
    {
      g_clear_pointer (&readers[i].numbers, g_array_unref);
      g_clear_pointer (&readers[i].ids, g_array_unref);
      g_clear_pointer (&readers[i].index, g_hash_table_unref);
    }
  return NULL;
}

/**
 * gis_layer_data_new_from_wkb:
 * @wkb: (element-type GBytes): one geometry per feature, as
 *   little-endian 2D WKB (what gis_cursor_get_wkb() returns); a %NULL
 *   element, or WKB that cannot be read, is a feature without geometry
 * @wkb_crs: (nullable): the CRS of the coordinates; %NULL for the
 *   storage CRS (EPSG:4326, longitude first)
 * @display_crs: the CRS to project the features to
 * @error: return location for a #GIS_ERROR_CRS error
 *
 * Layer data for geometries that are not a layer of a store, such as
 * the result of a query, to draw and hit-test like a layer.  Feature i
 * is element i of @wkb and has fid i; the data has no layer id (-1), no
 * columns and no times.  Like gis_layer_data_load(), it runs on any
 * thread.
 *
 * Returns: (transfer full) (nullable): the data
 */
GisLayerData *
gis_layer_data_new_from_wkb (GPtrArray  *wkb,
                             GisCrs     *wkb_crs,
                             GisCrs     *display_crs,
                             GError    **error)
{
  g_autoptr(GisCrs) storage = NULL;
  GisLayerData *self;
  Reader r = { 0 };

  g_return_val_if_fail (wkb != NULL, NULL);
  g_return_val_if_fail (display_crs != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader_init (&r, wkb->len, FALSE);
  for (guint i = 0; i < wkb->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (wkb, i);
      gint64 fid = i;
      gsize len = 0;
      const guint8 *p = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

      g_array_append_val (r.fids, fid);
      reader_add_wkb (&r, p, len);
    }

  self = reader_steal (&r, -1, display_crs);
  self->columns = g_ptr_array_new_with_free_func (column_free);
  if (wkb_crs == NULL)
    wkb_crs = storage = gis_crs_new_storage ();
  if (!finish_layer_data (self, wkb_crs, NULL, error))
    {
      gis_layer_data_unref (self);
      return NULL;
    }
  return self;
}

typedef struct
{
  char    *store_path;
  gint64   layer_id;
  GisCrs  *crs;
  char   **fields;
} LoadData;

static void
load_data_free (gpointer p)
{
  LoadData *d = p;

  g_free (d->store_path);
  g_clear_pointer (&d->crs, gis_crs_unref);
  g_strfreev (d->fields);
  g_free (d);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *d = task_data;
  GError *error = NULL;
  GisLayerData *data;

  data = gis_layer_data_load (d->store_path, d->layer_id, d->crs,
                              (const char *const *) d->fields, cancellable, &error);
  if (data == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, data, (GDestroyNotify) gis_layer_data_unref);
}

/**
 * gis_layer_data_load_async:
 * @store_path: the store file
 * @layer_id: the layer's id
 * @display_crs: the CRS to project to
 * @fields: (nullable) (array zero-terminated=1): attribute columns to keep
 * @cancellable: (nullable): a cancellable
 * @callback: called on the calling thread's main context
 * @user_data: closure
 *
 * gis_layer_data_load() on a worker thread.
 */
void
gis_layer_data_load_async (const char          *store_path,
                           gint64               layer_id,
                           GisCrs              *display_crs,
                           const char *const   *fields,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *d;

  g_return_if_fail (store_path != NULL);
  g_return_if_fail (display_crs != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gis_layer_data_load_async);
  d = g_new0 (LoadData, 1);
  d->store_path = g_strdup (store_path);
  d->layer_id = layer_id;
  d->crs = gis_crs_ref (display_crs);
  d->fields = g_strdupv ((char **) fields);
  g_task_set_task_data (task, d, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

/**
 * gis_layer_data_load_finish:
 *
 * Returns: (transfer full) (nullable): the layer's data
 */
GisLayerData *
gis_layer_data_load_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gis_layer_data_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- access -------------------------------------------------------------- */

gint64
gis_layer_data_get_layer_id (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, 0);
  return data->layer_id;
}

/**
 * gis_layer_data_get_crs:
 *
 * Returns: (transfer none): the CRS of the coordinates
 */
GisCrs *
gis_layer_data_get_crs (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return data->crs;
}

/**
 * gis_layer_data_get_extent:
 *
 * Returns: (transfer none): the extent of the features in the display
 *   CRS; empty when no feature can be shown
 */
const GisExtent *
gis_layer_data_get_extent (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return &data->extent;
}

/**
 * gis_layer_data_is_point_layer:
 *
 * Returns: %TRUE if every feature is a single point (or has no
 *   geometry): feature i is coordinate i, and there are no parts
 */
gboolean
gis_layer_data_is_point_layer (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, FALSE);
  return data->single_points;
}

guint
gis_layer_data_get_n_features (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, 0);
  return data->n;
}

/**
 * gis_layer_data_get_fids:
 *
 * Returns: (transfer none) (array): the feature ids, ascending, one per
 *   feature index
 */
const gint64 *
gis_layer_data_get_fids (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return data->fids;
}

/**
 * gis_layer_data_find_fid:
 * @data: layer data
 * @fid: a feature id
 * @out_index: (out) (optional): its feature index
 *
 * Returns: %TRUE if the layer has a feature @fid
 */
gboolean
gis_layer_data_find_fid (GisLayerData *data,
                         gint64        fid,
                         guint        *out_index)
{
  guint lo = 0, hi;

  g_return_val_if_fail (data != NULL, FALSE);

  hi = data->n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (data->fids[mid] < fid)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < data->n && data->fids[lo] == fid)
    {
      if (out_index != NULL)
        *out_index = lo;
      return TRUE;
    }
  return FALSE;
}

GisFeatureKind
gis_layer_data_get_feature_kind (GisLayerData *data,
                                 guint         index)
{
  g_return_val_if_fail (data != NULL, GIS_FEATURE_NONE);
  g_return_val_if_fail (index < data->n, GIS_FEATURE_NONE);

  if (data->single_points)
    return isfinite (data->x[index]) ? GIS_FEATURE_POINT : GIS_FEATURE_NONE;
  return (GisFeatureKind) data->kinds[index];
}

/**
 * gis_layer_data_get_feature_extent:
 * @data: layer data
 * @index: a feature index
 * @out_extent: (out): its bounding box; empty without geometry
 */
void
gis_layer_data_get_feature_extent (GisLayerData *data,
                                   guint         index,
                                   GisExtent    *out_extent)
{
  g_return_if_fail (data != NULL);
  g_return_if_fail (index < data->n);
  g_return_if_fail (out_extent != NULL);

  if (gis_layer_data_get_feature_kind (data, index) == GIS_FEATURE_NONE)
    {
      gis_extent_init_empty (out_extent);
      return;
    }
  if (data->single_points)
    {
      out_extent->min_x = out_extent->max_x = data->x[index];
      out_extent->min_y = out_extent->max_y = data->y[index];
      return;
    }
  out_extent->min_x = data->bbox[4 * (gsize) index];
  out_extent->min_y = data->bbox[4 * (gsize) index + 1];
  out_extent->max_x = data->bbox[4 * (gsize) index + 2];
  out_extent->max_y = data->bbox[4 * (gsize) index + 3];
}

/**
 * gis_layer_data_get_x:
 *
 * Returns: (transfer none): x of every coordinate in the display CRS
 *   (NaN or infinite where a point could not be projected)
 */
const double *
gis_layer_data_get_x (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return data->x;
}

/**
 * gis_layer_data_get_y:
 *
 * Returns: (transfer none): y of every coordinate in the display CRS
 */
const double *
gis_layer_data_get_y (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return data->y;
}

guint
gis_layer_data_get_n_coords (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, 0);
  return data->n_coords;
}

/**
 * gis_layer_data_get_parts:
 * @data: layer data
 * @index: a feature index
 * @out_first_part: (out): its first part
 * @out_n_parts: (out): how many parts it has
 *
 * In a point layer (gis_layer_data_is_point_layer()) part i is feature i.
 */
void
gis_layer_data_get_parts (GisLayerData *data,
                          guint         index,
                          guint        *out_first_part,
                          guint        *out_n_parts)
{
  g_return_if_fail (data != NULL);
  g_return_if_fail (index < data->n);

  if (data->single_points)
    {
      *out_first_part = index;
      *out_n_parts = isfinite (data->x[index]) ? 1 : 0;
      return;
    }
  *out_first_part = data->feature_parts[index];
  *out_n_parts = data->feature_parts[index + 1] - data->feature_parts[index];
}

/**
 * gis_layer_data_get_part:
 * @data: layer data
 * @part: a part index from gis_layer_data_get_parts()
 * @out_first_coord: (out): its first coordinate
 * @out_n_coords: (out): its number of coordinates (rings are closed: the
 *   last coordinate repeats the first)
 */
void
gis_layer_data_get_part (GisLayerData *data,
                         guint         part,
                         guint        *out_first_coord,
                         guint        *out_n_coords)
{
  g_return_if_fail (data != NULL);

  if (data->single_points)
    {
      g_return_if_fail (part < data->n);
      *out_first_coord = part;
      *out_n_coords = 1;
      return;
    }
  g_return_if_fail (part < data->n_parts);
  *out_first_coord = data->part_coords[part];
  *out_n_coords = data->part_coords[part + 1] - data->part_coords[part];
}

gboolean
gis_layer_data_has_time (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, FALSE);
  return data->times != NULL;
}

/**
 * gis_layer_data_get_times:
 *
 * Returns: (transfer none) (nullable): occurred_at of every feature in
 *   seconds since the Unix epoch, %GIS_LAYER_DATA_NO_TIME where NULL;
 *   %NULL when the layer has no occurred_at column
 */
const gint64 *
gis_layer_data_get_times (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, NULL);
  return data->times;
}

guint
gis_layer_data_get_n_columns (GisLayerData *data)
{
  g_return_val_if_fail (data != NULL, 0);
  return data->columns->len;
}

/**
 * gis_layer_data_find_column:
 *
 * Returns: the index of the column of @field, or -1 if it was not loaded
 */
int
gis_layer_data_find_column (GisLayerData *data,
                            const char   *field)
{
  g_return_val_if_fail (data != NULL, -1);

  if (field == NULL)
    return -1;
  for (guint i = 0; i < data->columns->len; i++)
    if (strcmp (((Column *) g_ptr_array_index (data->columns, i))->name, field) == 0)
      return (int) i;
  return -1;
}

/**
 * gis_layer_data_get_column_name:
 *
 * Returns: (transfer none): the field of @column
 */
const char *
gis_layer_data_get_column_name (GisLayerData *data,
                                guint         column)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (column < data->columns->len, NULL);
  return ((Column *) g_ptr_array_index (data->columns, column))->name;
}

GisColumnKind
gis_layer_data_get_column_kind (GisLayerData *data,
                                guint         column)
{
  g_return_val_if_fail (data != NULL, GIS_COLUMN_TEXT);
  g_return_val_if_fail (column < data->columns->len, GIS_COLUMN_TEXT);
  return ((Column *) g_ptr_array_index (data->columns, column))->kind;
}

/**
 * gis_layer_data_get_numbers:
 *
 * Returns: (transfer none) (nullable): one value per feature, NaN for
 *   NULL; %NULL for a text column
 */
const double *
gis_layer_data_get_numbers (GisLayerData *data,
                            guint         column)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (column < data->columns->len, NULL);
  return ((Column *) g_ptr_array_index (data->columns, column))->numbers;
}

/**
 * gis_layer_data_get_string_ids:
 *
 * Returns: (transfer none) (nullable): one string id per feature,
 *   %GIS_LAYER_DATA_NULL_STRING for NULL; %NULL for a numeric column
 */
const guint32 *
gis_layer_data_get_string_ids (GisLayerData *data,
                               guint         column)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (column < data->columns->len, NULL);
  return ((Column *) g_ptr_array_index (data->columns, column))->ids;
}

/**
 * gis_layer_data_get_n_strings:
 *
 * Returns: the number of distinct values of a text column (0 for a
 *   numeric one); string ids go from 0 to this - 1, in order of first
 *   appearance
 */
guint
gis_layer_data_get_n_strings (GisLayerData *data,
                              guint         column)
{
  Column *c;

  g_return_val_if_fail (data != NULL, 0);
  g_return_val_if_fail (column < data->columns->len, 0);
  c = g_ptr_array_index (data->columns, column);
  return c->strings != NULL ? c->strings->len : 0;
}

/**
 * gis_layer_data_get_string:
 *
 * Returns: (transfer none) (nullable): the text of a string id, %NULL
 *   for %GIS_LAYER_DATA_NULL_STRING
 */
const char *
gis_layer_data_get_string (GisLayerData *data,
                           guint         column,
                           guint32       string_id)
{
  Column *c;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (column < data->columns->len, NULL);
  c = g_ptr_array_index (data->columns, column);
  if (c->strings == NULL || string_id >= c->strings->len)
    return NULL;
  return g_ptr_array_index (c->strings, string_id);
}

/**
 * gis_layer_data_format_value:
 * @data: layer data
 * @column: a column
 * @index: a feature index
 *
 * Returns: (transfer full) (nullable): the value as text (numbers as
 *   %.15g, without a trailing ".0"), %NULL for NULL
 */
char *
gis_layer_data_format_value (GisLayerData *data,
                             guint         column,
                             guint         index)
{
  Column *c;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (column < data->columns->len, NULL);
  g_return_val_if_fail (index < data->n, NULL);

  c = g_ptr_array_index (data->columns, column);
  if (c->kind == GIS_COLUMN_NUMERIC)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      if (isnan (c->numbers[index]))
        return NULL;
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g", c->numbers[index]));
    }
  if (c->ids[index] == GIS_LAYER_DATA_NULL_STRING)
    return NULL;
  return g_strdup (g_ptr_array_index (c->strings, c->ids[index]));
}

/* ---- queries ------------------------------------------------------------- */

static inline gboolean
box_contains (const GisExtent *outer,
              const GisExtent *inner)
{
  return outer->min_x <= inner->min_x && outer->max_x >= inner->max_x &&
         outer->min_y <= inner->min_y && outer->max_y >= inner->max_y;
}

static int
compare_guint32 (const void *a,
                 const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

/**
 * gis_layer_data_query_box:
 * @data: layer data
 * @box: a box in the display CRS (edges included)
 * @out_indices: (element-type guint32): the indices of the features
 *   whose bounding box meets @box are appended
 *
 * Each feature is appended once.  The features of a line or polygon
 * layer come in feature (fid) order, which is their drawing order; those
 * of a point layer in fid order when @box holds the whole layer, else
 * grouped by grid cell.
 */
void
gis_layer_data_query_box (GisLayerData    *data,
                          const GisExtent *box,
                          GArray          *out_indices)
{
  const Grid *g;
  guint cx0, cx1, cy0, cy1;
  guint first;
  g_autofree guint8 *seen = NULL;

  g_return_if_fail (data != NULL);
  g_return_if_fail (box != NULL);
  g_return_if_fail (out_indices != NULL);
  g_return_if_fail (g_array_get_element_size (out_indices) == sizeof (guint32));

  if (data->n_valid == 0 || gis_extent_is_empty (box) ||
      !gis_extent_intersects (box, &data->extent))
    return;

  first = out_indices->len;

  if (box_contains (box, &data->extent))
    {
      if (data->n_valid == data->n)
        {
          g_array_set_size (out_indices, first + data->n);
          for (guint i = 0; i < data->n; i++)
            g_array_index (out_indices, guint32, first + i) = i;
        }
      else
        for (guint i = 0; i < data->n; i++)
          if (gis_layer_data_get_feature_kind (data, i) != GIS_FEATURE_NONE)
            g_array_append_val (out_indices, i);
      return;
    }

  g = &data->grid;
  cx0 = grid_cx (g, box->min_x);
  cx1 = grid_cx (g, box->max_x);
  cy0 = grid_cy (g, box->min_y);
  cy1 = grid_cy (g, box->max_y);
  if (g->multi && (cx0 != cx1 || cy0 != cy1))
    seen = g_malloc0 (data->n / 8 + 1);

  for (guint cy = cy0; cy <= cy1; cy++)
    {
      /* rows of cells strictly inside the box need no test on y, columns
       * strictly inside none on x (the outer cells reach past the grid) */
      double margin = g->cell * 1e-9;
      double cell_y0 = g->y0 + cy * g->cell, cell_y1 = cell_y0 + g->cell;
      gboolean y_inside = cy > 0 && cy < g->ny - 1 &&
                          cell_y0 - margin > box->min_y && cell_y1 + margin < box->max_y;

      for (guint cx = cx0; cx <= cx1; cx++)
        {
          double cell_x0 = g->x0 + cx * g->cell, cell_x1 = cell_x0 + g->cell;
          gboolean inside = y_inside && cx > 0 && cx < g->nx - 1 &&
                            cell_x0 - margin > box->min_x && cell_x1 + margin < box->max_x;
          guint c = cy * g->nx + cx;
          const guint32 *items = g->items + g->start[c];
          guint count = g->start[c + 1] - g->start[c];

          if (count == 0)
            continue;

          if (data->single_points)
            {
              if (inside)
                g_array_append_vals (out_indices, items, count);
              else
                for (guint k = 0; k < count; k++)
                  {
                    guint32 i = items[k];
                    double x = data->x[i], y = data->y[i];

                    if (x >= box->min_x && x <= box->max_x && y >= box->min_y && y <= box->max_y)
                      g_array_append_val (out_indices, i);
                  }
              continue;
            }

          for (guint k = 0; k < count; k++)
            {
              guint32 i = items[k];
              const double *b = data->bbox + 4 * (gsize) i;

              if (seen != NULL)
                {
                  if (seen[i >> 3] & (1u << (i & 7)))
                    continue;
                }
              if (b[0] <= box->max_x && b[2] >= box->min_x && b[1] <= box->max_y && b[3] >= box->min_y)
                {
                  if (seen != NULL)
                    seen[i >> 3] |= (guint8) (1u << (i & 7));
                  g_array_append_val (out_indices, i);
                }
            }
        }
    }

  if (!data->single_points && out_indices->len - first > 1)
    qsort (&g_array_index (out_indices, guint32, first), out_indices->len - first,
           sizeof (guint32), compare_guint32);
}

static double
segment_distance2 (double px,
                   double py,
                   double ax,
                   double ay,
                   double bx,
                   double by)
{
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;
  double t = 0;

  if (len2 > 0)
    t = CLAMP (((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0);
  dx = ax + t * dx - px;
  dy = ay + t * dy - py;
  return dx * dx + dy * dy;
}

/* The distance from (x, y) to feature i, squared; 0 inside a polygon. */
static double
feature_distance2 (GisLayerData *data,
                   guint         i,
                   double        x,
                   double        y)
{
  GisFeatureKind kind = gis_layer_data_get_feature_kind (data, i);
  guint first_part, n_parts;
  double best = INFINITY;
  gboolean inside = FALSE;

  gis_layer_data_get_parts (data, i, &first_part, &n_parts);
  for (guint p = first_part; p < first_part + n_parts; p++)
    {
      guint c0, nc;
      const double *vx, *vy;

      gis_layer_data_get_part (data, p, &c0, &nc);
      vx = data->x + c0;
      vy = data->y + c0;

      switch (kind)
        {
        case GIS_FEATURE_POINT:
          for (guint k = 0; k < nc; k++)
            best = MIN (best, (vx[k] - x) * (vx[k] - x) + (vy[k] - y) * (vy[k] - y));
          break;

        case GIS_FEATURE_LINE:
          if (nc == 1)
            best = MIN (best, (vx[0] - x) * (vx[0] - x) + (vy[0] - y) * (vy[0] - y));
          for (guint k = 0; k + 1 < nc; k++)
            best = MIN (best, segment_distance2 (x, y, vx[k], vy[k], vx[k + 1], vy[k + 1]));
          break;

        case GIS_FEATURE_POLYGON:
          /* even-odd crossings over every ring of the feature */
          for (guint k = 0, j = nc - 1; k < nc; j = k++)
            if ((vy[k] > y) != (vy[j] > y) &&
                x < (vx[j] - vx[k]) * (y - vy[k]) / (vy[j] - vy[k]) + vx[k])
              inside = !inside;
          break;

        case GIS_FEATURE_NONE:
        default:
          break;
        }
    }
  if (kind == GIS_FEATURE_POLYGON)
    return inside ? 0 : INFINITY;
  return best;
}

typedef struct
{
  guint32 index;
  double  d2;
} Hit;

static int
compare_hits (const void *a,
              const void *b)
{
  const Hit *x = a, *y = b;

  if (x->d2 != y->d2)
    return x->d2 < y->d2 ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/**
 * gis_layer_data_hit_test:
 * @data: layer data
 * @map_x: x in the display CRS (a click)
 * @map_y: y in the display CRS
 * @tolerance_map_units: how near a point or line must be, in display CRS
 *   units (a few pixels times the view's resolution)
 * @out_indices: (element-type guint32): the indices of the features hit
 *   are appended, nearest first (polygons, which hit only when they
 *   contain the point, at distance 0), ties in feature order
 *
 * The features under a click: points and lines within @tolerance_map_units,
 * polygons containing (@map_x, @map_y) by the even-odd rule.  Exact, on
 * the display CRS coordinates.  Features without geometry never hit;
 * whether a feature is drawn (class, time) is the caller's to check
 * (gis_render_layer_is_visible()).
 */
void
gis_layer_data_hit_test (GisLayerData *data,
                         double        map_x,
                         double        map_y,
                         double        tolerance_map_units,
                         GArray       *out_indices)
{
  g_autoptr(GArray) candidates = NULL;
  g_autoptr(GArray) hits = NULL;
  GisExtent box;
  double tol, tol2;

  g_return_if_fail (data != NULL);
  g_return_if_fail (out_indices != NULL);
  g_return_if_fail (g_array_get_element_size (out_indices) == sizeof (guint32));

  if (!isfinite (map_x) || !isfinite (map_y))
    return;
  tol = MAX (tolerance_map_units, 0);
  tol2 = tol * tol;

  box.min_x = map_x - tol;
  box.max_x = map_x + tol;
  box.min_y = map_y - tol;
  box.max_y = map_y + tol;

  candidates = g_array_new (FALSE, FALSE, sizeof (guint32));
  gis_layer_data_query_box (data, &box, candidates);

  hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  for (guint k = 0; k < candidates->len; k++)
    {
      Hit h;

      h.index = g_array_index (candidates, guint32, k);
      h.d2 = feature_distance2 (data, h.index, map_x, map_y);
      if (h.d2 <= tol2)
        g_array_append_val (hits, h);
    }
  if (hits->len > 1)
    qsort (hits->data, hits->len, sizeof (Hit), compare_hits);
  for (guint k = 0; k < hits->len; k++)
    g_array_append_val (out_indices, g_array_index (hits, Hit, k).index);
}
