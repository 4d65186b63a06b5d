/* gis-layer-data.h: a layer's features projected to the display CRS, in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-extent.h"
#include "gis-raster.h"

G_BEGIN_DECLS

#define GIS_TYPE_LAYER_DATA (gis_layer_data_get_type ())

typedef struct _GisLayerData GisLayerData;

/**
 * GisFeatureKind:
 * @GIS_FEATURE_NONE: no geometry, or one that cannot be shown in the
 *   display CRS
 * @GIS_FEATURE_POINT: a point or multipoint: each part is one coordinate
 * @GIS_FEATURE_LINE: a (multi)linestring: each part is a line
 * @GIS_FEATURE_POLYGON: a (multi)polygon: each part is a ring, filled
 *   with the even-odd rule
 */
typedef enum
{
  GIS_FEATURE_NONE,
  GIS_FEATURE_POINT,
  GIS_FEATURE_LINE,
  GIS_FEATURE_POLYGON,
} GisFeatureKind;

/**
 * GisColumnKind:
 * @GIS_COLUMN_NUMERIC: doubles; NaN for NULL or non-numeric values
 * @GIS_COLUMN_TEXT: string ids into the column's string table;
 *   %GIS_LAYER_DATA_NULL_STRING for NULL
 */
typedef enum
{
  GIS_COLUMN_NUMERIC,
  GIS_COLUMN_TEXT,
} GisColumnKind;

/** The string id of a NULL text value. */
#define GIS_LAYER_DATA_NULL_STRING G_MAXUINT32

/** The time of a feature without one (NULL occurred_at). */
#define GIS_LAYER_DATA_NO_TIME G_MININT64

GType          gis_layer_data_get_type         (void) G_GNUC_CONST;

GisLayerData  *gis_layer_data_load             (const char         *store_path,
                                                gint64              layer_id,
                                                GisCrs             *display_crs,
                                                const char *const  *fields,
                                                GCancellable       *cancellable,
                                                GError            **error);
void           gis_layer_data_load_async       (const char         *store_path,
                                                gint64              layer_id,
                                                GisCrs             *display_crs,
                                                const char *const  *fields,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
GisLayerData  *gis_layer_data_load_finish      (GAsyncResult       *result,
                                                GError            **error);
GisLayerData  *gis_layer_data_new_from_wkb     (GPtrArray          *wkb,
                                                GisCrs             *wkb_crs,
                                                GisCrs             *display_crs,
                                                GError            **error);

GisLayerData  *gis_layer_data_ref              (GisLayerData       *data);
void           gis_layer_data_unref            (GisLayerData       *data);

gint64         gis_layer_data_get_layer_id     (GisLayerData       *data);
GisCrs        *gis_layer_data_get_crs          (GisLayerData       *data);
const GisExtent *gis_layer_data_get_extent     (GisLayerData       *data);
gboolean       gis_layer_data_is_point_layer   (GisLayerData       *data);
const GisRaster *gis_layer_data_get_raster     (GisLayerData       *data);

guint          gis_layer_data_get_n_features   (GisLayerData       *data);
const gint64  *gis_layer_data_get_fids         (GisLayerData       *data);
gboolean       gis_layer_data_find_fid         (GisLayerData       *data,
                                                gint64              fid,
                                                guint              *out_index);
GisFeatureKind gis_layer_data_get_feature_kind (GisLayerData       *data,
                                                guint               index);
void           gis_layer_data_get_feature_extent (GisLayerData     *data,
                                                guint               index,
                                                GisExtent          *out_extent);

const double  *gis_layer_data_get_x            (GisLayerData       *data);
const double  *gis_layer_data_get_y            (GisLayerData       *data);
guint          gis_layer_data_get_n_coords     (GisLayerData       *data);
void           gis_layer_data_get_parts        (GisLayerData       *data,
                                                guint               index,
                                                guint              *out_first_part,
                                                guint              *out_n_parts);
void           gis_layer_data_get_part         (GisLayerData       *data,
                                                guint               part,
                                                guint              *out_first_coord,
                                                guint              *out_n_coords);

gboolean       gis_layer_data_has_time         (GisLayerData       *data);
const gint64  *gis_layer_data_get_times        (GisLayerData       *data);

guint          gis_layer_data_get_n_columns    (GisLayerData       *data);
int            gis_layer_data_find_column      (GisLayerData       *data,
                                                const char         *field);
const char    *gis_layer_data_get_column_name  (GisLayerData       *data,
                                                guint               column);
GisColumnKind  gis_layer_data_get_column_kind  (GisLayerData       *data,
                                                guint               column);
const double  *gis_layer_data_get_numbers      (GisLayerData       *data,
                                                guint               column);
const guint32 *gis_layer_data_get_string_ids   (GisLayerData       *data,
                                                guint               column);
guint          gis_layer_data_get_n_strings    (GisLayerData       *data,
                                                guint               column);
const char    *gis_layer_data_get_string       (GisLayerData       *data,
                                                guint               column,
                                                guint32             string_id);
char          *gis_layer_data_format_value     (GisLayerData       *data,
                                                guint               column,
                                                guint               index);

void           gis_layer_data_query_box        (GisLayerData       *data,
                                                const GisExtent    *box,
                                                GArray             *out_indices);
void           gis_layer_data_hit_test         (GisLayerData       *data,
                                                double              map_x,
                                                double              map_y,
                                                double              tolerance_map_units,
                                                GArray             *out_indices);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisLayerData, gis_layer_data_unref)

G_END_DECLS
