/* gis-layer-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "gis-layer.h"

G_BEGIN_DECLS

/* Columns in the order gis_layer_new_from_row() reads them. */
#define GIS_LAYER_COLUMNS \
  "id, name, table_name, role, geometry_type, srid, source, imported_at, " \
  "feature_count, extent, style_json, visible, z_order, opacity"

GisLayer *gis_layer_new_from_row (sqlite3_stmt *stmt);

G_END_DECLS
