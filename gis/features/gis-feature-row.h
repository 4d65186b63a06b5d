/* gis-feature-row.h: one row of a GisFeatureModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define GIS_TYPE_FEATURE_ROW (gis_feature_row_get_type ())

G_DECLARE_FINAL_TYPE (GisFeatureRow, gis_feature_row, GIS, FEATURE_ROW, GObject)

gint64      gis_feature_row_get_fid       (GisFeatureRow *self);
guint       gis_feature_row_get_position  (GisFeatureRow *self);
guint       gis_feature_row_get_n_columns (GisFeatureRow *self);
const char *gis_feature_row_get_text      (GisFeatureRow *self,
                                           guint          column);

G_END_DECLS
