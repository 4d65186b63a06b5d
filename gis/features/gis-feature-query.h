/* gis-feature-query.h: identify, box selection and single features
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-extent.h"
#include "gis-feature.h"
#include "gis-store.h"

G_BEGIN_DECLS

GPtrArray  *gis_store_identify            (GisStore        *store,
                                           GisLayer        *layer,
                                           double           lon,
                                           double           lat,
                                           double           tolerance_m,
                                           guint            max_features,
                                           GError         **error);
gboolean    gis_store_select_in_box       (GisStore        *store,
                                           GisLayer        *layer,
                                           const GisExtent *lonlat_box,
                                           GArray          *out_fids,
                                           GError         **error);
gboolean    gis_store_get_extent_of_fids  (GisStore        *store,
                                           GisLayer        *layer,
                                           const gint64    *fids,
                                           gsize            n_fids,
                                           GisExtent       *out_extent,
                                           GError         **error);
GisFeature *gis_store_get_feature         (GisStore        *store,
                                           GisLayer        *layer,
                                           gint64           fid,
                                           GError         **error);
char      **gis_store_dup_frequent_values (GisStore        *store,
                                           GisLayer        *layer,
                                           const char      *field,
                                           guint            max_values,
                                           GError         **error);

G_END_DECLS
