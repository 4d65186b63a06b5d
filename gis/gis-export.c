/* gis-export.c: layers and query results to GIS files through OGR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-export"

#include "config.h"

#include <inttypes.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <string.h>

#include "gis-crs.h"
#include "gis-cursor.h"
#include "gis-error.h"
#include "gis-export.h"
#include "gis-raster.h"
#include "gis-sql-private.h"
#include "gis-thread-private.h"

#define SAMPLE_ROWS 1000
#define CHECK_EVERY 4096

GisExportOptions *
gis_export_options_new (void)
{
  return g_new0 (GisExportOptions, 1);
}

void
gis_export_options_free (GisExportOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->crs);
  g_free (options->layer_name);
  g_free (options);
}

static const struct {
  GisExportFormat format;
  const char *name;
  const char *driver;
  const char *ext;
} formats[] = {
  { GIS_EXPORT_FORMAT_GPKG, "gpkg", "GPKG", ".gpkg" },
  { GIS_EXPORT_FORMAT_GEOJSON, "geojson", "GeoJSON", ".geojson" },
  { GIS_EXPORT_FORMAT_GEOJSON, "json", "GeoJSON", ".json" },
  { GIS_EXPORT_FORMAT_SHAPEFILE, "shp", "ESRI Shapefile", ".shp" },
  { GIS_EXPORT_FORMAT_SHAPEFILE, "shapefile", "ESRI Shapefile", ".shp" },
  { GIS_EXPORT_FORMAT_CSV, "csv", "CSV", ".csv" },
  { GIS_EXPORT_FORMAT_KML, "kml", "KML", ".kml" },
  { GIS_EXPORT_FORMAT_GEOTIFF, "geotiff", "GTiff", ".tif" },
  { GIS_EXPORT_FORMAT_GEOTIFF, "tif", "GTiff", ".tiff" },
};

gboolean
gis_export_format_from_string (const char      *str,
                               GisExportFormat *out_format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strcasecmp (str, formats[i].name) == 0 ||
        g_ascii_strcasecmp (str, formats[i].driver) == 0)
      {
        *out_format = formats[i].format;
        return TRUE;
      }
  return FALSE;
}

GisExportFormat
gis_export_format_from_path (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_has_suffix (lower, formats[i].ext))
      return formats[i].format;
  return GIS_EXPORT_FORMAT_AUTO;
}

static const char *
driver_for (GisExportFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].format == format)
      return formats[i].driver;
  return NULL;
}

typedef struct
{
  char          *name;
  OGRFieldType   type;
  guint          column;
  int            ogr_index;   /* where the driver put it */
} OutField;

typedef struct
{
  int                 geom_col;     /* -1: none */
  int                 fid_col;      /* -1: none */
  OGRwkbGeometryType  geom_type;
  GArray             *fields;       /* OutField */
} Plan;

static void
plan_clear (Plan *plan)
{
  if (plan->fields != NULL)
    {
      for (guint i = 0; i < plan->fields->len; i++)
        g_free (g_array_index (plan->fields, OutField, i).name);
      g_array_unref (plan->fields);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Plan, plan_clear)

static OGRwkbGeometryType
geometry_type_from_name (const char *name)
{
  static const struct { const char *name; OGRwkbGeometryType type; } names[] = {
    { "POINT", wkbPoint }, { "MULTIPOINT", wkbMultiPoint },
    { "LINESTRING", wkbLineString }, { "MULTILINESTRING", wkbMultiLineString },
    { "POLYGON", wkbPolygon }, { "MULTIPOLYGON", wkbMultiPolygon },
    { "GEOMETRYCOLLECTION", wkbGeometryCollection }, { "GEOMETRY", wkbUnknown },
  };

  if (name == NULL)
    return wkbNone;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i].name) == 0)
      return names[i].type;
  return wkbNone;
}

/* Looks at the declared types and at the first rows to decide which
 * column is the geometry and what type each field gets. */
static gboolean
make_plan (GisStore     *store,
           const char   *sql,
           GCancellable *cancellable,
           Plan         *plan,
           GError      **error)
{
  g_autoptr(GisCursor) cursor = gis_store_query (store, sql, error);
  g_autofree guint *seen = NULL;   /* bit per GisValueType */
  guint n, rows = 0;
  OGRwkbGeometryType seen_geom = wkbNone;
  gboolean mixed_geom = FALSE;

  if (cursor == NULL)
    return FALSE;

  n = gis_cursor_get_n_columns (cursor);
  seen = g_new0 (guint, n);
  plan->geom_col = -1;
  plan->fid_col = -1;
  plan->geom_type = wkbUnknown;

  for (guint i = 0; i < n && plan->geom_col < 0; i++)
    {
      OGRwkbGeometryType t = geometry_type_from_name (gis_cursor_get_column_decltype (cursor, i));

      if (t != wkbNone)
        {
          plan->geom_col = (int) i;
          plan->geom_type = t;
        }
    }

  while (rows < SAMPLE_ROWS && gis_cursor_next (cursor, cancellable, error))
    {
      rows++;
      for (guint i = 0; i < n; i++)
        {
          GisValueType vt = gis_cursor_get_value_type (cursor, i);

          seen[i] |= 1u << vt;
          if (vt == GIS_VALUE_GEOMETRY && (plan->geom_col < 0 || plan->geom_col == (int) i))
            {
              g_autofree guint8 *wkb = NULL;
              gsize len;

              plan->geom_col = (int) i;
              wkb = gis_cursor_get_wkb (cursor, i, &len, NULL);
              if (wkb != NULL && len >= 5)
                {
                  guint32 t;

                  memcpy (&t, wkb + 1, 4);
                  t = GUINT32_FROM_LE (t);
                  if (seen_geom == wkbNone)
                    seen_geom = (OGRwkbGeometryType) t;
                  else if (seen_geom != (OGRwkbGeometryType) t)
                    mixed_geom = TRUE;
                }
            }
        }
    }
  if (error != NULL && *error != NULL)
    return FALSE;

  if (plan->geom_col >= 0 && plan->geom_type == wkbUnknown && seen_geom != wkbNone && !mixed_geom)
    plan->geom_type = seen_geom;

  plan->fields = g_array_new (FALSE, FALSE, sizeof (OutField));
  for (guint i = 0; i < n; i++)
    {
      const char *name = gis_cursor_get_column_name (cursor, i);
      const char *decl = gis_cursor_get_column_decltype (cursor, i);
      g_autofree char *decl_up = g_ascii_strup (decl ? decl : "", -1);
      OutField f = { NULL, OFTString, i, -1 };

      if ((int) i == plan->geom_col)
        continue;
      if (plan->fid_col < 0 && g_ascii_strcasecmp (name, "fid") == 0 &&
          (seen[i] & ~((1u << GIS_VALUE_INTEGER) | (1u << GIS_VALUE_NULL))) == 0)
        {
          plan->fid_col = (int) i;
          continue;
        }
      if (seen[i] & (1u << GIS_VALUE_GEOMETRY))
        continue;   /* a second geometry column: formats hold one */

      if (strstr (decl_up, "INT") != NULL)
        f.type = OFTInteger64;
      else if (strstr (decl_up, "REAL") || strstr (decl_up, "FLOA") || strstr (decl_up, "DOUB"))
        f.type = OFTReal;
      else if (strstr (decl_up, "TEXT") || strstr (decl_up, "CHAR") || strstr (decl_up, "CLOB"))
        f.type = OFTString;
      else if (strstr (decl_up, "BLOB"))
        f.type = OFTBinary;
      else if ((seen[i] & ~((1u << GIS_VALUE_INTEGER) | (1u << GIS_VALUE_NULL))) == 0 &&
               (seen[i] & (1u << GIS_VALUE_INTEGER)))
        f.type = OFTInteger64;
      else if ((seen[i] & ~((1u << GIS_VALUE_INTEGER) | (1u << GIS_VALUE_REAL) |
                            (1u << GIS_VALUE_NULL))) == 0 &&
               (seen[i] & (1u << GIS_VALUE_REAL)))
        f.type = OFTReal;
      else if ((seen[i] & ~((1u << GIS_VALUE_BLOB) | (1u << GIS_VALUE_NULL))) == 0 &&
               (seen[i] & (1u << GIS_VALUE_BLOB)))
        f.type = OFTBinary;

      f.name = g_strdup (name);
      g_array_append_val (plan->fields, f);
    }

  return TRUE;
}

static void
delete_output (GDALDriverH  driver,
               const char  *path)
{
  CPLPushErrorHandler (CPLQuietErrorHandler);
  if (driver == NULL || GDALDeleteDataset (driver, path) != CE_None)
    g_unlink (path);
  CPLPopErrorHandler ();
}

typedef struct
{
  int                          srid;
  OGRCoordinateTransformationH ct;
} SridTransform;

static gboolean
export_sql (GisStore               *store,
            const char             *sql,
            const char             *path,
            const char             *default_layer_name,
            gint64                  total,
            const GisExportOptions *options,
            GisProgressFunc         progress,
            gpointer                progress_data,
            GCancellable           *cancellable,
            guint64                *out_count,
            GError                **error)
{
  g_auto(Plan) plan = { 0 };
  g_autoptr(GisCursor) cursor = NULL;
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GArray) transforms = g_array_new (FALSE, FALSE, sizeof (SridTransform));
  GisExportFormat format = options->format;
  const char *driver_name;
  GDALDriverH driver;
  GDALDatasetH ds = NULL;
  OGRLayerH layer;
  OGRSpatialReferenceH dst_srs = NULL;
  char **layer_options = NULL;
  gboolean ok = FALSE;
  guint64 count = 0;
  g_autofree char *layer_name = NULL;

  if (format == GIS_EXPORT_FORMAT_AUTO)
    format = gis_export_format_from_path (path);
  driver_name = driver_for (format);
  if (driver_name == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Cannot tell the format of “%s”: use .gpkg, .geojson, .shp, .csv "
                     "or .kml, or state the format"), path);
      return FALSE;
    }
  if (format == GIS_EXPORT_FORMAT_GEOTIFF)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("GeoTIFF is for raster layers; a query result has features"));
      return FALSE;
    }

  driver = GDALGetDriverByName (driver_name);
  if (driver == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("This GDAL has no %s driver"), driver_name);
      return FALSE;
    }

  crs = gis_crs_new (options->crs != NULL ? options->crs : GIS_CRS_STORAGE, error);
  if (crs == NULL)
    return FALSE;
  if (format == GIS_EXPORT_FORMAT_KML &&
      g_strcmp0 (gis_crs_get_proj_input (crs), "EPSG:4326") != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                   _("KML files are always in WGS 84 longitude, latitude (EPSG:4326)"));
      return FALSE;
    }

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!options->overwrite)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS,
                       _("“%s” already exists"), path);
          return FALSE;
        }
      delete_output (driver, path);
    }

  if (!make_plan (store, sql, cancellable, &plan, error))
    return FALSE;

  dst_srs = OSRNewSpatialReference (NULL);
  if (OSRSetFromUserInput (dst_srs, gis_crs_get_proj_input (crs)) != OGRERR_NONE)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, _("Unknown CRS “%s”"), options->crs);
      goto out;
    }
  OSRSetAxisMappingStrategy (dst_srs, OAMS_TRADITIONAL_GIS_ORDER);

  CPLErrorReset ();
  ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  if (ds == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot create “%s”"), path);

      gis_thread_set_gdal_error (error, GIS_ERROR_IO, what);
      goto out;
    }

  if (format == GIS_EXPORT_FORMAT_CSV)
    {
      layer_options = CSLSetNameValue (layer_options, "GEOMETRY",
                                       plan.geom_type == wkbPoint ? "AS_XY" : "AS_WKT");
      /* GDAL 3.6 quotes numbers read from SQLite as if they were text */
      layer_options = CSLSetNameValue (layer_options, "STRING_QUOTING", "IF_NEEDED");
    }
  if (format == GIS_EXPORT_FORMAT_SHAPEFILE)
    layer_options = CSLSetNameValue (layer_options, "ENCODING", "UTF-8");

  if (options->layer_name != NULL)
    layer_name = g_strdup (options->layer_name);
  else if (format == GIS_EXPORT_FORMAT_SHAPEFILE || format == GIS_EXPORT_FORMAT_CSV)
    {
      layer_name = g_path_get_basename (path);
      if (strrchr (layer_name, '.') != NULL)
        *strrchr (layer_name, '.') = '\0';
    }
  else
    layer_name = g_strdup (default_layer_name);

  CPLErrorReset ();
  layer = GDALDatasetCreateLayer (ds, layer_name, plan.geom_col >= 0 ? dst_srs : NULL,
                                  plan.geom_col >= 0 ? plan.geom_type : wkbNone,
                                  layer_options);
  CSLDestroy (layer_options);
  if (layer == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot create a layer in “%s”"), path);

      gis_thread_set_gdal_error (error, GIS_ERROR_IO, what);
      goto out;
    }

  for (guint i = 0; i < plan.fields->len; i++)
    {
      OutField *f = &g_array_index (plan.fields, OutField, i);
      OGRFieldDefnH fd = OGR_Fld_Create (f->name, f->type);
      OGRFeatureDefnH defn = OGR_L_GetLayerDefn (layer);
      int before = OGR_FD_GetFieldCount (defn);

      CPLErrorReset ();
      if (OGR_L_CreateField (layer, fd, TRUE) != OGRERR_NONE)
        {
          g_autofree char *what = g_strdup_printf (_("Cannot create field “%s” in “%s”"),
                                                   f->name, path);

          OGR_Fld_Destroy (fd);
          gis_thread_set_gdal_error (error, GIS_ERROR_IO, what);
          goto out;
        }
      OGR_Fld_Destroy (fd);

      /* Drivers may rename a field (Shapefile cuts names to ten
       * characters) or map it onto one of their own (KML's Name). */
      defn = OGR_L_GetLayerDefn (layer);
      if (OGR_FD_GetFieldCount (defn) > before)
        f->ogr_index = OGR_FD_GetFieldCount (defn) - 1;
      else
        f->ogr_index = OGR_FD_GetFieldIndex (defn, f->name);
    }

  cursor = gis_store_query (store, sql, error);
  if (cursor == NULL)
    goto out;

  if (GDALDatasetTestCapability (ds, ODsCTransactions))
    GDALDatasetStartTransaction (ds, FALSE);

  while (gis_cursor_next (cursor, cancellable, error))
    {
      OGRFeatureH feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
      OGRErr err;

      if (plan.fid_col >= 0 && gis_cursor_get_value_type (cursor, (guint) plan.fid_col) == GIS_VALUE_INTEGER &&
          format == GIS_EXPORT_FORMAT_GPKG)
        OGR_F_SetFID (feature, gis_cursor_get_int64 (cursor, (guint) plan.fid_col));

      for (guint i = 0; i < plan.fields->len; i++)
        {
          OutField *f = &g_array_index (plan.fields, OutField, i);
          int idx = f->ogr_index;

          if (idx < 0)
            continue;
          switch (gis_cursor_get_value_type (cursor, f->column))
            {
            case GIS_VALUE_INTEGER:
              OGR_F_SetFieldInteger64 (feature, idx, gis_cursor_get_int64 (cursor, f->column));
              break;
            case GIS_VALUE_REAL:
              OGR_F_SetFieldDouble (feature, idx, gis_cursor_get_double (cursor, f->column));
              break;
            case GIS_VALUE_TEXT:
              OGR_F_SetFieldString (feature, idx, gis_cursor_get_text (cursor, f->column));
              break;
            case GIS_VALUE_BLOB:
            case GIS_VALUE_GEOMETRY:
              {
                gsize len;
                const guint8 *blob = gis_cursor_get_blob (cursor, f->column, &len);

                OGR_F_SetFieldBinary (feature, idx, (int) len, blob);
              }
              break;
            case GIS_VALUE_NULL:
            default:
              OGR_F_SetFieldNull (feature, idx);
              break;
            }
        }

      if (plan.geom_col >= 0)
        {
          g_autofree guint8 *wkb = NULL;
          gsize len;
          int srid = 4326;

          wkb = gis_cursor_get_wkb (cursor, (guint) plan.geom_col, &len, &srid);
          if (wkb != NULL)
            {
              OGRGeometryH geom = NULL;
              OGRCoordinateTransformationH ct = NULL;
              gboolean found = FALSE;

              if (OGR_G_CreateFromWkb (wkb, NULL, &geom, (int) len) == OGRERR_NONE)
                {
                  for (guint k = 0; k < transforms->len; k++)
                    if (g_array_index (transforms, SridTransform, k).srid == srid)
                      {
                        ct = g_array_index (transforms, SridTransform, k).ct;
                        found = TRUE;
                      }
                  if (!found)
                    {
                      OGRSpatialReferenceH src = OSRNewSpatialReference (NULL);
                      SridTransform st = { srid, NULL };

                      if (OSRImportFromEPSG (src, srid <= 0 ? 4326 : srid) == OGRERR_NONE)
                        {
                          OSRSetAxisMappingStrategy (src, OAMS_TRADITIONAL_GIS_ORDER);
                          if (!OSRIsSame (src, dst_srs))
                            st.ct = OCTNewCoordinateTransformation (src, dst_srs);
                        }
                      OSRDestroySpatialReference (src);
                      g_array_append_val (transforms, st);
                      ct = st.ct;
                    }
                  if (ct != NULL && OGR_G_Transform (geom, ct) != OGRERR_NONE)
                    {
                      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                                   _("Row %" PRIu64 ": the geometry cannot be "
                                     "transformed to %s"),
                                   count + 1, gis_crs_get_name (crs));
                      OGR_G_DestroyGeometry (geom);
                      OGR_F_Destroy (feature);
                      goto out;
                    }
                  OGR_F_SetGeometryDirectly (feature, geom);
                }
            }
        }

      CPLErrorReset ();
      err = OGR_L_CreateFeature (layer, feature);
      OGR_F_Destroy (feature);
      if (err != OGRERR_NONE)
        {
          g_autofree char *what = g_strdup_printf (_("Cannot write row %" PRIu64 " to “%s”"),
                                                   count + 1, path);

          gis_thread_set_gdal_error (error, GIS_ERROR_IO, what);
          goto out;
        }
      count++;

      if ((count % CHECK_EVERY) == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
          if (progress != NULL)
            progress (total > 0 ? (double) count / (double) total : -1.0,
                      _("Writing features"), progress_data);
        }
    }
  if (error != NULL && *error != NULL)
    goto out;

  if (GDALDatasetTestCapability (ds, ODsCTransactions) &&
      GDALDatasetCommitTransaction (ds) != OGRERR_NONE)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot write “%s”"), path);

      gis_thread_set_gdal_error (error, GIS_ERROR_IO, what);
      goto out;
    }

  CPLErrorReset ();
  GDALClose (ds);
  ds = NULL;
  if (CPLGetLastErrorType () >= CE_Failure)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot write “%s”"), path);

      gis_thread_set_gdal_error (error, GIS_ERROR_IO, what);
      goto out;
    }

  ok = TRUE;
  if (out_count != NULL)
    *out_count = count;
  if (progress != NULL)
    progress (1.0, _("Exported"), progress_data);

out:
  if (ds != NULL)
    GDALClose (ds);
  if (!ok)
    delete_output (driver, path);
  for (guint k = 0; k < transforms->len; k++)
    if (g_array_index (transforms, SridTransform, k).ct != NULL)
      OCTDestroyCoordinateTransformation (g_array_index (transforms, SridTransform, k).ct);
  if (dst_srs != NULL)
    OSRDestroySpatialReference (dst_srs);
  return ok;
}

/* A raster layer: a Float32 GeoTIFF in the grid's own CRS. */
static gboolean
export_raster (GisStore                *store,
               GisLayer                *layer,
               const char              *path,
               const GisExportOptions  *options,
               guint64                 *out_count,
               GError                 **error)
{
  g_autoptr(GisRaster) raster = NULL;
  GisExportFormat format = options->format;

  if (format == GIS_EXPORT_FORMAT_AUTO)
    format = gis_export_format_from_path (path);
  if (format != GIS_EXPORT_FORMAT_GEOTIFF)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Layer “%s” is a raster: export it to GeoTIFF (.tif)"), gis_layer_get_name (layer));
      return FALSE;
    }
  if (options->crs != NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("A raster is exported in its own CRS: leave the CRS out"));
      return FALSE;
    }
  raster = gis_store_load_raster (store, layer, error);
  if (raster == NULL)
    return FALSE;
  if (!gis_raster_export_geotiff (raster, path, options->overwrite, error))
    return FALSE;
  if (out_count != NULL)
    *out_count = (guint64) raster->width * raster->height;
  return TRUE;
}

/**
 * gis_store_export_layer:
 * @store: a store
 * @layer: one of its layers
 * @path: the file to write
 * @options: (nullable): format, CRS, layer name
 * @progress: (nullable) (scope call): progress callback
 * @progress_data: its closure
 * @cancellable: (nullable): a #GCancellable
 * @out_count: (out) (optional): features written
 * @error: return location for a #GIS_ERROR error
 *
 * Writes every feature of @layer.  A failed or cancelled export leaves no
 * file behind.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_store_export_layer (GisStore               *store,
                        GisLayer               *layer,
                        const char             *path,
                        const GisExportOptions *options,
                        GisProgressFunc         progress,
                        gpointer                progress_data,
                        GCancellable           *cancellable,
                        guint64                *out_count,
                        GError                **error)
{
  g_autoptr(GisExportOptions) defaults = NULL;
  g_autofree char *qt = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (options == NULL)
    options = defaults = gis_export_options_new ();

  if (gis_layer_is_raster (layer))
    return export_raster (store, layer, path, options, out_count, error);
  if (options->format == GIS_EXPORT_FORMAT_GEOTIFF ||
      (options->format == GIS_EXPORT_FORMAT_AUTO && gis_export_format_from_path (path) == GIS_EXPORT_FORMAT_GEOTIFF))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Layer “%s” has features, not cells: GeoTIFF is for raster layers"), gis_layer_get_name (layer));
      return FALSE;
    }

  if (gis_layer_get_table_name (layer) == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Layer “%s” has no features to export"), gis_layer_get_name (layer));
      return FALSE;
    }

  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  sql = g_strdup_printf ("SELECT * FROM %s ORDER BY fid", qt);

  return export_sql (store, sql, path, gis_layer_get_name (layer),
                     gis_layer_get_feature_count (layer), options,
                     progress, progress_data, cancellable, out_count, error);
}

/**
 * gis_store_export_query:
 * @store: a store
 * @sql: one read-only SELECT statement
 * @path: the file to write
 * @options: (nullable): format, CRS, layer name
 * @progress: (nullable) (scope call): progress callback
 * @progress_data: its closure
 * @cancellable: (nullable): a #GCancellable
 * @out_count: (out) (optional): features written
 * @error: return location for a #GIS_ERROR error
 *
 * Writes the rows of @sql; the first geometry column becomes the
 * features' geometry.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_store_export_query (GisStore               *store,
                        const char             *sql,
                        const char             *path,
                        const GisExportOptions *options,
                        GisProgressFunc         progress,
                        gpointer                progress_data,
                        GCancellable           *cancellable,
                        guint64                *out_count,
                        GError                **error)
{
  g_autoptr(GisExportOptions) defaults = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (options == NULL)
    options = defaults = gis_export_options_new ();

  return export_sql (store, sql, path, "query", -1, options,
                     progress, progress_data, cancellable, out_count, error);
}
