/* gis-features-private.h: internals shared by the files of gis/features
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "gis-feature.h"
#include "gis-feature-filter.h"

G_BEGIN_DECLS

/* Up to this many values are bound to one "fid IN (...)" statement. */
#define GIS_FEATURES_IN_CHUNK 200

GisFeature *gis_feature_new            (GisLayer        *layer,
                                        gint64           fid,
                                        GPtrArray       *fields,
                                        GPtrArray       *values,
                                        GBytes          *wkb,
                                        const GisExtent *extent);
void        gis_feature_set_hit        (GisFeature      *self,
                                        double           distance_m,
                                        gboolean         contains_point);

GVariant   *gis_features_column_to_variant (sqlite3_stmt *stmt,
                                            int           column);
char       *gis_features_format_variant    (GVariant     *value);
char       *gis_features_format_column     (sqlite3_stmt *stmt,
                                            int           column);
void        gis_features_bind_variant      (sqlite3_stmt *stmt,
                                            int           index,
                                            GVariant     *value);
const char *gis_features_wkb_type_name     (const guint8 *wkb,
                                            gsize         len);

GPtrArray  *gis_features_get_columns       (GisStore     *store,
                                            GisLayer     *layer,
                                            gboolean     *out_has_geometry,
                                            GError      **error);
const GisField *gis_features_find_column   (GPtrArray    *columns,
                                            const char   *name);

gboolean    gis_feature_filter_to_sql      (GisFeatureFilter *filter,
                                            GPtrArray        *columns,
                                            GString          *sql,
                                            GPtrArray        *binds,
                                            GError          **error);

G_END_DECLS
