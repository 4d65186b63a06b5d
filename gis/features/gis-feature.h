/* gis-feature.h: one feature of a layer, with all its attributes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "gis-types.h"
#include "gis-extent.h"
#include "gis-layer.h"

G_BEGIN_DECLS

#define GIS_TYPE_FEATURE (gis_feature_get_type ())

G_DECLARE_FINAL_TYPE (GisFeature, gis_feature, GIS, FEATURE, GObject)

GisLayer        *gis_feature_get_layer          (GisFeature *self);
const char      *gis_feature_get_layer_name     (GisFeature *self);
gint64           gis_feature_get_fid            (GisFeature *self);
guint            gis_feature_get_n_fields       (GisFeature *self);
const char      *gis_feature_get_field_name     (GisFeature *self,
                                                 guint       index);
GisFieldType     gis_feature_get_field_type     (GisFeature *self,
                                                 guint       index);
int              gis_feature_find_field         (GisFeature *self,
                                                 const char *name);
GVariant        *gis_feature_get_value          (GisFeature *self,
                                                 guint       index);
char            *gis_feature_format_value       (GisFeature *self,
                                                 guint       index);
const char      *gis_feature_get_geometry_type  (GisFeature *self);
GBytes          *gis_feature_get_wkb            (GisFeature *self);
gboolean         gis_feature_get_extent         (GisFeature *self,
                                                 GisExtent  *out_extent);
double           gis_feature_get_distance_m     (GisFeature *self);
gboolean         gis_feature_get_contains_point (GisFeature *self);
const char      *gis_feature_get_name_field     (GisFeature *self);
char            *gis_feature_dup_title          (GisFeature *self);

G_END_DECLS
