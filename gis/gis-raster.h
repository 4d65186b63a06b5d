/* gis-raster.h: float32 grids stored as raster layers
 *
 * A raster is a layer of the registry with geometry_type "RASTER" and no
 * table; its cells live in atalaya_rasters (DESIGN §3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-layer.h"
#include "gis-store.h"

G_BEGIN_DECLS

/**
 * GisRaster:
 * @width: columns, west to east
 * @height: rows, north to south
 * @geotransform: GDAL's: x = gt[0] + col gt[1] + row gt[2],
 *   y = gt[3] + col gt[4] + row gt[5], at cell corners
 * @crs: the CRS of the geotransform, as WKT (or anything gis_crs_new() takes)
 * @has_nodata: whether @nodata marks empty cells
 * @nodata: the value of empty cells
 * @data: (array length=width*height): the cells, row by row from the north
 *
 * A grid of float32 values.
 */
typedef struct
{
  guint    width;
  guint    height;
  double   geotransform[6];
  char    *crs;
  gboolean has_nodata;
  double   nodata;
  float   *data;
} GisRaster;

GisRaster *gis_raster_new            (guint            width,
                                      guint            height,
                                      const double     geotransform[6],
                                      const char      *crs);
void       gis_raster_free           (GisRaster       *raster);
gboolean   gis_raster_get_range      (const GisRaster *raster,
                                      double          *out_min,
                                      double          *out_max);
gboolean   gis_raster_get_quantile   (const GisRaster *raster,
                                      double           q,
                                      double          *out_value);
gboolean   gis_raster_get_bounds     (const GisRaster *raster,
                                      GisExtent       *out_extent);
void       gis_raster_get_data_bounds (const GisRaster *raster,
                                      GisExtent       *out_extent);
void       gis_raster_project_bounds (const GisRaster *raster,
                                      GisTransform    *transform,
                                      GisExtent       *out_extent);
gboolean   gis_raster_sample         (const GisRaster *raster,
                                      double           x,
                                      double           y,
                                      gboolean         bilinear,
                                      double          *out_value);

GisLayer  *gis_store_save_raster     (GisStore        *store,
                                      const char      *name,
                                      const GisRaster *raster,
                                      GisLayerRole     role,
                                      const char      *source,
                                      GError         **error);
GisRaster *gis_store_load_raster     (GisStore        *store,
                                      GisLayer        *layer,
                                      GError         **error);
GisRaster *gis_store_load_raster_by_id (GisStore      *store,
                                      gint64           layer_id,
                                      GError         **error);

gboolean   gis_raster_export_geotiff (const GisRaster *raster,
                                      const char      *path,
                                      gboolean         overwrite,
                                      GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisRaster, gis_raster_free)

G_END_DECLS
