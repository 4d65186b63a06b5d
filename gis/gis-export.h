/* gis-export.h: layers and query results to GIS files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-store.h"

G_BEGIN_DECLS

typedef enum
{
  GIS_EXPORT_FORMAT_AUTO = 0,
  GIS_EXPORT_FORMAT_GPKG,
  GIS_EXPORT_FORMAT_GEOJSON,
  GIS_EXPORT_FORMAT_SHAPEFILE,
  GIS_EXPORT_FORMAT_CSV,
  GIS_EXPORT_FORMAT_KML,
  GIS_EXPORT_FORMAT_GEOTIFF,
} GisExportFormat;

/**
 * GisExportOptions:
 * @format: the file format; AUTO picks it from the file name's extension
 * @crs: (nullable): the output CRS; default EPSG:4326
 * @layer_name: (nullable): the layer name inside the file
 * @overwrite: replace an existing file
 */
struct _GisExportOptions
{
  GisExportFormat  format;
  char            *crs;
  char            *layer_name;
  gboolean         overwrite;
};

GisExportOptions *gis_export_options_new        (void);
void              gis_export_options_free       (GisExportOptions *options);
gboolean          gis_export_format_from_string (const char       *str,
                                                 GisExportFormat  *out_format);
GisExportFormat   gis_export_format_from_path   (const char       *path);

gboolean          gis_store_export_layer        (GisStore               *store,
                                                 GisLayer               *layer,
                                                 const char             *path,
                                                 const GisExportOptions *options,
                                                 GisProgressFunc         progress,
                                                 gpointer                progress_data,
                                                 GCancellable           *cancellable,
                                                 guint64                *out_count,
                                                 GError                **error);
gboolean          gis_store_export_query        (GisStore               *store,
                                                 const char             *sql,
                                                 const char             *path,
                                                 const GisExportOptions *options,
                                                 GisProgressFunc         progress,
                                                 gpointer                progress_data,
                                                 GCancellable           *cancellable,
                                                 guint64                *out_count,
                                                 GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisExportOptions, gis_export_options_free)

G_END_DECLS
