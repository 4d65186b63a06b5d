/* gis-import-preview.c: what a file holds, before importing it
 *
 * The preview asks the importer's own readers what an import would see
 * (gis_import_probe(): the same CSV column detection, type inference,
 * geometry type and CRS), then reads the first rows as text for display.
 * It opens the file read-only and writes nothing anywhere.  It may read
 * the whole of a CSV file (the importer infers types from every row): run
 * it on a worker thread, with a #GCancellable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-import-preview"

#include "config.h"

#include <cpl_error.h>
#include <errno.h>
#include <gdal.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <ogr_api.h>
#include <string.h>

#include "gis-crs.h"
#include "gis-csv-private.h"
#include "gis-date-private.h"
#include "gis-error.h"
#include "gis-import-preview.h"
#include "gis-import-private.h"
#include "gis-thread-private.h"

typedef struct
{
  char         *name;
  GisFieldType  type;
  gboolean      is_geometry;
} Column;

struct _GisImportPreview
{
  gatomicrefcount  ref_count;

  char            *path;
  gboolean         is_csv;
  GStrv            source_layers;
  char            *source_layer;
  char            *layer_name;
  char            *geometry_type;
  char            *crs_name;
  gint64           feature_count;

  GArray          *columns;      /* Column */
  GPtrArray       *rows;         /* char **, n_columns values each, NULL for NULL */

  char            *x_field;
  char            *y_field;
  char            *wkt_field;
  char             delimiter;
  gboolean         decimal_comma;
};

G_DEFINE_BOXED_TYPE (GisImportPreview, gis_import_preview,
                     gis_import_preview_ref, gis_import_preview_unref)

static void
column_clear (gpointer data)
{
  Column *c = data;

  g_free (c->name);
}

static void
row_free (gpointer data,
          gpointer n_columns)
{
  char **row = data;

  for (guint i = 0; i < GPOINTER_TO_UINT (n_columns); i++)
    g_free (row[i]);
  g_free (row);
}

/**
 * gis_import_preview_ref:
 * @self: a preview
 *
 * Returns: (transfer full): @self
 */
GisImportPreview *
gis_import_preview_ref (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * gis_import_preview_unref:
 * @self: (transfer full): a preview
 */
void
gis_import_preview_unref (GisImportPreview *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->path);
  g_strfreev (self->source_layers);
  g_free (self->source_layer);
  g_free (self->layer_name);
  g_free (self->geometry_type);
  g_free (self->crs_name);
  if (self->rows != NULL)
    {
      g_ptr_array_foreach (self->rows, row_free, GUINT_TO_POINTER (self->columns->len));
      g_ptr_array_unref (self->rows);
    }
  g_array_unref (self->columns);
  g_free (self->x_field);
  g_free (self->y_field);
  g_free (self->wkt_field);
  g_free (self);
}

static char *
display_text (const char *s,
              gsize       len)
{
  if (g_utf8_validate_len (s, len, NULL))
    return g_strndup (s, len);
  return g_utf8_make_valid (s, (gssize) len);
}

static void
add_column (GisImportPreview *self,
            GisImportProbe   *probe,
            const char       *name)
{
  Column c = { g_strdup (name), GIS_FIELD_TEXT, FALSE };
  gboolean found = FALSE;

  for (guint i = 0; i < probe->fields->len && !found; i++)
    {
      GisField *f = g_ptr_array_index (probe->fields, i);

      if (g_strcmp0 (f->name, name) == 0)
        {
          c.type = f->type;
          found = TRUE;
        }
    }
  if (!found && probe->wkt_field != NULL && g_strcmp0 (probe->wkt_field, name) == 0)
    c.is_geometry = TRUE;
  g_array_append_val (self->columns, c);
}

static gboolean
read_csv_rows (GisImportPreview        *self,
               GisImportProbe          *probe,
               const GisImportOptions  *options,
               guint                    max_rows,
               GError                 **error)
{
  g_autoptr(GisCsvReader) reader = NULL;
  const GisCsvField *fields;
  guint n_fields, n_columns;
  guint64 line;
  GisCsvStatus status;

  reader = gis_csv_reader_new (self->path, options->encoding, probe->delimiter, error);
  if (reader == NULL)
    return FALSE;

  n_columns = gis_csv_reader_get_n_columns (reader);
  for (guint i = 0; i < n_columns; i++)
    add_column (self, probe, gis_csv_reader_get_column (reader, i));

  while (self->rows->len < max_rows &&
         (status = gis_csv_reader_next (reader, &fields, &n_fields, &line)) != GIS_CSV_END)
    {
      char **row = g_new0 (char *, MAX (n_columns, 1));

      for (guint i = 0; i < n_columns && i < n_fields; i++)
        row[i] = display_text (fields[i].ptr, fields[i].len);
      g_ptr_array_add (self->rows, row);
      if (status != GIS_CSV_RECORD)
        break;
    }
  return TRUE;
}

static gboolean
read_ogr_rows (GisImportPreview  *self,
               GisImportProbe    *probe,
               guint              max_rows,
               GError           **error)
{
  GDALDatasetH ds;
  OGRLayerH layer;
  OGRFeatureDefnH defn;
  OGRFeatureH feature;
  guint n_columns;

  for (guint i = 0; i < probe->fields->len; i++)
    {
      GisField *f = g_ptr_array_index (probe->fields, i);
      Column c = { g_strdup (f->name), f->type, FALSE };

      g_array_append_val (self->columns, c);
    }
  n_columns = self->columns->len;
  if (max_rows == 0)
    return TRUE;

  CPLErrorReset ();
  ds = GDALOpenEx (self->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  if (ds == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("“%s” cannot be read"), self->path);

      gis_thread_set_gdal_error (error, GIS_ERROR_INVALID_INPUT, what);
      return FALSE;
    }

  layer = self->source_layer != NULL ? GDALDatasetGetLayerByName (ds, self->source_layer)
                                     : GDALDatasetGetLayer (ds, 0);
  if (layer == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("“%s” has no layer “%s”"),
                   self->path, self->source_layer != NULL ? self->source_layer : "");
      GDALClose (ds);
      return FALSE;
    }

  /* The importer reads every OGR field, in the layer's order. */
  defn = OGR_L_GetLayerDefn (layer);
  g_assert ((guint) OGR_FD_GetFieldCount (defn) == n_columns);

  OGR_L_ResetReading (layer);
  while (self->rows->len < max_rows && (feature = OGR_L_GetNextFeature (layer)) != NULL)
    {
      char **row = g_new0 (char *, MAX (n_columns, 1));

      for (guint i = 0; i < n_columns; i++)
        if (OGR_F_IsFieldSetAndNotNull (feature, (int) i))
          {
            const char *s = OGR_F_GetFieldAsString (feature, (int) i);

            row[i] = display_text (s, strlen (s));
          }
      g_ptr_array_add (self->rows, row);
      OGR_F_Destroy (feature);
    }

  GDALClose (ds);
  return TRUE;
}

/**
 * gis_import_preview:
 * @path: a vector file
 * @options: (nullable): import options; the preview uses the source layer,
 *   geometry columns, source CRS, encoding, delimiter and decimal comma
 * @max_rows: how many rows to read for display
 * @cancellable: (nullable): cancels a long read
 * @error: return location for a #GIS_ERROR error, naming the file
 *
 * Reads what an import of @path with @options would find, without
 * writing anything.  For a file of several layers without a source layer
 * in @options, previews the first.  Unlike an import, a CSV file without
 * recognisable geometry columns is previewed (its geometry type is
 * "NONE"), so that the user can name them.  May take a while on a large
 * CSV file (its types come from every row): call it off the main thread.
 *
 * Returns: (transfer full) (nullable): the preview
 */
GisImportPreview *
gis_import_preview (const char              *path,
                    const GisImportOptions  *options,
                    guint                    max_rows,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  g_autoptr(GisImportOptions) defaults = NULL;
  g_autoptr(GisImportPreview) self = NULL;
  g_autoptr(GisImportProbe) probe = NULL;
  GisImportOptions local;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (options == NULL)
    options = defaults = gis_import_options_new ();

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (S_ISREG (st.st_mode) && st.st_size == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is empty (0 bytes)"), path);
      return NULL;
    }

  self = g_new0 (GisImportPreview, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->path = g_strdup (path);
  self->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (self->columns, column_clear);
  self->rows = g_ptr_array_new ();
  self->is_csv = gis_import_is_csv_path (path);

  self->source_layers = gis_import_list_layers (path, error);
  if (self->source_layers == NULL)
    return NULL;
  if (self->source_layers[0] == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("“%s” holds no vector layer"), path);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* The caller's options, with the layer to preview (borrowed strings). */
  local = *options;
  if (!self->is_csv)
    {
      self->source_layer = g_strdup (options->source_layer != NULL ? options->source_layer
                                                                   : self->source_layers[0]);
      local.source_layer = self->source_layer;
    }

  probe = gis_import_probe (path, &local, cancellable, error);
  if (probe == NULL)
    return NULL;

  self->layer_name = g_strdup (probe->layer_name);
  self->geometry_type = g_strdup (probe->geometry_type);
  if (options->src_crs != NULL && *options->src_crs != '\0')
    {
      /* The name of the CRS the import will use, and a clear error now
       * rather than at import time. */
      g_autoptr(GisCrs) crs = gis_crs_new (options->src_crs, error);

      if (crs == NULL)
        return NULL;
      self->crs_name = g_strdup_printf ("%s (%s)", gis_crs_get_name (crs), options->src_crs);
    }
  else
    self->crs_name = g_strdup (probe->crs_name);
  self->feature_count = probe->n_features;
  self->x_field = g_strdup (probe->x_field);
  self->y_field = g_strdup (probe->y_field);
  self->wkt_field = g_strdup (probe->wkt_field);
  self->delimiter = probe->is_csv ? probe->delimiter : '\0';
  self->decimal_comma = probe->is_csv && probe->decimal_comma;

  if (probe->is_csv)
    {
      if (!read_csv_rows (self, probe, &local, max_rows, error))
        return NULL;
    }
  else if (!read_ogr_rows (self, probe, max_rows, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * gis_import_preview_get_path:
 * @self: a preview
 *
 * Returns: (transfer none): the file previewed
 */
const char *
gis_import_preview_get_path (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

/**
 * gis_import_preview_is_csv:
 * @self: a preview
 *
 * Returns: whether the file is read as CSV (its geometry comes from
 *   columns the user may choose)
 */
gboolean
gis_import_preview_is_csv (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->is_csv;
}

/**
 * gis_import_preview_get_source_layers:
 * @self: a preview
 *
 * Returns: (transfer none): the names of every layer of the file (one for
 *   a CSV file)
 */
const char * const *
gis_import_preview_get_source_layers (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->source_layers;
}

/**
 * gis_import_preview_get_source_layer:
 * @self: a preview
 *
 * Returns: (transfer none) (nullable): the layer previewed; %NULL for CSV
 */
const char *
gis_import_preview_get_source_layer (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->source_layer;
}

/**
 * gis_import_preview_get_layer_name:
 * @self: a preview
 *
 * Returns: (transfer none): the name an import gives the new layer by
 *   default
 */
const char *
gis_import_preview_get_layer_name (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->layer_name;
}

/**
 * gis_import_preview_get_geometry_type:
 * @self: a preview
 *
 * Returns: (transfer none): the new layer's geometry type ("POINT",
 *   "MULTIPOLYGON"…), or "NONE"
 */
const char *
gis_import_preview_get_geometry_type (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->geometry_type;
}

/**
 * gis_import_preview_get_crs_name:
 * @self: a preview
 *
 * Returns: (transfer none) (nullable): the source CRS, as the file states
 *   it or as @options gave it; %NULL when neither says (an import then
 *   reads WGS 84 longitude, latitude)
 */
const char *
gis_import_preview_get_crs_name (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->crs_name;
}

/**
 * gis_import_preview_get_feature_count:
 * @self: a preview
 *
 * Returns: the number of rows or features, or -1 when the format would
 *   need a full read to say
 */
gint64
gis_import_preview_get_feature_count (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->feature_count;
}

/**
 * gis_import_preview_get_n_columns:
 * @self: a preview
 *
 * Returns: the number of columns: every CSV column, or every field of
 *   the source layer
 */
guint
gis_import_preview_get_n_columns (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->columns->len;
}

/**
 * gis_import_preview_get_column_name:
 * @self: a preview
 * @column: a column index
 *
 * Returns: (transfer none): the column's name in the file
 */
const char *
gis_import_preview_get_column_name (GisImportPreview *self,
                                    guint             column)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return g_array_index (self->columns, Column, column).name;
}

/**
 * gis_import_preview_get_column_type:
 * @self: a preview
 * @column: a column index
 *
 * Returns: the type an import would give the column (inferred from the
 *   values of a CSV file)
 */
GisFieldType
gis_import_preview_get_column_type (GisImportPreview *self,
                                    guint             column)
{
  g_return_val_if_fail (self != NULL, GIS_FIELD_TEXT);
  g_return_val_if_fail (column < self->columns->len, GIS_FIELD_TEXT);
  return g_array_index (self->columns, Column, column).type;
}

/**
 * gis_import_preview_column_is_geometry:
 * @self: a preview
 * @column: a column index
 *
 * Returns: whether the column is the CSV WKT geometry (which becomes the
 *   geometry, not an attribute)
 */
gboolean
gis_import_preview_column_is_geometry (GisImportPreview *self,
                                       guint             column)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (column < self->columns->len, FALSE);
  return g_array_index (self->columns, Column, column).is_geometry;
}

/**
 * gis_import_preview_find_column:
 * @self: a preview
 * @name: a column name
 *
 * Returns: the index of the column named @name, or -1
 */
int
gis_import_preview_find_column (GisImportPreview *self,
                                const char       *name)
{
  g_return_val_if_fail (self != NULL, -1);

  if (name == NULL)
    return -1;
  for (guint i = 0; i < self->columns->len; i++)
    if (g_strcmp0 (g_array_index (self->columns, Column, i).name, name) == 0)
      return (int) i;
  return -1;
}

/**
 * gis_import_preview_get_n_rows:
 * @self: a preview
 *
 * Returns: the number of rows read for display, at most the max_rows
 *   given to gis_import_preview()
 */
guint
gis_import_preview_get_n_rows (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rows->len;
}

/**
 * gis_import_preview_get_value:
 * @self: a preview
 * @row: a row index, below gis_import_preview_get_n_rows()
 * @column: a column index
 *
 * Returns: (transfer none) (nullable): the value as text; "" for an empty
 *   CSV field, %NULL for a null field or a short row
 */
const char *
gis_import_preview_get_value (GisImportPreview *self,
                              guint             row,
                              guint             column)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return ((char **) g_ptr_array_index (self->rows, row))[column];
}

/**
 * gis_import_preview_get_x_field:
 * @self: a preview
 *
 * Returns: (transfer none) (nullable): the CSV column of longitudes or
 *   eastings, as given or as the importer detects it
 */
const char *
gis_import_preview_get_x_field (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->x_field;
}

/**
 * gis_import_preview_get_y_field:
 * @self: a preview
 *
 * Returns: (transfer none) (nullable): the CSV column of latitudes or
 *   northings
 */
const char *
gis_import_preview_get_y_field (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->y_field;
}

/**
 * gis_import_preview_get_wkt_field:
 * @self: a preview
 *
 * Returns: (transfer none) (nullable): the CSV column of WKT geometries
 */
const char *
gis_import_preview_get_wkt_field (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->wkt_field;
}

/**
 * gis_import_preview_get_delimiter:
 * @self: a preview
 *
 * Returns: the CSV delimiter, given or detected; 0 for other formats
 */
char
gis_import_preview_get_delimiter (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, '\0');
  return self->delimiter;
}

/**
 * gis_import_preview_get_decimal_comma:
 * @self: a preview
 *
 * Returns: whether the CSV numbers are read with a decimal comma
 */
gboolean
gis_import_preview_get_decimal_comma (GisImportPreview *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->decimal_comma;
}

/**
 * gis_import_preview_parse_date:
 * @text: a date as the file writes it
 * @format: (nullable): strptime directives, as #GisImportOptions:date_format;
 *   %NULL or "" for ISO 8601
 * @error: return location for a #GIS_ERROR_INVALID_INPUT error
 *
 * Normalises @text the way an import does, for an example beside the
 * date format.
 *
 * Returns: (transfer full) (nullable): "YYYY-MM-DDTHH:MM:SSZ"
 */
char *
gis_import_preview_parse_date (const char  *text,
                               const char  *format,
                               GError     **error)
{
  char iso[GIS_DATE_ISO_LEN];
  g_autofree char *bad = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (format != NULL && *format == '\0')
    format = NULL;

  if (format != NULL && !gis_date_format_is_valid (format, &bad))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The date format “%s” has a directive Atalaya does not know: %s"),
                   format, bad);
      return NULL;
    }

  if (!gis_date_parse (text, strlen (text), format, iso))
    {
      if (format != NULL)
        g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                     _("“%s” is not a date in the format “%s”"), text, format);
      else
        g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                     _("“%s” is not an ISO 8601 date (state the date format)"), text);
      return NULL;
    }

  return g_strdup (iso);
}
