/* gis-crs.h: immutable coordinate reference system definitions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "gis-types.h"
#include "gis-extent.h"

G_BEGIN_DECLS

#define GIS_TYPE_CRS (gis_crs_get_type ())

/** The storage CRS of every layer: EPSG:4326 in longitude, latitude order. */
#define GIS_CRS_STORAGE "EPSG:4326"
/** The default analysis and display CRS: the CEC North American Atlas LAEA
 * (EPSG:2163 parameters: sphere R = 6 370 997 m, lat_0 45 N, lon_0 100 W). */
#define GIS_CRS_CEC_LAEA_ID "cec-laea"

typedef struct
{
  const char *id;          /* what gis_crs_new() takes */
  const char *label;       /* untranslated; translate with _() */
} GisCrsPreset;

GType               gis_crs_get_type        (void) G_GNUC_CONST;
GisCrs             *gis_crs_new             (const char   *definition,
                                             GError      **error);
GisCrs             *gis_crs_new_storage     (void);
GisCrs             *gis_crs_new_analysis    (void);
GisCrs             *gis_crs_ref             (GisCrs       *crs);
void                gis_crs_unref           (GisCrs       *crs);
const char         *gis_crs_get_definition  (const GisCrs *crs);
const char         *gis_crs_get_proj_input  (const GisCrs *crs);
const char         *gis_crs_get_name        (const GisCrs *crs);
const char         *gis_crs_get_wkt         (const GisCrs *crs);
gboolean            gis_crs_is_geographic   (const GisCrs *crs);
gboolean            gis_crs_equal           (const GisCrs *a,
                                             const GisCrs *b);
const GisCrsPreset *gis_crs_get_presets     (guint        *n_presets);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisCrs, gis_crs_unref)

GisTransform *gis_transform_new          (GisCrs        *src,
                                          GisCrs        *dst,
                                          GError       **error);
void          gis_transform_free         (GisTransform  *transform);
gboolean      gis_transform_is_identity  (GisTransform  *transform);
gboolean      gis_transform_point        (GisTransform  *transform,
                                          double        *x,
                                          double        *y);
gboolean      gis_transform_array        (GisTransform  *transform,
                                          double        *x,
                                          double        *y,
                                          gsize          n);
gboolean      gis_transform_bounds       (GisTransform    *transform,
                                          const GisExtent *in,
                                          GisExtent       *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisTransform, gis_transform_free)

G_END_DECLS
