/* gis-feature-model.h: the features of a layer as a lazy GListModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-extent.h"
#include "gis-feature-filter.h"
#include "gis-feature-row.h"
#include "gis-layer.h"

G_BEGIN_DECLS

/** What gis_feature_model_get_position() returns for an absent feature. */
#define GIS_FEATURE_MODEL_INVALID_POSITION G_MAXUINT

#define GIS_TYPE_FEATURE_MODEL (gis_feature_model_get_type ())

G_DECLARE_FINAL_TYPE (GisFeatureModel, gis_feature_model, GIS, FEATURE_MODEL, GObject)

GisFeatureModel  *gis_feature_model_new               (const char       *store_path,
                                                       GisLayer         *layer);
const char       *gis_feature_model_get_store_path    (GisFeatureModel  *self);
GisLayer         *gis_feature_model_get_layer         (GisFeatureModel  *self);
void              gis_feature_model_set_sort          (GisFeatureModel  *self,
                                                       const char       *column,
                                                       gboolean          descending);
const char       *gis_feature_model_get_sort_column   (GisFeatureModel  *self);
gboolean          gis_feature_model_get_sort_descending (GisFeatureModel *self);
void              gis_feature_model_set_filter        (GisFeatureModel  *self,
                                                       GisFeatureFilter *filter);
GisFeatureFilter *gis_feature_model_get_filter        (GisFeatureModel  *self);
void              gis_feature_model_reload            (GisFeatureModel  *self);
GPtrArray        *gis_feature_model_get_columns       (GisFeatureModel  *self);
int               gis_feature_model_find_column       (GisFeatureModel  *self,
                                                       const char       *name);
guint             gis_feature_model_get_total_count   (GisFeatureModel  *self);
guint             gis_feature_model_get_position      (GisFeatureModel  *self,
                                                       gint64            fid);
gint64            gis_feature_model_get_fid           (GisFeatureModel  *self,
                                                       guint             position);
gboolean          gis_feature_model_get_loading       (GisFeatureModel  *self);
const GError     *gis_feature_model_get_error         (GisFeatureModel  *self);
double            gis_feature_model_get_load_seconds  (GisFeatureModel  *self);

G_END_DECLS
