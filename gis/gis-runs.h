/* gis-runs.h: result layers and their method records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "gis-layer.h"
#include "gis-store.h"

G_BEGIN_DECLS

GisLayer  *gis_store_register_layer    (GisStore      *store,
                                        const char    *name,
                                        const char    *table,
                                        GisLayerRole   role,
                                        const char    *geometry_type,
                                        const char    *source,
                                        GError       **error);
char      *gis_store_layer_fingerprint (GisStore      *store,
                                        GisLayer      *layer,
                                        GError       **error);
gint64     gis_store_add_run           (GisStore      *store,
                                        const char    *kind,
                                        const char    *params_json,
                                        GPtrArray     *inputs,
                                        const char    *started_at,
                                        GisLayer      *result_layer,
                                        GError       **error);

G_END_DECLS
